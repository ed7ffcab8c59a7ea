"""The supervisor screen's day-close tab (Z report): this terminal's shop
day (``locale.timezone``) in money, points per kind, new members and per
cashier, as ``ledger.reports.day_summary`` adds it up; F6 (a binding of the
supervisor screen) prints it on the slip printer.

The app prints it (``Counter.print_day_close``), straight to the printer as
the test page goes (the spool holds entries' slips), in a worker and between
other slips; "printed" is said only when the printer took the slip,
otherwise the printer's reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable

from config.refusal import Refusal
from pos.services import Counter, counter
from pos.times import local_date
from pos.widgets.text import Plain, Tr, cell

Say = Callable[..., None]  # (text, *, error=False)


class CloseTab(Vertical):
    def __init__(self, say: Say, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.say = say
        self.day: date | None = None  # the day on screen (None: not loaded yet)
        self.printing = False

    def compose(self) -> ComposeResult:
        yield Plain(id="close-heading")
        yield Plain(id="close-totals")
        yield DataTable(id="summary", cursor_type="none")
        yield DataTable(id="close-cashiers", cursor_type="none")
        yield Tr("close.hint", classes="hint")

    @property
    def pos(self) -> Counter:
        return counter(self)

    def load(self) -> None:
        tr, ledger = self.pos.tr, self.pos.ledger
        z = ledger.day_summary()
        self.day = date.fromisoformat(z["day"])
        currency = z["currency"]
        sales = z["sales"]
        self.query_one("#close-heading", Plain).update(
            tr(
                "close.heading",
                day=local_date(date.fromisoformat(z["day"]), tr),
                zone=z["timezone"],
                terminal=z["terminal_id"],
            )
        )
        self.query_one("#close-totals", Plain).update(
            tr("close.totals", sales=sales["count"], reversed=sales["reversed"],
               amount=tr.money(sales["amount_minor"], currency), enrolled=z["enrolled"])
        )  # fmt: skip
        kinds = self.query_one("#summary", DataTable)
        kinds.clear(columns=True)
        kinds.add_columns(tr("sup.col.kind"), tr("sup.col.count"), tr("sup.col.points"))
        for kind, points in z["points"].items():
            count = z["kinds"].get(kind, {}).get("count", 0)
            kinds.add_row(cell(tr.kind(kind)), str(count), f"{points:+,}", key=kind)
        people = self.query_one("#close-cashiers", DataTable)
        people.clear(columns=True)
        people.add_columns(
            tr("sup.col.cashier"), tr("sup.col.sales"), tr("sup.col.amount"),
            tr("sup.col.points"),
        )  # fmt: skip
        for row in z["by_cashier"]:
            who = row["cashier_id"]
            name = f"{row['name']} ({who})" if row["name"] else who
            people.add_row(
                cell(tr("close.no_cashier") if who == "-" else name), str(row["sales"]),
                tr.money(row["amount_minor"], currency), f"{row['points']:+,}", key=who,
            )  # fmt: skip

    def print_close(self) -> None:
        """F6: print the day on screen; one slip at a time."""
        if self.printing:
            return
        self.printing = True
        self.say(self.pos.tr("close.printing"))
        self.pos.print_day_close(self.day, self._printed, self._not_printed)

    def _printed(self, done: dict[str, Any]) -> None:
        self.printing = False
        files = done.get("files") or []
        if files:
            self.say(self.pos.tr("close.preview", file=files[-1]))
        else:
            self.say(self.pos.tr("close.printed"))

    def _not_printed(self, error: Refusal) -> None:
        self.printing = False
        self.say(self.pos.tr("close.not_printed", reason=error.message), error=True)
