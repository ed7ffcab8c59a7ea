"""Applying what head office sends: other terminals' entries, members,
merges, coupon states and settings, in one transaction per pull.

Idempotent: an entry id already present is skipped, members and coupons are
upserts, merges are recorded once. A rebuild (ledger.rebuild) replays head
office's copy through the same functions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from config import ConfigError, check_chain
from ledger import consent, journal, lots, merge_lots, meta, page_tokens
from ledger.clock import iso, parse_iso, utc_now
from ledger.core import Core
from ledger.db import transaction
from ledger.forget import erase_rows
from ledger.meta import (
    K_CURSOR,
    K_PENDING_COUPONS,
    K_SETTINGS,
    K_SETTINGS_REFUSED,
    K_SETTINGS_VERSION,
    K_UNRESOLVED_PHONES,
)
from ledger.models import ENTRY_COLUMNS, Entry

_DEFAULT_COUPON_DAYS = 30
MERGE_REASON = "merged: same phone enrolled twice"


def apply_changes(
    core: Core, changes: Iterable[Mapping[str, Any]], next_cursor: str | None = None
) -> dict[str, int]:
    """Apply pulled changes (plain dicts shaped like ``sync.protocol`` changes)
    in ONE transaction, together with ``next_cursor`` when given.

    Idempotent: an entry id already present is skipped, members and coupons
    are upserts, merges are recorded once. Returns counts per kind.
    """
    counts = dict.fromkeys(
        ("entries", "members", "merges", "coupons", "settings", "skipped", "conflicts",
         "transfers", "erased", "pages"),
        0,
    )  # fmt: skip
    _, own = core.terminal()
    with transaction(core.conn) as conn:
        coupons: list[Mapping[str, Any]] = []
        for change in changes:
            kind = change.get("kind")
            if kind == "entry":
                result = apply_entry(conn, change["entry"], own, core.expiry)
                counts[result] += 1
            elif kind == "member":
                if apply_member(conn, change["member"], change.get("merged_into")):
                    counts["erased"] += 1
                counts["members"] += 1
            elif kind == "merge":
                apply_merge(conn, change)
                counts["merges"] += 1
            elif kind == "coupon":
                coupons.append(change["coupon"])  # after the entries they refer to
            elif kind == "settings":
                counts["settings"] += _apply_settings(conn, change)
            elif kind == "member_page":  # the member's page at head office: the slip's QR
                page_tokens.apply(conn, change)
                counts["pages"] += 1
            else:
                counts["skipped"] += 1  # a newer head office: a kind we do not know
        placed, conflicts = _apply_coupons(core, conn, coupons)
        counts["coupons"] += placed
        counts["conflicts"] += conflicts
        counts["transfers"] += _sweep_merged(core, conn, own)
        if next_cursor is not None:
            meta.put(conn, K_CURSOR, next_cursor)
    return counts


def _apply_coupons(
    core: Core, conn: sqlite3.Connection, incoming: list[Mapping[str, Any]]
) -> tuple[int, int]:
    pending: dict[str, dict[str, Any]] = json.loads(meta.get(conn, K_PENDING_COUPONS) or "{}")
    if not incoming and not pending:
        return 0, 0
    queue = list(pending.values()) + [dict(c) for c in incoming]
    pending = {}
    placed = conflicts = 0
    validity = {r.id: r.validity_days for r in core.settings.rewards}
    for state in queue:
        outcome = apply_coupon(conn, state, validity)
        if outcome == "pending":
            pending[state["code"]] = state  # the latest state of a code wins
        elif outcome == "conflict":
            conflicts += 1
        else:
            placed += 1
    if pending:
        meta.put(conn, K_PENDING_COUPONS, json.dumps(pending, sort_keys=True))
    else:
        conn.execute("DELETE FROM meta WHERE key = ?", (K_PENDING_COUPONS,))
    return placed, conflicts


def _sweep_merged(core: Core, conn: sqlite3.Connection, own: str) -> int:
    """Move the points of wallets merged away, for members enrolled here, into
    their canonical wallet: a 'transfer' pair through the normal append path,
    so head office and every other terminal see them."""
    rows = conn.execute(
        "SELECT wm.merged_wallet_id, wm.merged_member_id, wm.wallet_id, wm.member_id, "
        "w.balance FROM wallet_merges wm "
        "JOIN members m ON m.member_id = wm.merged_member_id "
        "JOIN wallets w ON w.wallet_id = wm.merged_wallet_id "
        "WHERE m.terminal_id = ? AND w.balance > 0 AND wm.wallet_id != wm.merged_wallet_id "
        "ORDER BY wm.merged_wallet_id",
        (own,),
    ).fetchall()
    if not rows:
        return 0
    writer = core.writer(conn)
    for merged_wallet, merged_member, wallet, member, balance in rows:
        _ensure_wallet(conn, wallet, iso(writer.now))
        writer.append(
            wallet_id=merged_wallet,
            member_id=merged_member,
            kind="transfer",
            points=-balance,
            reason=MERGE_REASON,
            rules={"to_wallet": wallet, "to_member": member},
        )
        lots.debit(conn, merged_wallet, balance)
        credit = writer.append(
            wallet_id=wallet,
            member_id=member,
            kind="transfer",
            points=balance,
            reason=MERGE_REASON,
            rules={"from_wallet": merged_wallet, "from_member": merged_member},
        )
        lots.credit(conn, credit, iso(parse_iso(credit.created_at) + core.expiry))
    return len(rows)


def _ensure_wallet(conn: sqlite3.Connection, wallet_id: str, created_at: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO wallets (wallet_id, kind, balance, created_at) "
        "VALUES (?, 'member', 0, ?)",
        (wallet_id, created_at),
    )


def apply_entry(
    conn: sqlite3.Connection, wire: Mapping[str, Any], own: str, expiry: timedelta
) -> str:
    """Another terminal's entry, exactly as written there (its hash chain intact)."""
    fields = [wire[c] for c in ENTRY_COLUMNS]
    entry = Entry.from_row(tuple(fields))
    if entry.terminal_id == own:
        return "skipped"  # our own journal is written here, never from the feed
    if conn.execute("SELECT 1 FROM entries WHERE entry_id = ?", (entry.entry_id,)).fetchone():
        return "skipped"
    if conn.execute(
        "SELECT 1 FROM entries WHERE terminal_id = ? AND seq = ?", (entry.terminal_id, entry.seq)
    ).fetchone():
        return "conflicts"  # a different entry under the same seq: head office flags it
    _ensure_wallet(conn, entry.wallet_id, entry.created_at)
    try:
        after = journal.store(conn, entry)
    except sqlite3.IntegrityError:
        # e.g. the same entry reversed at two offline terminals: the local
        # one-reversal-per-entry index refuses the second. Head office has both.
        return "conflicts"
    if entry.points > 0:
        local = replace(entry, balance_after=after)  # lots follow this ledger's balance
        fresh = iso(parse_iso(entry.created_at) + expiry)
        if merge_lots.is_merge_credit(entry):
            merge_lots.place_credit(conn, local, fresh)  # the lots keep their expiry
        else:
            lots.credit(conn, local, fresh)
    elif entry.points < 0:
        left = -entry.points
        if entry.kind == "expire":
            left = _expire_named_lots(conn, entry, left)
        if left:
            lots.debit(conn, entry.wallet_id, left, entry.reverses)
    return "entries"


