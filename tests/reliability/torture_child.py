"""The processes the torture test runs side by side on one till's ledger.

Usage: ``python torture_child.py ROLE DB [ARGS]``, one of:

- ``app DB PHONES``: the real counter app, headless, logged in as ``cash1``,
  selling to the phones in turn through its screens, with its background
  sync every second. Prints ``ACK <ref>`` once the lookup screen says the
  points were added.
- ``cli DB PREFIX START PHONES``: ``pos earn PHONE AMOUNT --ref PREFIX<n>``
  through the CLI's own ``main`` (open, earn, close each time, as a script's
  loop of ``pos earn`` does), n from START up. ``ACK <ref>`` after exit 0.
- ``sync DB``: ``pos sync`` through the CLI's ``main`` in a loop.

Every ``ACK`` line is one ``write`` to stdout after the ledger committed, so
the parent counts only sales the till acknowledged; killed mid-sale, a sale
may or may not be there, but never twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import time
from typing import Any


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def amount_for(n: int) -> str:
    return f"{25 + (n * 37) % 400}.{n % 100:02d}"


def quietly(argv: list[str]) -> int:
    from pos.cli import run

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return run(argv)


def cli(db: str, prefix: str, start: int, phones: list[str]) -> None:
    for n in range(start, start + 1_000_000):
        ref = f"{prefix}{n}"
        status = quietly(["earn", phones[n % len(phones)], amount_for(n), "--ref", ref, "--db", db])
        if status == 0:
            say(f"ACK {ref}")
        else:
            say(f"REFUSED {ref} {status}")
            time.sleep(0.05)


def sync_loop(db: str) -> None:
    while True:
        status = quietly(["sync", "--db", db])
        say(f"SYNC {status}")
        time.sleep(0.1)


async def app(db: str, phones: list[str]) -> None:
    from textual.widgets import Input

    from config import load_settings
    from ledger.service import Ledger
    from pos.app import make_app
    from pos.screens.lookup import LookupScreen
    from pos.screens.member import MemberScreen
    from pos.widgets.text import Message

    settings = load_settings(env={})
    # 30 s is the shortest interval the settings allow; the test wants many
    # background syncs in a few seconds, so it shortens it past validation.
    settings = settings.model_copy(
        update={"sync": settings.sync.model_copy(update={"interval_seconds": 1})}
    )
    book = Ledger.open(db, settings)
    pos_app = make_app(settings, book)

    async def until(pilot: Any, ready: Any, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            await pilot.pause(0)
            try:
                if ready():
                    return
            except Exception:  # a screen still switching
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not get there")
            await pilot.pause(0.005)

    async def submit(pilot: Any, selector: str, value: str) -> None:
        # A screen switched to may not have mounted its fields yet under this load.
        await until(pilot, lambda: len(pos_app.screen.query(selector)) > 0)
        field = pos_app.screen.query_one(selector, Input)
        field.focus()
        field.value = value
        await pilot.pause(0)
        await field.action_submit()

    def lookup_message() -> str:
        widget = pos_app.screen.query_one("#lookup-message")
        visual = widget.render()
        return str(getattr(visual, "plain", visual))

    async with pos_app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: pos_app.screen.query_one("#staff", Input))
        await submit(pilot, "#staff", "cash1")
        await until(pilot, lambda: pos_app.screen.query_one("#pin", Input))
        await submit(pilot, "#pin", "1357")
        await until(pilot, lambda: isinstance(pos_app.screen, LookupScreen))
        say("READY")
        for n in range(1_000_000):
            await submit(pilot, "#phone", phones[n % len(phones)])
            await until(pilot, lambda: isinstance(pos_app.screen, MemberScreen))
            await pilot.pause(0)
            card = pos_app.screen
            assert isinstance(card, MemberScreen)
            ref = card.sale_ref
            await submit(pilot, "#amount", amount_for(n))
            await until(
                pilot,
                lambda: isinstance(pos_app.screen, LookupScreen) and "+" in lookup_message(),
            )
            say(f"ACK {ref}")
            pos_app.screen.query_one("#lookup-message", Message).clear()


def main() -> None:
    role, db = sys.argv[1], sys.argv[2]
    if role == "cli":
        cli(db, sys.argv[3], int(sys.argv[4]), sys.argv[5].split(","))
    elif role == "sync":
        sync_loop(db)
    elif role == "app":
        asyncio.run(app(db, sys.argv[3].split(",")))
    else:
        raise SystemExit(f"unknown role {role}")


if __name__ == "__main__":
    main()
