"""Head office's answer to a push says whether this ledger split from its copy.

Two ways a till ends up with a journal head office cannot take:

* restored from an older copy: head office acknowledges more entries than the
  ledger has (``acked_seq`` above its top), or
* a second device with the same identity (a cloned disk), or a copy restored
  and sold on: head office holds a *different* entry under a number this
  ledger pushes (``seq_taken`` / ``body_mismatch``), or this ledger's next
  entry does not follow head office's last one (``chain_break`` right above
  ``acked_seq``).

Either way the ledger is marked (``ledger.stale``): it sells nothing more
until ``pos ledger restore`` (same till) or ``pos ledger restore
--as-new-terminal`` (a second till) sorts it out, and the sync says so
instead of quietly counting a conflict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.replica import Replica
from ledger.stale import diverged_message as message
from sync.client import SyncRefused
from sync.protocol import PushResponse

if TYPE_CHECKING:
    from ledger.service import Ledger

_FORKED = ("seq_taken", "body_mismatch")


class LedgerDiverged(SyncRefused):
    code = "ledger_diverged"


def refuse_if_diverged(ledger: Ledger) -> None:
    """Before pushing: a ledger already marked pushes nothing (it would only be
    refused again)."""
    found = Replica(ledger).divergence()
    if found is not None:
        raise LedgerDiverged(message(found))


def divergence(reply: PushResponse, top: int) -> dict[str, Any] | None:
    """What head office's answer shows (None: the ledger agrees with it)."""
    if reply.acked_seq > top:
        return {"kind": "behind", "hq_seq": reply.acked_seq, "local_seq": top}
    forks = [
        r.seq
        for r in reply.refused
        if r.reason in _FORKED or (r.reason == "chain_break" and r.seq == reply.acked_seq + 1)
    ]
    if forks:
        return {"kind": "fork", "at_seq": min(forks), "hq_seq": reply.acked_seq, "local_seq": top}
    return None


def check_reply(ledger: Ledger, reply: PushResponse, top: int) -> None:
    """Mark the ledger and raise :class:`LedgerDiverged` if head office's answer
    shows a split; else a backup copy put back has now been checked."""
    found = divergence(reply, top)
    if found is not None:
        store, terminal = ledger.terminal()
        found.update(store_id=store, terminal_id=terminal)
    Replica(ledger).record_divergence(found)
    if found is not None:
        raise LedgerDiverged(message(found))
