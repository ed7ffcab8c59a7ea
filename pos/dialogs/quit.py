"""Quitting asks first (Ctrl+Q): one stray key must not end the app in the
middle of a queue. Y or Enter quits, N or Esc stays. Returns True to quit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from pos.screens.base import PosDialog
from pos.widgets.text import Tr


class QuitDialog(PosDialog[bool]):
    DEFAULT_CSS = """
    QuitDialog {
        align: center middle;
    }
    QuitDialog #quit-box {
        width: 50;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    QuitDialog .title {
        text-style: bold;
    }
    QuitDialog .hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Quit", id="key.quit"),
        Binding("enter", "answer(True)", "Quit", id="key.quit", show=False),
        Binding("n", "answer(False)", "Stay", id="key.stay"),
        Binding("escape", "answer(False)", "Stay", id="key.stay", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box"):
            yield Tr("quit.title", classes="title")
            yield Tr("quit.hint", classes="hint")

    def action_answer(self, quit: bool) -> None:
        self.dismiss(quit)
