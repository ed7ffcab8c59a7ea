"""A member's name, added or changed at the counter (card F7).

Enter saves it (cleaned by the ledger: at most 80 printable characters; an
empty field removes the name) in one transaction; head office gets it at the
next sync and passes it on to the other tills. Esc changes nothing. A refusal
(too long, another terminal's member) stays in the dialog, the text kept to
correct it. Returns the member as saved, or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from config.refusal import Refusal
from ledger.models import Member
from pos.screens.base import PosDialog, call_ledger
from pos.widgets.text import Message, Tr, TrInput


class NameDialog(PosDialog[Member | None]):
    DEFAULT_CSS = """
    NameDialog {
        align: center middle;
    }
    NameDialog #name-box {
        width: 70;
        max-width: 100%;
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    NameDialog .title {
        text-style: bold;
    }
    NameDialog .hint {
        color: $text-muted;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def __init__(self, member: Member) -> None:
        super().__init__()
        self.member = member
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="name-box"):
            yield Tr("name.title", classes="title")
            # The value is set, never parsed: a name is data, not markup.
            yield TrInput("name.field", id="name", value=self.member.name or "")
            yield Message(id="name-message")
            yield Tr("name.hint", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        field = self.query_one("#name", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#name")
    def _save(self) -> None:
        if self.busy:
            return  # a double Enter saves once
        self.busy = True
        name, member_id = self.query_one("#name", Input).value, self.member.member_id
        call_ledger(
            self,
            lambda: self.pos.ledger.rename_member(member_id, name),
            self._saved,
            self._refused,
        )

    def _saved(self, member: Member) -> None:
        self.dismiss(member)

    def _refused(self, error: Refusal) -> None:
        self.busy = False
        self.query_one("#name-message", Message).show(
            self.pos.tr.refusal(error).message, error=True
        )
        self.query_one("#name", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
