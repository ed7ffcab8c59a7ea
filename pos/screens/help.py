"""Help (F1): every key of the counter app, grouped by where it works, with
what it does, in the app's language. Esc or F1 closes it.

The list is built from the bindings themselves (the app's, and each screen's
and dialog's ``BINDINGS``) plus the few keys that are not bindings (Enter in a
field, C on the enroll offer, Esc): a key bound on a screen shows up here by
itself. The README's key table is held to this list by
``tests/app/test_help.py``, so the two cannot drift apart.

What a key does is the text ``help.<place>.<binding id without "key.">``;
without one, the binding's footer label stands in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll

from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.dialogs.member_data import MemberDataDialog
from pos.dialogs.member_name import NameDialog
from pos.dialogs.name_search import NameSearchDialog
from pos.dialogs.quit import QuitDialog
from pos.dialogs.redeem_confirm import RedeemConfirm
from pos.dialogs.reverse import ReverseDialog
from pos.i18n import TEXT, Translator
from pos.screens.base import PosScreen
from pos.screens.history import HistoryScreen
from pos.screens.login import LoginScreen
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.redeem import RedeemScreen
from pos.screens.setup import SetupScreen
from pos.screens.supervisor import SupervisorScreen
from pos.widgets.text import Plain, Tr


@dataclass(frozen=True, slots=True)
class KeyRow:
    keys: str  # as printed on the keyboard: "F6", "Ctrl+Q", "Y / Enter"
    place: str  # where it works: "card" (its name is the text help.where.card)
    what: str  # the text key of what it does

    def shown(self, tr: Translator) -> tuple[str, str, str]:
        """Key, where, what, in ``tr``'s language."""
        return self.keys, tr(f"help.where.{self.place}"), tr(self.what)


# Where keys work, in the order the help lists them, and whose BINDINGS they
# are. "any" is the app's own bindings (handed to ``key_rows``). Esc is one
# line for all ("back, cancel or close"), so escape bindings are not listed.
PLACES: tuple[tuple[str, tuple[type[Any], ...]], ...] = (
    ("any", ()),
    ("lookup", (LookupScreen,)),
    ("search", (NameSearchDialog,)),
    ("enroll", ()),
    ("card", (MemberScreen,)),
    ("name", (NameDialog,)),
    ("data", (MemberDataDialog,)),
    ("history", (HistoryScreen,)),
    ("redeem", (RedeemScreen,)),
    ("confirm", (RedeemConfirm,)),
    ("coupon", (CouponDialog,)),
    ("approval", (ApprovalDialog,)),
    ("supervisor", (SupervisorScreen,)),
    ("reverse", (ReverseDialog,)),
    ("login", (LoginScreen,)),
    ("setup", (SetupScreen,)),
    ("quit", (QuitDialog,)),
)

# Keys that are not bindings: a field's Enter, what a screen reads itself.
NOT_BINDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "any": (("Esc", "help.any.escape"), ("Ctrl+P", "help.any.palette")),
    "lookup": (("Enter", "help.lookup.enter"),),
    "enroll": (("C", "help.enroll.consent"), ("Enter", "help.enroll.enter")),
    "search": (("Enter", "help.search.enter"),),
    "card": (("Enter", "help.card.enter"),),
    "name": (("Enter", "help.name.enter"),),
    "data": (("Enter", "help.data.enter"),),
    "redeem": (("Enter", "help.redeem.enter"),),
    "approval": (("Enter", "help.approval.enter"),),
    "login": (("Enter", "help.login.enter"),),
    "setup": (("Enter", "help.setup.enter"),),
}

_NAMES = {"escape": "Esc", "enter": "Enter", "ctrl": "Ctrl", "shift": "Shift", "alt": "Alt",
          "pagedown": "PgDn", "pageup": "PgUp"}  # fmt: skip


def key_name(key: str) -> str:
    """``ctrl+q`` as the keyboard says it: ``Ctrl+Q``; ``f6``: ``F6``."""
    return "+".join(
        _NAMES.get(part, part.upper() if len(part) <= 3 else part.title())
        for part in key.split("+")
    )


def _bound(place: str, bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        name = (binding.id or binding.action).removeprefix("key.")
        what = f"help.{place}.{name}"
        if what not in TEXT:
            what = binding.id or binding.description
        keys += [(key_name(k.strip()), what) for k in binding.key.split(",")]
    return [(key, what) for key, what in keys if key != "Esc"]


def place_of(screen: object) -> str:
    """Where ``screen``'s keys are listed ("any" when it has none of its own)."""
    return next((place for place, classes in PLACES if type(screen) in classes), "any")


def key_rows(app_bindings: Iterable[BindingType]) -> list[KeyRow]:
    """Every key, by place; keys doing the same in one place share a row ("Y / Enter")."""
    rows: list[KeyRow] = []
    for place, classes in PLACES:
        keys = list(NOT_BINDINGS.get(place, ()))
        if place == "any":  # the app's function keys first, then Esc and the palette
            keys = _bound(place, app_bindings) + keys
        for cls in classes:
            keys += _bound(place, vars(cls).get("BINDINGS", ()))  # its own, not Screen's
        merged: dict[str, list[str]] = {}
        for key, what in keys:
            if key not in merged.setdefault(what, []):
                merged[what].append(key)
        rows += [KeyRow(" / ".join(names), place, what) for what, names in merged.items()]
    return rows


class HelpScreen(PosScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="key.back"),
        Binding("f1", "close", "Back", id="key.back", show=False),
    ]

    def __init__(self, rows: list[KeyRow], start: str = "any") -> None:
        """``start``: the place shown first (the screen F1 was pressed on)."""
        super().__init__()
        self.rows = rows
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Tr("help.title", classes="title")
            with VerticalScroll(id="help-keys"):
                place = None
                for row in self.rows:
                    if row.place != place:
                        place = row.place
                        yield Tr(f"help.where.{place}", id=f"help-{place}", classes="help-place")
                    with Horizontal(classes="help-row"):
                        yield Plain(row.keys, classes="help-key")
                        yield Tr(row.what, classes="help-what")
            yield Tr("help.hint", classes="hint")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#help-keys").focus()
        self.call_after_refresh(self._show_start)

    def _show_start(self) -> None:
        start = self.query(f"#help-{self.start}")
        if start:
            self.query_one("#help-keys").scroll_to_widget(start.first(), top=True, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
