"""Staff log in at the start of a shift: id, Enter, PIN, Enter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from config.refusal import Refusal
from ledger.errors import StaffNotFound
from ledger.models import Staff
from pos.screens.base import PosScreen, call_ledger
from pos.widgets.text import Message, Tr, TrInput


class LoginScreen(PosScreen[None]):
    CSS_PATH = "login.tcss"

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Tr("login.title", classes="title")
            yield TrInput("login.staff", id="staff")
            yield TrInput("login.pin", id="pin", password=True, restrict=r"[0-9๐-๙]*")
            yield Message(id="login-message")
            yield Tr("login.hint", classes="hint")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#staff", Input).focus()

    @on(Input.Submitted, "#staff")
    def _staff_typed(self) -> None:
        if self.query_one("#staff", Input).value.strip():
            self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_typed(self) -> None:
        staff_id = self.query_one("#staff", Input).value.strip()
        pin_input = self.query_one("#pin", Input)
        pin = pin_input.value
        if not staff_id:
            self.query_one("#staff", Input).focus()
            return
        pin_input.value = ""
        call_ledger(
            self, lambda: self.pos.ledger.authenticate(staff_id, pin), self._ok, self._refused
        )

    def _ok(self, staff: Staff) -> None:
        self.pos.logged_in(staff)

    def _refused(self, error: Refusal) -> None:
        self.query_one("#login-message", Message).show(error.message, error=True)
        # Focus the field to fix: an unknown id goes back to the id (selected,
        # so the retyped one replaces it rather than landing in the PIN field).
        field = "#staff" if isinstance(error, StaffNotFound) else "#pin"
        self.query_one(field, Input).focus()
