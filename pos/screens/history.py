"""A member's whole history, newest first, a screenful at a time.

PgDn shows older entries, PgUp newer ones. Each page is one keyset read
(``Ledger.history_page``): the screen keeps where each page it showed began,
so going back is the same read again, and the 500th page of a member with a
long history costs what the first does."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable

from ledger.members import HistoryPage
from ledger.models import Entry, Member
from pos.screens.base import PosScreen, call_ledger
from pos.times import local_time
from pos.widgets.text import Message, Plain, Tr, cell

MIN_ROWS, MAX_ROWS = 5, 100


class HistoryScreen(PosScreen[None]):
    CSS_PATH = "history.tcss"
    BINDINGS = [
        Binding("pagedown", "older", "Older", id="key.older"),
        Binding("pageup", "newer", "Newer", id="key.newer"),
        Binding("escape", "back", "Back", id="key.back"),
    ]

    def __init__(self, member: Member) -> None:
        super().__init__()
        self.member = member
        self.page: HistoryPage | None = None
        # Where each page shown so far began (None: the newest); the last is on screen.
        self.starts: list[tuple[str, str] | None] = [None]
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Plain(id="history-title", classes="title")
            table: DataTable[object] = DataTable(id="history", cursor_type="none")
            # Not focusable: its own PgUp/PgDn would scroll it instead of paging.
            table.can_focus = False
            yield table
            yield Message(id="history-page")
            yield Tr("history.hint", classes="hint")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.rows = MIN_ROWS
        self.watch(self.app, "language", self._paint, init=False)
        self.call_after_refresh(self._first_page)

    def _first_page(self) -> None:
        """As many rows as the table has room for below its header, once laid out."""
        room = self.query_one("#history", DataTable).size.height - 1
        self.rows = max(MIN_ROWS, min(MAX_ROWS, room))
        self._load([None])

    @property
    def page_number(self) -> int:
        return len(self.starts)

    def _load(self, starts: list[tuple[str, str] | None]) -> None:
        """Show the page beginning at ``starts[-1]``; ``starts`` becomes the
        screen's once it is read (refused, the page on screen stays)."""
        self.busy = True
        wallet, start = self.member.wallet_id, starts[-1]

        def loaded(page: HistoryPage) -> None:
            self.busy = False
            self.page, self.starts = page, starts
            self._paint()

        def refused(error: object) -> None:
            self.busy = False

        call_ledger(
            self, lambda: self.pos.ledger.history_page(wallet, start, self.rows), loaded, refused
        )

    def _paint(self, *_: object) -> None:
        tr, member = self.pos.tr, self.member
        who = member.name or self.pos.ledger.mask(member.phone or "")
        self.query_one("#history-title", Plain).update(tr("history.title", who=who))
        table = self.query_one("#history", DataTable)
        table.clear(columns=True)
        page = self.page
        rows = [self._row(entry) for entry in page.entries] if page else []
        # The ref last: a long bill number is cut at the edge, nothing else is.
        # Widths are given: sized by the table itself, a page's columns sometimes
        # kept the widths of their headings alone (the dates cut to "15 J").
        for n, key in enumerate(("when", "kind", "points", "amount", "cashier", "ref")):
            label = tr(f"history.col.{key}")
            width = max([cell_len(label), *(cell_len(row[n]) for row in rows)])
            table.add_column(label, key=key, width=width)
        for row in rows:
            table.add_row(*(cell(text) for text in row))
        if page is None:
            return
        first = (self.page_number - 1) * self.rows + 1
        if not page.entries:
            line = tr("history.empty")
        else:
            line = tr(
                "history.page",
                page=self.page_number,
                first=tr.number(first),
                last=tr.number(first + len(page.entries) - 1),
            )
            if page.older is None:
                line = f"{line} · {tr('history.first_entry')}"
        self.query_one("#history-page", Message).show(line)

    def _row(self, entry: Entry) -> tuple[str, ...]:
        tr = self.pos.tr
        amount = (
            tr.money(entry.amount_minor, entry.currency or "THB")
            if entry.amount_minor is not None
            else ""
        )
        return (
            local_time(entry.created_at, tr),
            tr.kind(entry.kind),
            f"{entry.points:+,d}",
            amount,
            entry.cashier_id or "",
            entry.ref or "",
        )

    # -- keys ------------------------------------------------------------

    def action_older(self) -> None:
        page = self.page
        if self.busy or page is None:
            return
        if page.older is None:
            self.query_one("#history-page", Message).show(self.pos.tr("history.no_older"))
            return
        self._load([*self.starts, page.older])

    def action_newer(self) -> None:
        if self.busy or self.page is None:
            return
        if len(self.starts) == 1:
            self.query_one("#history-page", Message).show(self.pos.tr("history.no_newer"))
            return
        self._load(self.starts[:-1])

    def action_back(self) -> None:
        self.dismiss(None)
