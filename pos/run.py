"""Starting the counter app from the command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from textual.app import App

from config import Settings
from config.refusal import Refusal
from ledger.service import Ledger
from pos.app import make_app
from pos.spool_files import tidy

log = logging.getLogger("pos.app")


class NoTerminal(Refusal):
    code = "no_terminal"


def run_app(settings: Settings, ledger: Ledger) -> None:
    # Textual without a terminal does not fail, it hangs: refuse up front.
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminal("'pos run' needs a terminal: start it from a console, not a pipe.")
    # A long-running till: WAL checkpoints in a thread of their own, never in a sale.
    ledger.checkpoint_in_background()
    tidy(settings, ledger)  # preview slips past printer.keep_days, erased members'
    app = make_app(settings, ledger)
    with ends_on_hang_up(app) as hung_up:
        app.run()
    if hung_up.is_set():
        # Nobody is there to read what the command still writes (and a write
        # to a hung-up terminal fails): it goes nowhere, the log keeps it.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)


@contextlib.contextmanager
def ends_on_hang_up(app: App[Any]) -> Iterator[threading.Event]:
    """While the app runs, a hang-up ends it cleanly (the caller then closes
    the ledger): SIGHUP, or its terminal closed without one (a pty whose other
    end went away, which left Textual's input thread spinning on end-of-file).

    A thread waits on the terminal (no polling: it sleeps until the terminal
    hangs up or the app is over) and raises SIGHUP in this process; the
    handler asks the app's loop to exit. Yields the event set on a hang-up."""
    hung_up = threading.Event()
    wake_read, wake_write = os.pipe()

    def on_hang_up(signum: int, frame: FrameType | None) -> None:
        hung_up.set()
        try:
            loop = asyncio.get_running_loop()  # the app's: handlers run on its thread
        except RuntimeError:
            return  # not running (any more)
        loop.call_soon_threadsafe(app.exit)

    def watch() -> None:
        poller = select.poll()
        poller.register(sys.stdin.fileno(), 0)  # only a hang-up or an error wakes it
        poller.register(wake_read, select.POLLIN)
        while True:
            ready = poller.poll()
            if any(fd == wake_read for fd, _ in ready):
                return  # the app is over
            if ready:
                log.warning("the terminal went away: closing the counter app")
                # To the main thread: it may be asleep in the app's loop.
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGHUP)
                return

    previous = signal.signal(signal.SIGHUP, on_hang_up)
    watcher = threading.Thread(target=watch, name="hang-up", daemon=True)
    watcher.start()
    try:
        yield hung_up
    finally:
        os.write(wake_write, b"x")
        watcher.join(timeout=2)
        signal.signal(signal.SIGHUP, previous)
        os.close(wake_read)
        os.close(wake_write)
        if hung_up.is_set():
            log.warning("hung up: the counter app closed")
