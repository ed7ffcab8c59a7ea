"""Members found by a part of their name (typed at the lookup): the names with
their masked phones, ↑ ↓ to choose, Enter opens the chosen member's card, Esc
goes back to the lookup with what was typed. Returns the chosen member's
phone (E.164), or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ledger.members import NameMatch
from pos.screens.base import PosDialog
from pos.widgets.text import Message, Tr, plain


class NameSearchDialog(PosDialog[str | None]):
    DEFAULT_CSS = """
    NameSearchDialog {
        align: center middle;
    }
    NameSearchDialog #search-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    NameSearchDialog #found {
        height: auto;
        max-height: 12;
    }
    NameSearchDialog .title {
        text-style: bold;
    }
    NameSearchDialog .hint {
        color: $text-muted;
    }
    """
    BINDINGS = [Binding("escape", "back", "Back", id="key.back")]

    def __init__(self, text: str, found: list[NameMatch], more: bool) -> None:
        """``more``: there are more matches than ``found`` shows."""
        super().__init__()
        self.text = text
        self.found = found
        self.more = more

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Tr("search.title", classes="title", text=self.text)
            yield OptionList(id="found")
            yield Message(id="search-more")
            yield Tr("search.hint", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._fill, init=True)
        found = self.query_one("#found", OptionList)
        found.highlighted = 0
        found.focus()

    def _fill(self, *_: object) -> None:
        tr, mask = self.pos.tr, self.pos.ledger.mask
        found = self.query_one("#found", OptionList)
        highlighted = found.highlighted
        found.clear_options()
        for n, match in enumerate(self.found):
            # The name is data: shown as typed, never read as markup.
            line = f"{mask(match.phone):<14} {match.name}"
            found.add_option(Option(plain(line), id=f"m{n}"))
        found.highlighted = highlighted
        more = self.query_one("#search-more", Message)
        if self.more:
            more.show(tr("search.more", n=tr.number(len(self.found))))
        else:
            more.clear()

    @on(OptionList.OptionSelected, "#found")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.found[event.option_index].phone)

    def action_back(self) -> None:
        self.dismiss(None)
