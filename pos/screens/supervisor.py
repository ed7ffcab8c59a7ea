"""Supervisor screen: reverse an entry, adjust points, the staff list
(pos.screens.staff_tab) and this terminal's day close (pos.screens.close_tab).
Opened with a supervisor PIN; each action is checked again by the ledger with
the same credentials. A reversal is confirmed first (pos.dialogs.reverse):
member, balances, coupons paid with the points.

Every tab's keys are this screen's bindings, shown in the footer only on the
tab they work on (``check_action``), so the help lists them all."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, TabbedContent, TabPane, Tabs

from config.refusal import Refusal
from ledger.coupons import display_code
from ledger.models import Credentials, Entry, Reversal, ReversalPreview
from pos.dialogs.reverse import ReverseDialog
from pos.screens.base import PosScreen, call_ledger
from pos.screens.close_tab import CloseTab
from pos.screens.staff_tab import StaffTab
from pos.times import local_time
from pos.widgets.text import Message, Tr, TrInput, cell


class SupervisorScreen(PosScreen[None]):
    CSS_PATH = "supervisor.tcss"
    BINDINGS = [
        Binding("f4", "reverse", "Reverse", id="key.reverse"),
        Binding("f2", "staff_active", "(De)activate", id="key.staff_active"),
        Binding("f3", "reset_pin", "New PIN", id="key.reset_pin"),
        Binding("f7", "unlock", "Unlock", id="key.unlock"),
        Binding("f6", "print_day", "Print day close", id="key.print_day"),
        Binding("escape", "back", "Back", id="key.back"),
    ]
    # Which tab each key works on (the footer shows a key only there).
    TAB_OF = {
        "reverse": "tab-entries",
        "staff_active": "tab-staff",
        "reset_pin": "tab-staff",
        "unlock": "tab-staff",
        "print_day": "tab-summary",
    }

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.credentials = credentials

    def compose(self) -> ComposeResult:
        tr = self.pos.tr
        with TabbedContent(id="sup-tabs"):
            with TabPane(tr("sup.entries"), id="tab-entries"):
                yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
                yield TrInput("sup.reason", id="reverse-reason")
                yield Tr("sup.reverse_hint", classes="hint")
            with TabPane(tr("sup.adjust"), id="tab-adjust"), Vertical():
                yield TrInput("sup.phone", id="adjust-phone")
                yield TrInput("sup.points", id="adjust-points", restrict=r"[-+0-9]*")
                yield TrInput("sup.reason", id="adjust-reason")
            with TabPane(tr("sup.staff"), id="tab-staff"):
                yield StaffTab(self.credentials, self._say, id="staff-tab")
            with TabPane(tr("sup.summary"), id="tab-summary"):
                yield CloseTab(self._say, id="close-tab")
        yield Message(id="sup-message")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._relabel, init=True)
        self.query_one("#entries", DataTable).focus()

    def _relabel(self, *_: object) -> None:
        tr = self.pos.tr
        tabs = self.query_one("#sup-tabs", TabbedContent)
        for pane_id, key in (
            ("tab-entries", "sup.entries"), ("tab-adjust", "sup.adjust"),
            ("tab-staff", "sup.staff"), ("tab-summary", "sup.summary"),
        ):  # fmt: skip
            tabs.get_tab(pane_id).label = tr(key)
        self._load_entries()
        self._load_summary()
        self.query_one(StaffTab).load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.TAB_OF.get(action)
        if tab is not None:
            return self.query_one("#sup-tabs", TabbedContent).active == tab
        return True

    # The widget a tab starts on when the focus was left in another tab.
    FIRST_FOCUS = {
        "tab-entries": "#entries",
        "tab-adjust": "#adjust-phone",
        "tab-staff": "#staff-list",
        "tab-summary": "#summary",
    }

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        # Arrowing along the tabs keeps the focus there; focus left behind in
        # a hidden tab would bring that tab back, so it moves to the new one.
        focused = self.focused
        if (
            focused is not None
            and not isinstance(focused, Tabs)
            and event.pane not in focused.ancestors
        ):
            self.query_one(self.FIRST_FOCUS[event.pane.id or ""]).focus()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#sup-message", Message).show(text, error=error)

    def _refused(self, error: Refusal) -> None:
        self._say(error.message, error=True)

    # -- entries and reversal --------------------------------------------

    def _load_entries(self) -> None:
        tr = self.pos.tr
        table = self.query_one("#entries", DataTable)
        table.clear(columns=True)
        table.add_columns(
            tr("sup.col.time"), tr("sup.col.kind"), tr("sup.col.points"),
            tr("sup.col.member"), tr("sup.col.ref"), tr("sup.col.cashier"),
        )  # fmt: skip
        latest = self.pos.ledger.recent_entries(50)
        tags = self.pos.ledger.member_tags(latest)
        for entry in latest:
            tag = tags.get(entry.member_id or "")
            table.add_row(
                local_time(entry.created_at, tr, year=False), cell(tr.kind(entry.kind)),
                f"{entry.points:+d}",
                cell(_short(tag.label if tag else "", 24)), cell(entry.ref or ""),
                cell(entry.cashier_id or entry.approver_id or ""),
                key=entry.entry_id,
            )  # fmt: skip

    def action_reverse(self) -> None:
        table = self.query_one("#entries", DataTable)
        if table.row_count == 0:
            return
        entry_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        reason_field = self.query_one("#reverse-reason", Input)
        reason = reason_field.value
        if not reason.strip():
            reason_field.focus()
            # The ledger says why (a reason is required) before anything is shown.
            call_ledger(
                self,
                lambda: self.pos.ledger.reverse(entry_id, reason, self.credentials),
                self._reversed,
                self._refused,
            )
            return
        call_ledger(
            self,
            lambda: self.pos.ledger.reversal_preview(entry_id),
            lambda preview: self._confirm(preview, reason),
            self._refused,
        )

    def _confirm(self, preview: ReversalPreview, reason: str) -> None:
        entry_id = preview.entry.entry_id

        def chosen(choice: str | None) -> None:
            if choice is None:
                self._say(self.pos.tr("approval.cancelled"))
                return
            coupons: Literal["void", "keep"] | None = (
                "void" if choice == "void" else "keep" if choice == "keep" else None
            )
            call_ledger(
                self,
                lambda: self.pos.ledger.reverse(
                    entry_id, reason, self.credentials, coupons=coupons
                ),
                self._reversed,
                self._refused,
            )

        self.app.push_screen(ReverseDialog(preview), chosen)

    @on(Input.Submitted, "#reverse-reason")
    def _reason_typed(self) -> None:
        self.action_reverse()

    def _reversed(self, done: Reversal) -> None:
        self.query_one("#reverse-reason", Input).value = ""
        tr = self.pos.tr
        values = {"points": f"{done.points:+d}", "balance": done.balance_after}
        if done.voided:
            codes = ", ".join(display_code(c.code) for c in done.voided)
            self._say(tr("sup.reversed_voided", codes=codes, **values))
        elif done.kept:
            codes = ", ".join(display_code(c.code) for c in done.kept)
            self._say(tr("sup.reversed_kept", codes=codes, **values), error=True)
        else:
            self._say(tr("sup.reversed_balance", **values), error=done.balance_after < 0)
        self._load_entries()
        self._load_summary()

    # -- adjust ----------------------------------------------------------

    @on(Input.Submitted, "#adjust-phone")
    def _adjust_phone(self) -> None:
        self.query_one("#adjust-points", Input).focus()

    @on(Input.Submitted, "#adjust-points")
    def _adjust_points(self) -> None:
        self.query_one("#adjust-reason", Input).focus()

    @on(Input.Submitted, "#adjust-reason")
    def _adjust(self) -> None:
        phone = self.query_one("#adjust-phone", Input).value
        points = self.query_one("#adjust-points", Input).value
        reason = self.query_one("#adjust-reason", Input).value
        call_ledger(
            self,
            lambda: self.pos.ledger.adjust(phone, points, reason, self.credentials),
            self._adjusted,
            self._refused,
        )

    def _adjusted(self, entry: Entry) -> None:
        for field_id in ("#adjust-phone", "#adjust-points", "#adjust-reason"):
            self.query_one(field_id, Input).value = ""
        self._say(
            self.pos.tr("sup.adjusted", points=f"{entry.points:+d}", balance=entry.balance_after)
        )
        self._load_entries()
        self._load_summary()

    # -- staff and the day close: the tabs do the work ------------------

    def action_staff_active(self) -> None:
        self.query_one(StaffTab).toggle_active()

    def action_reset_pin(self) -> None:
        self.query_one(StaffTab).start_reset()

    def action_unlock(self) -> None:
        self.query_one(StaffTab).unlock()

    def action_print_day(self) -> None:
        self.query_one(CloseTab).print_close()

    def _load_summary(self) -> None:
        self.query_one(CloseTab).load()

    def action_back(self) -> None:
        if not self.query_one(StaffTab).cancel():  # Esc first drops a new PIN half typed
            self.dismiss(None)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
