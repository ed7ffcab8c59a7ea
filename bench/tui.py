"""Counter app benchmark: ``python -m bench.tui``.

Prints one JSON object on stdout (progress on stderr); never a test.

- ``card_p50_ms`` / ``card_p95_ms``: Enter on a phone to the member card
  painted, in the real app (headless, 80x24) on the big ledger;
- ``earn_p95_ms``: Enter on an amount to the confirmation painted back on the
  lookup screen (one durable commit included);
- ``startup_s``: process start to a usable lookup screen, in a real pseudo
  terminal (``pos run``), the staff id and PIN typed as soon as the login
  screen shows; ``startup_login_s`` is to the login screen;
- ``peak_rss_mb``: the ``pos run`` process's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import pty
import random
import resource
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

from bench.build import ensure_ledger
from bench.common import DATA, bench_settings, e164_of, national, pct
from ledger.errors import StaffExists
from ledger.service import Ledger

TARGETS = {"card_p95_ms": 30.0, "earn_p95_ms": "30 + one durable commit", "startup_s": 1.0,
           "peak_rss_mb": 200.0}  # fmt: skip
STAFF, PIN = "bench", "7391"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare(path: Path) -> None:
    with Ledger.open(path, bench_settings()) as led, contextlib.suppress(StaffExists):
        led.add_staff(STAFF, "supervisor", PIN, "Bench")


async def _screen_times(path: Path, phones: list[str], earns: int) -> dict[str, list[int]]:
    """Enter -> painted, measured inside the app: the key's action runs, then
    we wait for the first frame written with the new screen on it. (The
    Pilot's own waits for idle would add tens of ms that a cashier never sees.)"""
    from textual.widgets import Input

    from pos.app import make_app
    from pos.screens.lookup import LookupScreen
    from pos.screens.member import MemberScreen

    led = Ledger.open(path, bench_settings())
    app = make_app(bench_settings(), led)
    cards: list[int] = []
    earn_ns: list[int] = []
    clock = time.perf_counter_ns
    painted: list[tuple[int, object]] = []
    display = app._display

    def recording_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            painted.append((clock(), screen))

    app._display = recording_display  # type: ignore[method-assign]

    async def until_painted(kind: type, since: int) -> int:
        while True:
            await asyncio.sleep(0)
            if isinstance(app.screen, kind):
                for at, screen in reversed(painted):
                    if at < since:
                        break
                    if isinstance(screen, kind):
                        return at - since

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.logged_in(led.authenticate(STAFF, PIN))
        await pilot.pause()
        for n, phone in enumerate(phones):
            field = app.screen.query_one("#phone", Input)
            field.value = phone
            t0 = clock()
            await field.action_submit()
            cards.append(await until_painted(MemberScreen, t0))
            await pilot.pause()
            if n < earns:
                amount = app.screen.query_one("#amount", Input)
                amount.value = str(random.randint(50, 5000))
                t0 = clock()
                await amount.action_submit()
                earn_ns.append(await until_painted(LookupScreen, t0))
            else:
                await pilot.press("escape")
                while not isinstance(app.screen, LookupScreen):
                    await pilot.pause(0)
            await pilot.pause()
    led.close()
    return {"cards": cards, "earns": earn_ns}


def _read_until(fd: int, needle: bytes, deadline: float, seen: bytearray) -> bool:
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                return False
            if needle in seen:
                return True
    return False


def _startup(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """``pos run`` in a real pty: time to the login screen and to lookup."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    pos = Path(sys.executable).parent / "pos"
    t0 = time.monotonic()
    child = subprocess.Popen(
        [str(pos), "run", "--db", str(path)],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    seen = bytearray()
    try:
        login = _read_until(master, b"Staff login", t0 + 20, seen)
        t_login = time.monotonic() - t0
        os.write(master, STAFF.encode() + b"\r")
        time.sleep(0.05)
        os.write(master, PIN.encode() + b"\r")
        lookup = _read_until(master, b"Member lookup", t0 + 20, seen)
        t_lookup = time.monotonic() - t0
        os.write(master, b"\x11")  # ctrl+q: the app asks first ...
        _read_until(master, b"Loyalty POS?", time.monotonic() + 10, seen)
        os.write(master, b"y")  # ... and quits on Y
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "startup_login_s": round(t_login, 3) if login else None,
        "startup_s": round(t_lookup, 3) if lookup else None,
        "peak_rss_mb": round(rss, 1),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.tui", description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--entries", type=int, default=10_000_000)
    p.add_argument("--cards", type=int, default=300)
    p.add_argument("--earns", type=int, default=100)
    p.add_argument("--rebuild", action="store_true")
    args = p.parse_args(argv)

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"ledger-{args.members}-{args.entries}.db"
    ensure_ledger(path, args.members, args.entries, args.rebuild)
    _prepare(path)
    rng = random.Random(7)
    phones = [national(e164_of(rng.randrange(args.members))) for _ in range(args.cards)]

    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(TERM="xterm-256color", POS_LOCALE__LANGUAGE="en", COLUMNS="80", LINES="24")
    log("startup in a pseudo terminal ...")
    startup = [_startup(path, env) for _ in range(3)]
    best = min(startup, key=lambda s: s["startup_s"] or 1e9)
    log(f"cards and earns in the app ({args.cards} cards, {args.earns} earns) ...")
    os.environ["POS_LOCALE__LANGUAGE"] = "en"
    times = asyncio.run(_screen_times(path, phones, args.earns))
    warm = times["cards"][20:] or times["cards"]
    print(json.dumps({
        "card_p50_ms": round(pct(warm, 50), 2),
        "card_p95_ms": round(pct(warm, 95), 2),
        "earn_p50_ms": round(pct(times["earns"], 50), 2) if times["earns"] else None,
        "earn_p95_ms": round(pct(times["earns"], 95), 2) if times["earns"] else None,
        "startup_s": best["startup_s"],
        "startup_login_s": best["startup_login_s"],
        "startup_runs_s": [s["startup_s"] for s in startup],
        "peak_rss_mb": max(s["peak_rss_mb"] for s in startup),
        "members": args.members,
        "entries": args.entries,
        "targets": TARGETS,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
