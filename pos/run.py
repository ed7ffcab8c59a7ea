"""Starting the counter app from the command line."""

from __future__ import annotations

import sys

from config import Settings
from ledger.errors import LedgerError
from ledger.service import Ledger


class NoTerminal(LedgerError):
    code = "no_terminal"


def run_app(settings: Settings, ledger: Ledger) -> None:
    # Textual without a terminal does not fail, it hangs: refuse up front.
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminal("'pos run' needs a terminal: start it from a console, not a pipe.")
    from pos.app import make_app

    make_app(settings, ledger).run()
