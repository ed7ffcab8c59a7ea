"""What a counter screen may ask of the app, and what the app asks of head office.

Screens, dialogs and widgets talk to ``Counter``, never to ``PosApp``: the app
imports its screens, so a screen importing the app would close a circle. The
app satisfies ``Counter`` (mypy checks it in ``pos.app``); a head office is
anything that answers ``HeadOffice``, so a test can hand the app a fake one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, cast

from textual.dom import DOMNode
from textual.screen import Screen

from config import Settings
from config.refusal import Refusal
from ledger.clock import Clock
from ledger.models import MemberCard, Staff
from ledger.service import Ledger
from pos.i18n import Translator


class HeadOffice(Protocol):
    """Head office as the till sees it (``pos.headoffice.SyncHeadOffice`` is the real one).

    Calls other than ``joined`` may block on the network: the app makes them
    in worker threads."""

    def joined(self) -> bool:
        """Whether this till has joined a head office (else nothing is synced)."""
        ...

    def state(self) -> dict[str, Any]:
        """At least ``pending_entries`` and ``last_sync_at``, for the status bar."""
        ...

    def sync(self) -> dict[str, Any]:
        """One push and pull: ``conflict_notices`` and ``warnings`` to show.
        Raises ``sync.errors.SyncError`` (``HeadOfficeUnreachable`` when offline)."""
        ...

    def find_member(self, phone: str) -> bool:
        """A phone this till has not seen, asked at head office: True once the
        member is known here, False if not a member or head office cannot answer."""
        ...


class TypingAhead(Protocol):
    """Keys typed after an Enter in a field wait until the screen has done what
    the Enter asked (``pos.typeahead``); the counter screens say when."""

    def submitted(self, screen: Screen[Any]) -> None:
        """``screen`` has handled an Enter in one of its fields."""
        ...

    def discard(self, screen: Screen[Any]) -> None:
        """The Enter on ``screen`` did not lead where the keys after it were
        going (an unknown phone, a refusal): drop them."""
        ...

    def work_started(self, screen: Screen[Any]) -> Callable[[], None] | None:
        """``screen`` started a ledger call: call the answer when it is over."""
        ...

    def shown(self, screen: Screen[Any]) -> None:
        """``screen`` came up, its first focus asked for."""
        ...


class Counter(Protocol):
    """The app as a screen sees it: the ledger, the words, who is serving,
    and the few things only the app does (switching screens, printing, sync)."""

    settings: Settings
    ledger: Ledger
    tr: Translator
    clock: Clock
    staff: Staff | None
    head_office: HeadOffice
    language: str

    @property
    def typing(self) -> TypingAhead: ...

    @property
    def joined(self) -> bool: ...

    @property
    def offline(self) -> bool: ...

    def logged_in(self, staff: Staff) -> None: ...

    def show_login(self) -> None:
        """Nobody is serving: back to the login screen."""
        ...

    def member_screen(self, card: MemberCard) -> Screen[str | None]: ...

    def print_pending(self) -> None: ...

    def reprint(self) -> None: ...

    def print_day_close(
        self,
        day: date | None,
        done: Callable[[dict[str, Any]], None],
        failed: Callable[[Refusal], None],
    ) -> None:
        """Print the day close (Z report) of ``day`` off the UI thread; ``done``
        gets what came out, ``failed`` the reason nothing did."""
        ...

    def refuse(self, error: Refusal) -> None:
        """Show a refusal the screen has no better place for (a toast)."""
        ...

    def status_text(self) -> str: ...


def counter(node: DOMNode) -> Counter:
    """The app a screen or widget runs in, as a ``Counter``."""
    return cast(Counter, node.app)
