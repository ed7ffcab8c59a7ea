"""What ``pos join``, ``pos sync`` (and the app's background sync) call.

``pos join HQ_URL SETUP_CODE`` provisions the terminal from head office;
``pos sync`` runs one sync with what ``join`` stored. Both return plain dicts
for ``--json`` and raise :class:`~sync.errors.SyncError` (a ``Refusal``)
with a message a cashier can act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ledger.pending_secrets import finish_pending_secrets, pending_path
from ledger.replica import Replica
from sync.client import Client, SyncRefused, WrongTerminal, normalize_url
from sync.engine import exclusive, lookup_remote, sync_once
from sync.errors import NotJoined as NotJoined
from sync.protocol import PROTOCOL_VERSION

if TYPE_CHECKING:
    from ledger.service import Ledger

JOIN_FIRST = "This terminal has not joined head office yet: run pos join HQ_URL SETUP_CODE first."


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
    replica = Replica(ledger)
    # Coupons signed here before joining stay genuine chain-wide: head office
    # gets the keys that signed them and shares them with every terminal.
    signed_with = replica.signing_keys() if current is not None else []
    with Client(url, transport=transport) as client:
        reply = client.join(code, current, signed_with)
    ids = (reply.store_id, reply.terminal_id)
    if current is not None and current != ids:
        raise WrongTerminal(
            f"This ledger is store {current[0]}, terminal {current[1]}, but the setup code "
            f"was made for store {ids[0]}, terminal {ids[1]}: ask head office for a new code "
            f"for terminal {current[1]} (this one is used up), or use another --db."
        )
    if current is None:
        ledger.init(*ids)
    keys = replica.set_hq(url, reply.token, reply.coupon_key, store_name=reply.store_name)
    replica.add_coupon_keys(reply.previous_coupon_keys)
    replica.record_clock(client.clock_skew_s)
    replica.apply(
        [{"kind": "settings", "version": reply.settings_version, "settings": reply.settings}]
    )
    state = replica.state()
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
        "warnings": warnings(state),
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
    replica = Replica(ledger)
    if pending_path(ledger).is_file():
        # A restore killed between its swap and its secrets write: finished here.
        with exclusive(ledger):
            finish_pending_secrets(ledger)
    with client_for(ledger, transport=transport) as client:
        # Keys this till signed with before it joined reach head office (again:
        # harmless), also from tills that joined before keys were shared.
        client.signing_keys = replica.signing_keys()
        try:
            result = sync_once(ledger, client, **options)
        finally:
            # What the answers said, even from a sync that failed half way.
            replica.record_clock(client.clock_skew_s)
            if client.coupon_keys is not None:
                replica.add_coupon_keys(client.coupon_keys)
    state = replica.state()
    result["clock_skew_s"] = state["clock_skew_s"]
    result["settings_version"] = state["settings_version"]
    result["warnings"] = warnings(state)
    return result


def warnings(state: dict[str, Any]) -> list[str]:
    """What the cashier must hear after a sync: a wrong clock, rules not loadable."""
    found: list[str] = []
    if state.get("clock_skew_warning"):
        found.append(str(state["clock_skew_warning"]))
    refused = state.get("settings_refused")
    if refused:
        kept = state.get("settings_version")
        keeping = (
            f"it keeps using version {kept}" if kept is not None else "it keeps its own settings"
        )
        found.append(
            f"Head office's rules version {refused['version']} cannot be loaded on this "
            f"terminal ({refused['problem']}); {keeping}. Ask head office to correct the "
            "rules: the corrected version is taken at the next sync."
        )
    return found


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
