"""The supervisor PIN dialog: id, Enter, PIN, Enter. Returns the credentials
(the ledger checks them and records wrong PINs) or None when cancelled."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from config.refusal import Refusal
from ledger.errors import NotPermitted
from ledger.models import Credentials, Staff
from pos.screens.base import PosDialog, call_ledger
from pos.widgets.text import Message, Tr, TrInput


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

    def __init__(self, what: str, *, check: bool = False) -> None:
        """``check``: verify the PIN here (opening the supervisor screen);
        otherwise the operation being approved verifies it."""
        super().__init__()
        self.what = what
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="approval-box"):
            yield Tr("approval.title", classes="title")
            yield Tr("approval.why", what=self.what)
            yield TrInput("login.staff", id="approver")
            yield TrInput("login.pin", id="approver-pin", password=True, restrict=r"[0-9๐-๙]*")
            yield Message(id="approval-message")
            yield Tr("approval.hint", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#approver", Input).focus()

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
        if not self.check:
            self.dismiss(credentials)
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
        if staff.role not in ("supervisor", "admin"):
            raise NotPermitted(f"{staff.staff_id} is a {staff.role}: ask a supervisor.")
        return staff

    def _refused(self, error: Refusal) -> None:
        self.query_one("#approval-message", Message).show(error.message, error=True)
        self.query_one("#approver-pin", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
