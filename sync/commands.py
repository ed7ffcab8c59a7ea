"""What ``pos join``, ``pos sync`` (and the app's background sync) call.

``pos join HQ_URL SETUP_CODE`` provisions the terminal from head office;
``pos sync`` runs one sync with what ``join`` stored. Both return plain dicts
for ``--json`` and raise :class:`~sync.client.SyncError` (a ``LedgerError``)
with a message a cashier can act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ledger.errors import USAGE
from ledger.replica import Replica
from sync.client import Client, SyncError, SyncRefused, WrongTerminal, normalize_url
from sync.engine import lookup_remote, sync_once
from sync.protocol import PROTOCOL_VERSION

if TYPE_CHECKING:
    from ledger.service import Ledger

JOIN_FIRST = "This terminal has not joined head office yet: run pos join HQ_URL SETUP_CODE first."


class NotJoined(SyncError):
    code = "not_joined"
    exit_status = USAGE


def join(
    ledger: Ledger,
    hq_url: str,
    setup_code: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """Trade a one-time setup code for this terminal's token, the chain's coupon
    key and the rules/catalog; set the ledger up as that store and terminal if
    it is new. A ledger that already belongs to another terminal is refused."""
    url = normalize_url(hq_url)
    code = (setup_code or "").strip()
    if not code or len(code) > 32:
        raise SyncRefused("Type the setup code head office printed for this terminal (K7QM-2XPA).")
    current = ledger.terminal() if ledger.is_initialized() else None
    with Client(url, transport=transport) as client:
        reply = client.join(code, current)
    ids = (reply.store_id, reply.terminal_id)
    if current is not None and current != ids:
        raise WrongTerminal(
            f"This ledger is store {current[0]}, terminal {current[1]}, but the setup code "
            f"was made for store {ids[0]}, terminal {ids[1]}: ask head office for a new code "
            f"for terminal {current[1]} (this one is used up), or use another --db."
        )
    if current is None:
        ledger.init(*ids)
    replica = Replica(ledger)
    keys = replica.set_hq(url, reply.token, reply.coupon_key, store_name=reply.store_name)
    replica.apply(
        [{"kind": "settings", "version": reply.settings_version, "settings": reply.settings}]
    )
    return {
        "store_id": reply.store_id,
        "store_name": reply.store_name,
        "terminal_id": reply.terminal_id,
        "hq_url": url,
        "initialized": current is None,
        "settings_version": reply.settings_version,
        "protocol_version": reply.protocol_version,
        "protocol_matches": reply.protocol_version == PROTOCOL_VERSION,
        **keys,
    }


def client_for(ledger: Ledger, *, transport: httpx.BaseTransport | None = None) -> Client:
    """A client with the URL and token ``join`` stored; NotJoined before that."""
    replica = Replica(ledger)
    url, token = replica.hq_url(), replica.token()
    if not url or not token:
        raise NotJoined(JOIN_FIRST)
    return Client(url, token, transport=transport)


def sync(
    ledger: Ledger, *, transport: httpx.BaseTransport | None = None, **options: Any
) -> dict[str, Any]:
    """One sync (push, then pull) with head office; ``options`` go to
    :func:`sync.engine.sync_once` (batch, pull_limit, retry, sleep)."""
    with client_for(ledger, transport=transport) as client:
        return sync_once(ledger, client, **options)


def status(ledger: Ledger) -> dict[str, Any]:
    """Last sync, pending entries, last error: for the status bar."""
    return Replica(ledger).state()


def lookup(
    ledger: Ledger, phone: str, *, transport: httpx.BaseTransport | None = None
) -> dict[str, Any] | None:
    """A phone not found locally, asked at head office (see ``lookup_remote``)."""
    with client_for(ledger, transport=transport) as client:
        info = lookup_remote(ledger, client, phone)
    return None if info is None else info.model_dump()
