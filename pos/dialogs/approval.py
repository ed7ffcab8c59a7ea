"""The supervisor PIN dialog: id, Enter, PIN, Enter. Returns the credentials
or None when cancelled.

The PIN is checked here, so a wrong one keeps the dialog open (the id kept,
the PIN field cleared and focused) instead of sending the cashier back to pick
the reward again; the ledger counts it and keeps it in its audit trail. The
operation approved checks the credentials again when it runs."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from config.refusal import Refusal
from ledger.errors import NotPermitted, StaffLocked, StaffNotFound, WrongPin
from ledger.models import Credentials, Staff
from pos.i18n import Translator
from pos.screens.base import PosDialog, call_ledger
from pos.widgets.text import Message, Plain, Tr, TrInput

# What is being approved: words already said, or a function saying them in the
# language of the moment (then F5 relabels them with the rest of the dialog).
What = str | Callable[[Translator], str]


class ApprovalDialog(PosDialog[Credentials | None]):
    DEFAULT_CSS = """
    ApprovalDialog {
        align: center middle;
    }
    ApprovalDialog #approval-box {
        width: 60;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def __init__(self, what: What, *, check: bool = False) -> None:
        """``check``: the approver must also be a supervisor or admin here
        (opening the supervisor screen); otherwise the operation being approved
        judges the role, and says so on its own screen."""
        super().__init__()
        self.what = what
        self.check = check
        self.error: Refusal | None = None  # the last refusal shown, said again on F5

    def compose(self) -> ComposeResult:
        with Vertical(id="approval-box"):
            yield Tr("approval.title", classes="title")
            yield Plain(id="approval-why")
            yield TrInput("login.staff", id="approver")
            yield TrInput("login.pin", id="approver-pin", password=True, restrict=r"[0-9๐-๙]*")
            yield Message(id="approval-message")
            yield Tr("approval.hint", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._fill, init=True)
        self.query_one("#approver", Input).focus()

    def _fill(self, *_: object) -> None:
        """What is approved, and the last refusal, in the current language."""
        what = self.what(self.pos.tr) if callable(self.what) else self.what
        self.query_one("#approval-why", Plain).update(self.pos.tr("approval.why", what=what))
        if self.error is not None:
            self.query_one("#approval-message", Message).show(self._say(self.error), error=True)

    @on(Input.Submitted, "#approver")
    def _id_typed(self) -> None:
        self.query_one("#approver-pin", Input).focus()

    @on(Input.Submitted, "#approver-pin")
    def _pin_typed(self) -> None:
        staff_id = self.query_one("#approver", Input).value.strip()
        pin_field = self.query_one("#approver-pin", Input)
        credentials = Credentials(staff_id, pin_field.value)
        pin_field.value = ""
        if not staff_id:
            self.query_one("#approver", Input).focus()
            return
        call_ledger(
            self,
            lambda: self._verify(credentials),
            lambda _: self._approved(credentials),
            self._refused,
        )

    def _approved(self, credentials: Credentials) -> None:
        self.dismiss(credentials)

    def _verify(self, credentials: Credentials) -> Staff:
        staff = self.pos.ledger.authenticate(credentials.staff_id, credentials.pin)
        if self.check and staff.role not in ("supervisor", "admin"):
            raise NotPermitted(key="not_permitted.not_approver", staff=staff.staff_id)
        return staff

    def _refused(self, error: Refusal) -> None:
        self.error = error
        self.query_one("#approval-message", Message).show(self._say(error), error=True)
        # A wrong PIN is typed again; a locked, unknown or unfit id is
        # replaced by another supervisor's (the field's text is selected).
        wrong_pin = not isinstance(error, (StaffLocked, StaffNotFound, NotPermitted))
        self.query_one("#approver-pin" if wrong_pin else "#approver", Input).focus()

    def _say(self, error: Refusal) -> str:
        """A wrong PIN or a lock in the cashier's language; a lock says who can
        lift it now and how."""
        tr, details = self.pos.tr, error.details
        if isinstance(error, WrongPin) and "left" in details:
            return tr("approval.wrong_pin", staff=details["staff_id"], left=details["left"])
        if isinstance(error, StaffLocked) and "admins" in details:
            staff = details["staff_id"]
            text = tr("approval.locked", staff=staff, minutes=details["minutes"])
            admins = details["admins"]
            if not admins:
                return f"{text} {tr('approval.unlock_nobody')}"
            names = ", ".join(
                f"{a['name']} ({a['staff_id']})" if a["name"] else a["staff_id"] for a in admins
            )
            unlock = tr(
                "approval.unlock_by", admins=names, staff=staff, admin_id=admins[0]["staff_id"]
            )
            return f"{text} {unlock}"
        return tr.refusal(error).message

    def action_cancel(self) -> None:
        self.dismiss(None)