def _expire_named_lots(conn: sqlite3.Connection, entry: Entry, points: int) -> int:
    """An expiry names the lots it expired: expire those here too (so a later
    reversal here knows they are gone); return what is left to take."""
    named = entry.rules_applied.get("lots")
    if not isinstance(named, dict):
        return points
    for entry_id in sorted(named):
        if points == 0:
            break
        row = conn.execute(
            "SELECT remaining FROM lots WHERE entry_id = ? AND wallet_id = ?",
            (entry_id, entry.wallet_id),
        ).fetchone()
        if row is None or row[0] <= 0:
            continue
        take = min(points, int(row[0]))
        conn.execute(
            "UPDATE lots SET remaining = remaining - ?, expired = expired + ? WHERE entry_id = ?",
            (take, take, entry_id),
        )
        points -= take
    return points


def _member_row(conn: sqlite3.Connection, member_id: str) -> tuple[Any, ...] | None:
    row = conn.execute(
        "SELECT member_id, phone, name, wallet_id, consent_at, enrolled_at, terminal_id "
        "FROM members WHERE member_id = ?",
        (member_id,),
    ).fetchone()
    return None if row is None else tuple(row)


def phone_holder(conn: sqlite3.Connection, phone: str) -> str | None:
    row = conn.execute("SELECT member_id FROM members WHERE phone = ?", (phone,)).fetchone()
    return None if row is None else str(row[0])


