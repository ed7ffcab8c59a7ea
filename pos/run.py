"""Starting the counter app from the command line."""

from __future__ import annotations

import sys

from config import Settings
from config.refusal import Refusal
from ledger.service import Ledger
from pos.app import make_app


class NoTerminal(Refusal):
    code = "no_terminal"


def run_app(settings: Settings, ledger: Ledger) -> None:
    # Textual without a terminal does not fail, it hangs: refuse up front.
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminal("'pos run' needs a terminal: start it from a console, not a pipe.")
    # A long-running till: WAL checkpoints in a thread of their own, never in a sale.
    ledger.checkpoint_in_background()
    make_app(settings, ledger).run()
