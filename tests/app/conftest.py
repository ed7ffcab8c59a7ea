"""Fixtures and helpers for the counter app tests: a real temp ledger, a fixed
clock, UTC, and small Pilot helpers. Inputs get their value set directly, never
typed key by key (each pilot.press costs ~60 ms, more while PIN hashing keeps
the CPU busy); waits poll with pause(0) instead of waiting for an idle CPU."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.screens.login import LoginScreen
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.widgets.text import Message
from tests.conftest import FakeClock

SIZE = (80, 24)
PHONE = "0812345678"
E164 = "+66812345678"
RICH_PHONE = "0898765432"  # a member with history, for the card and supervisor screens


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen are local time: pin the zone so screens are stable."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def app(settings: Settings, ledger: Ledger, clock: FakeClock) -> PosApp:
    return make_app(settings, ledger, clock=clock)


@pytest.fixture
def empty_ledger(db_path: Path, settings: Settings, clock: FakeClock) -> Iterator[Ledger]:
    """A new database file, not initialised: the app starts the setup wizard."""
    book = Ledger.open(db_path, settings, clock=clock)
    yield book
    book.close()


@pytest.fixture
def rich_member(ledger: Ledger, clock: FakeClock) -> str:
    """A member with a name, three fixed-ref sales a day apart (100, 200 and
    60 points: 360), 1,000 THB short of Silver."""
    ledger.enroll(RICH_PHONE, name="Somchai Jaidee", consent=True)
    start = clock.now
    clock.advance(days=-3)
    for n, amount in enumerate(("2500", "5000", "1500"), start=1):
        ledger.earn(RICH_PHONE, amount, f"BILL-{n:03d}", "cash1")
        clock.advance(days=1)
    clock.now = start
    return RICH_PHONE


# -- pilot helpers ------------------------------------------------------------


async def until(
    pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 5.0, what: str = ""
) -> None:
    """Wait (pausing the pilot) until ``predicate()`` is true, then settle:
    ledger calls run in worker threads, so their effect lands a little later."""
    deadline = time.monotonic() + timeout
    while True:
        # pause(0) lets the screen process its messages; pause() would wait
        # for the CPU to go idle, which the PIN hashing threads delay.
        await pilot.pause(0)
        try:
            done = bool(predicate())
        except Exception:  # the screen may still be switching
            done = False
        if done:
            await settle(pilot)  # and let what came with it land (focus, mount)
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.01)


async def settle(pilot: Pilot[Any], rounds: int = 50) -> None:
    """Let the app and the active screen process every queued message,
    including the ones posted while doing so (a Submitted bubbling up)."""
    app = pilot.app
    quiet = 0
    for _ in range(rounds):
        await pilot.pause(0)
        nodes = [app, *app.screen.walk_children(with_self=True)]
        if any(node._message_queue.qsize() for node in nodes):
            quiet = 0
        else:
            quiet += 1
            if quiet >= 2:
                return


async def submit(pilot: Pilot[Any], selector: str, value: str) -> None:
    """Focus an Input, set its value and submit it, as Enter in it does.

    ``Input.action_submit`` is what the Enter binding runs; calling it skips
    the ~100 ms a simulated key press costs. Keys that screens handle
    themselves (Enter on the enroll offer, a dialog, an option list) are
    still pressed for real in the tests."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = value
    field.cursor_position = len(value)
    await settle(pilot)
    await field.action_submit()
    await settle(pilot)


def screen_text(app: PosApp) -> str:
    """Everything the active screen shows, as plain text lines."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def text_of(widget: Widget) -> str:
    """The plain text a Static (Tr, Message, ...) currently shows."""
    visual = widget.render()
    plain = getattr(visual, "plain", None)
    return str(visual) if plain is None else str(plain)


# -- flows shared by the screen tests ---------------------------------------------


def on(app: PosApp, kind: type) -> bool:
    return isinstance(app.screen, kind)


def message(app: PosApp, selector: str) -> str:
    return text_of(app.screen.query_one(selector, Message))


async def login(pilot: Pilot[Any], staff: str = "cash1", pin: str = "1357") -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await until(pilot, lambda: on(app, LoginScreen), what="login screen")
    await submit(pilot, "#staff", staff)
    await submit(pilot, "#pin", pin)
    await until(pilot, lambda: on(app, LookupScreen), what="lookup screen")


async def open_card(pilot: Pilot[Any], phone: str = PHONE) -> MemberScreen:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await submit(pilot, "#phone", phone)
    await until(pilot, lambda: on(app, MemberScreen), what="member card")
    return app.screen  # type: ignore[return-value]


async def has_focus(pilot: Pilot[Any], widget: Callable[[], object]) -> None:
    """Focus moves a moment after the screen changes (``focus()`` is deferred)."""
    await until(pilot, lambda: pilot.app.focused is widget(), what="focus")


def members(ledger: Ledger) -> int:
    return int(ledger.conn.execute("SELECT count(*) FROM members").fetchone()[0])


def entries(ledger: Ledger) -> int:
    return int(ledger.conn.execute("SELECT count(*) FROM entries").fetchone()[0])


@pytest.fixture
def member(ledger: Ledger) -> str:
    """A member with 1000 points (a 25,000 THB sale)."""
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "25000", "SEED-1")
    assert ledger.member(PHONE).balance == 1000
    return PHONE