def _add_unresolved(conn: sqlite3.Connection, phone: str) -> None:
    phones = set(json.loads(meta.get(conn, K_UNRESOLVED_PHONES) or "[]"))
    if phone not in phones:
        meta.put(conn, K_UNRESOLVED_PHONES, json.dumps(sorted(phones | {phone})))


def _merged_into(conn: sqlite3.Connection, member_id: str) -> str | None:
    row = conn.execute(
        "SELECT member_id FROM wallet_merges WHERE merged_member_id = ?", (member_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def apply_member(
    conn: sqlite3.Connection, wire: Mapping[str, Any], merged_into: str | None
) -> bool:
    """Upsert a member from head office; True if it erased one held here (its
    slips and the WAL are then scrubbed: ledger.forget)."""
    member_id, phone = wire["member_id"], wire.get("phone")
    erased = False
    _ensure_wallet(conn, wire["wallet_id"], wire["enrolled_at"])
    row = _member_row(conn, member_id)
    if row is None:
        if phone is not None:
            holder = phone_holder(conn, phone)
            if holder is not None:
                if merged_into is None and _merged_into(conn, holder) == member_id:
                    conn.execute("UPDATE members SET phone = NULL WHERE member_id = ?", (holder,))
                else:
                    if merged_into is None:
                        _add_unresolved(conn, phone)  # ask head office who is canonical
                    phone = None  # the same phone enrolled twice: the merge will sort it out
        conn.execute(
            "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, enrolled_at, "
            "terminal_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (member_id, phone, wire.get("name"), wire["wallet_id"], wire.get("consent_at"),
             wire["enrolled_at"], wire.get("terminal_id")),
        )  # fmt: skip
        consent.record_pulled(conn, member_id, None, wire.get("consent_at"),
                              wire.get("terminal_id"), iso(utc_now()))  # fmt: skip
    else:
        local_phone = row[1]
        if phone is None and wire.get("name") is None and merged_into is None:
            erased = row[1] is not None or row[2] is not None
            if erased:  # forgotten at head office: the phone and name go here too
                erase_rows(conn, [member_id], [local_phone] if local_phone else [])
        if phone is None:
            new_phone = None  # forgotten at head office: erase it here too
        elif phone == local_phone:
            new_phone = local_phone
        else:  # a new phone: taken only if no one here has it (else wait for a merge)
            new_phone = phone if phone_holder(conn, phone) is None else local_phone
        conn.execute(
            "UPDATE members SET phone = ?, name = ?, consent_at = ? WHERE member_id = ?",
            (new_phone, wire.get("name"), wire.get("consent_at"), member_id),
        )
        consent.record_pulled(conn, member_id, row[4], wire.get("consent_at"),
                              wire.get("terminal_id"), iso(utc_now()))  # fmt: skip
    if merged_into is not None and merged_into != member_id:
        canonical = _member_row(conn, merged_into)
        if canonical is not None:
            apply_merge(
                conn,
                {
                    "merged_member_id": member_id,
                    "merged_wallet_id": wire["wallet_id"],
                    "member_id": merged_into,
                    "wallet_id": canonical[3],
                },
            )
    return erased


def apply_merge(conn: sqlite3.Connection, change: Mapping[str, Any]) -> None:
    """``merged_member_id`` now counts as ``member_id``: record it, give the phone
    to the canonical member (the points move in :func:`_sweep_merged`), and its
    coupons. Also a merge made here (ledger.merge: two members, two phones; the
    merged phone stays and finds the canonical member, ledger.members)."""
    merged, merged_wallet = change["merged_member_id"], change["merged_wallet_id"]
    canonical, wallet = change["member_id"], change["wallet_id"]
    if merged == canonical:
        return
    now = iso(utc_now())
    _ensure_wallet(conn, merged_wallet, now)
    _ensure_wallet(conn, wallet, now)
    conn.execute(
        "INSERT INTO wallet_merges (merged_wallet_id, merged_member_id, wallet_id, member_id) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (merged_wallet_id) DO UPDATE SET "
        "merged_member_id = excluded.merged_member_id, wallet_id = excluded.wallet_id, "
        "member_id = excluded.member_id",
        (merged_wallet, merged, wallet, canonical),
    )
    conn.execute("UPDATE coupons SET member_id = ? WHERE member_id = ?", (canonical, merged))
    # Members merged into the merged one before now count as the new canonical.
    conn.execute(
        "UPDATE wallet_merges SET wallet_id = ?, member_id = ? WHERE member_id = ?",
        (wallet, canonical, merged),
    )
    old, new = _member_row(conn, merged), _member_row(conn, canonical)
    if old is None or old[1] is None or new is None:
        return  # nothing to move (or the canonical member is not here yet: keep the phone)
    if new[1] is None:
        conn.execute("UPDATE members SET phone = NULL WHERE member_id = ?", (merged,))
        conn.execute("UPDATE members SET phone = ? WHERE member_id = ?", (old[1], canonical))
    elif new[1] == old[1]:  # cannot happen (phones are unique here), kept for clarity
        conn.execute("UPDATE members SET phone = NULL WHERE member_id = ?", (merged,))


def apply_coupon(
    conn: sqlite3.Connection, state: Mapping[str, Any], validity: Mapping[str, int]
) -> str:
    """Upsert a coupon from head office's state: 'placed', 'pending' (its entry
    is not here yet) or 'conflict'. The status never goes back to issued, and a
    use head office recorded first wins over a void."""
    code, status = state["code"], state["status"]
    row = conn.execute("SELECT status FROM coupons WHERE code = ?", (code,)).fetchone()
    if row is None:
        entry_id = state.get("entry_id")
        entry = None
        if entry_id:
            entry = conn.execute(
                "SELECT kind, member_id, created_at, rules FROM entries WHERE entry_id = ?",
                (entry_id,),
            ).fetchone()
        if entry is None:
            return "pending"
        kind, member_id, created_at, rules = entry
        if (
            kind != "redeem"
            or conn.execute("SELECT 1 FROM coupons WHERE entry_id = ?", (entry_id,)).fetchone()
        ):
            return "conflict"
        reward_id = state.get("reward_id") or json.loads(rules or "{}").get("reward_id") or ""
        issued_at = state.get("issued_at") or created_at
        days = validity.get(reward_id, _DEFAULT_COUPON_DAYS)
        expires_at = iso(parse_iso(issued_at) + timedelta(days=days))
        conn.execute(
            "INSERT INTO coupons (code, entry_id, reward_id, member_id, payload, issued_at, "
            "expires_at, status, used_at, used_terminal) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
            (code, entry_id, reward_id, state.get("member_id") or member_id or "", issued_at,
             expires_at, status, state.get("used_at"), state.get("used_terminal_id")),
        )  # fmt: skip
        return "placed"
    if status == "used":
        conn.execute(
            "UPDATE coupons SET status = 'used', used_at = coalesce(?, used_at), "
            "used_terminal = coalesce(?, used_terminal) WHERE code = ?",
            (state.get("used_at"), state.get("used_terminal_id"), code),
        )
    elif status == "void" and row[0] == "issued":
        conn.execute("UPDATE coupons SET status = 'void' WHERE code = ?", (code,))
    return "placed"


def _apply_settings(conn: sqlite3.Connection, change: Mapping[str, Any]) -> int:
    """Take a new version of head office's rules, if this terminal can load it;
    otherwise keep the last good one and remember why (shown by ``pos sync``)."""
    version = int(change["version"])
    current = meta.get(conn, K_SETTINGS_VERSION)
    if current is not None and int(current) >= version:
        return 0
    settings = change.get("settings") or {}
    problem = settings_problem(settings)
    if problem is not None:
        refuse_settings(conn, version, problem)
        return 0
    body = json.dumps(settings, sort_keys=True, ensure_ascii=False)
    meta.put(conn, K_SETTINGS, body)
    meta.put(conn, K_SETTINGS_VERSION, str(version))
    conn.execute("DELETE FROM meta WHERE key = ?", (K_SETTINGS_REFUSED,))
    return 1


def settings_problem(settings: Any) -> str | None:
    """Why these rules from head office cannot be loaded here (None: they can)."""
    try:
        check_chain(settings)
    except ConfigError as exc:
        return ": ".join(part for part in (exc.key, exc.message) if part)
    return None


def refuse_settings(conn: sqlite3.Connection, version: int, problem: str) -> None:
    kept = meta.get(conn, K_SETTINGS_VERSION)
    refused = {
        "version": version,
        "problem": problem[:300],
        "kept_version": int(kept) if kept else None,
    }
    meta.put(conn, K_SETTINGS_REFUSED, json.dumps(refused, ensure_ascii=False))
