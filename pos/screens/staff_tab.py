"""The supervisor screen's Staff tab: every staff member with their state,
and what an admin does to one (deactivate or reactivate, a new PIN, unlock),
above the form that adds one.

The keys are the supervisor screen's bindings (so the footer and the help
list them); they call this tab. Who may do what is the ledger's rule
(ledger.staff): the tab sends the credentials the screen was opened with and
shows the ledger's answer. F2 asks to be pressed twice for the same person:
one stray key must not lock a colleague out mid-shift.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input

from config.refusal import Refusal
from ledger.clock import parse_iso
from ledger.models import Credentials, Staff
from ledger.staff import ROLES, StaffMember
from pos.i18n import TEXT
from pos.screens.base import call_ledger
from pos.services import Counter, counter
from pos.widgets.text import Tr, TrInput, cell

Say = Callable[..., None]  # (text, *, error=False)


class StaffTab(Vertical):
    def __init__(self, credentials: Credentials, say: Say, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.credentials = credentials
        self.say = say
        self._armed: str | None = None  # the id F2 was pressed once for
        self._resetting: str | None = None  # the id the PIN fields are for

    def compose(self) -> ComposeResult:
        yield DataTable(id="staff-list", cursor_type="row", zebra_stripes=True)
        yield Tr("sup.staff_hint", classes="hint")
        with Horizontal(id="reset-row"):
            yield Tr("sup.reset_for", id="reset-for", staff="")
            yield TrInput("sup.reset_pin", id="reset-pin", password=True, restrict=r"[0-9]*")
            yield TrInput("sup.reset_again", id="reset-again", password=True, restrict=r"[0-9]*")
        with Horizontal(classes="staff-form"):
            yield TrInput("sup.staff_id", id="staff-id")
            yield TrInput("sup.staff_name", id="staff-name")
        with Horizontal(classes="staff-form"):
            yield TrInput("sup.staff_role", id="staff-role", value=self.pos.tr.role("cashier"))
            yield TrInput("sup.staff_pin", id="staff-pin", password=True, restrict=r"[0-9]*")

    @property
    def pos(self) -> Counter:
        return counter(self)

    # -- the list --------------------------------------------------------

    def load(self) -> None:
        tr = self.pos.tr
        table = self.query_one("#staff-list", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(
            tr("sup.col.id"), tr("sup.col.name"), tr("sup.col.role"), tr("sup.col.state")
        )
        for member in self.pos.ledger.staff_list():
            table.add_row(
                cell(member.staff_id), cell(member.name or ""), cell(tr.role(member.role)),
                cell(self.state_text(member)), key=member.staff_id,
            )  # fmt: skip
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def state_text(self, member: StaffMember) -> str:
        tr = self.pos.tr
        if member.state == "locked" and member.locked_until:
            local = parse_iso(member.locked_until).astimezone(self.pos.ledger.zone)
            return str(tr("staff.locked", time=f"{local:%H:%M}"))
        return str(tr(f"staff.{member.state}"))

    def selected(self) -> str | None:
        table = self.query_one("#staff-list", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowHighlighted, "#staff-list")
    def _moved(self) -> None:
        self._armed = None  # F2 twice means twice on the same person

    # -- deactivate / reactivate (F2) ------------------------------------

    def toggle_active(self) -> None:
        sid = self.selected()
        if sid is None:
            return
        member = next((m for m in self.pos.ledger.staff_list() if m.staff_id == sid), None)
        if member is None:
            self.load()
            return
        verb = "reactivate" if member.state == "deactivated" else "deactivate"
        if self._armed != sid:
            self._armed = sid
            self.say(self.pos.tr(f"sup.confirm_{verb}", staff=sid))
            return
        self._armed = None
        ledger, who = self.pos.ledger, self.credentials
        action = ledger.reactivate_staff if verb == "reactivate" else ledger.deactivate_staff
        call_ledger(self.screen, lambda: action(sid, who), self._changed, self._refused)

    def _changed(self, member: StaffMember) -> None:
        key = "sup.reactivated" if member.state != "deactivated" else "sup.deactivated"
        self.say(self.pos.tr(key, staff=member.staff_id))
        self.load()

    # -- unlock (F7) -----------------------------------------------------

    def unlock(self) -> None:
        sid = self.selected()
        if sid is None:
            return
        who = self.credentials
        call_ledger(
            self.screen, lambda: self.pos.ledger.unlock_staff(sid, who), self._unlocked,
            self._refused,
        )  # fmt: skip

    def _unlocked(self, staff: Staff) -> None:
        self.say(self.pos.tr("sup.unlocked", staff=staff.staff_id))
        self.load()

    # -- a new PIN (F3) --------------------------------------------------

    def start_reset(self) -> None:
        sid = self.selected()
        if sid is None:
            return
        self._resetting = sid
        self.query_one("#reset-for", Tr).set("sup.reset_for", staff=sid)
        self.add_class("-resetting")
        for field in self.query("#reset-row Input").results(Input):
            field.value = ""
        self.query_one("#reset-pin", Input).focus()

    def cancel(self) -> bool:
        """Esc while typing a new PIN drops it (True); otherwise nothing to cancel."""
        if self._resetting is None:
            return False
        self._end_reset()
        self.query_one("#staff-list", DataTable).focus()
        return True

    def _end_reset(self) -> None:
        self._resetting = None
        self.remove_class("-resetting")
        for field in self.query("#reset-row Input").results(Input):
            field.value = ""

    @on(Input.Submitted, "#reset-pin")
    def _first_pin(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value:
            self.query_one("#reset-again", Input).focus()

    @on(Input.Submitted, "#reset-again")
    def _second_pin(self, event: Input.Submitted) -> None:
        event.stop()
        first = self.query_one("#reset-pin", Input)
        sid, pin = self._resetting, first.value
        if sid is None:
            return
        if pin != event.value:
            self.say(self.pos.tr("sup.pins_differ"), error=True)
            self.query_one("#reset-again", Input).value = ""
            first.value = ""
            first.focus()
            return
        who = self.credentials
        call_ledger(
            self.screen, lambda: self.pos.ledger.reset_pin(sid, pin, who), self._reset_done,
            self._reset_refused,
        )  # fmt: skip

    def _reset_done(self, member: StaffMember) -> None:
        self._end_reset()
        tr = self.pos.tr
        if member.state == "locked":
            self.say(tr("sup.pin_reset_locked", staff=member.staff_id,
                        state=self.state_text(member)), error=True)  # fmt: skip
        else:
            self.say(tr("sup.pin_reset", staff=member.staff_id))
        self.load()
        self.query_one("#staff-list", DataTable).focus()

    def _reset_refused(self, error: Refusal) -> None:
        # A weak PIN is typed again; anything else (not allowed) ends the reset.
        self._refused(error)
        if error.code == "weak_pin":
            for field in self.query("#reset-row Input").results(Input):
                field.value = ""
            self.query_one("#reset-pin", Input).focus()
        else:
            self.cancel()

    # -- adding staff ----------------------------------------------------

    @on(Input.Submitted, "#staff-id, #staff-name, #staff-role")
    def _next_staff_field(self, event: Input.Submitted) -> None:
        self.screen.focus_next()

    @on(Input.Submitted, "#staff-pin")
    def _add_staff(self) -> None:
        values: dict[str, Any] = {
            "staff_id": self.query_one("#staff-id", Input).value,
            "name": self.query_one("#staff-name", Input).value or None,
            "role": role_code(self.query_one("#staff-role", Input).value),
            "pin": self.query_one("#staff-pin", Input).value,
        }
        self.query_one("#staff-pin", Input).value = ""
        call_ledger(self.screen, lambda: self._checked_add(values), self._added, self._refused)

    def _checked_add(self, values: dict[str, Any]) -> Staff:
        # The opener's credentials again: the screen may have stayed open a
        # while, and a supervisor adds only cashiers.
        return self.pos.ledger.add_staff(**values, approval=self.credentials)

    def _added(self, staff: Staff) -> None:
        for field_id in ("#staff-id", "#staff-name"):
            self.query_one(field_id, Input).value = ""
        tr = self.pos.tr
        self.say(tr("sup.staff_added", role=tr.role(staff.role), staff=staff.staff_id))
        self.load()

    def _refused(self, error: Refusal) -> None:
        self.say(error.message, error=True)
        self.load()  # a refusal may come from a change made elsewhere meanwhile


def role_code(typed: str) -> str:
    """The role typed, in either language (``หัวหน้า``, ``Supervisor``) or as its
    code, as the ledger names it; anything else goes to the ledger as typed,
    which refuses it naming the roles."""
    text = typed.strip().lower()
    for code in ROLES:
        if text == code or text in (word.lower() for word in TEXT[f"role.{code}"]):
            return code
    return text
