"""New secrets staged while ``pos ledger restore --as-new-terminal`` swaps the ledger.

The restore gives the ledger a new terminal id (one SQLite transaction) and
the secrets file that terminal's token (one file rename): two steps that
cannot be one. A till killed between them would hold the new terminal's
journal with the old terminal's token, and its setup code is already used.
So the new secrets are written to ``<secrets>.pending`` first; whoever next
holds the sync lock (a sync, a restore) finishes the job: the ledger is the
staged terminal, so the swap happened and the staged secrets go in place; or
it is not, so the swap never happened and the staged file is dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.secrets import write_secrets

if TYPE_CHECKING:
    from ledger.service import Ledger


def pending_path(ledger: Ledger) -> Path:
    return ledger.secrets_path.with_name(ledger.secrets_path.name + ".pending")


def stage_secrets(ledger: Ledger, terminal_id: str, body: dict[str, Any]) -> None:
    """Keep the new terminal's secrets beside the live ones until the swap is done."""
    write_secrets(pending_path(ledger), {"for_terminal": terminal_id, "secrets": body})


def finish_pending_secrets(ledger: Ledger) -> bool:
    """Called under the sync lock. True when the staged secrets were put in place."""
    pending = pending_path(ledger)
    if not pending.is_file():
        return False
    try:
        staged = json.loads(pending.read_text())
        terminal, body = str(staged["for_terminal"]), dict(staged["secrets"])
    except (OSError, ValueError, KeyError, TypeError):
        pending.unlink(missing_ok=True)  # half-written: the swap never followed it
        return False
    done = ledger.terminal()[1] == terminal
    if done:
        write_secrets(ledger.secrets_path, body)
        ledger.core.forget_cached()  # the ledger caches the coupon key: read the new file
    pending.unlink(missing_ok=True)
    return done
