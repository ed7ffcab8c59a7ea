"""Two members made one at a till (``pos member merge``, ledger.merge), learnt
from the push that carries the merge's transfer pair.

The pair is the merge: its entries say ``rules["merge"] = "member"``, the
debit names the member it empties (OTHER, its ``member_id`` and wallet) and
the member it goes to (``to_member``, ``to_wallet``). Riding on the entries,
the merge reaches head office in the same transaction as the points, once
(a pushed batch sent again is the same entries: the merge is already there),
and with no new field on the wire.

Head office checks what it checks for any transfer (hq/push/service.py): the
pushing terminal enrolled OTHER; here also that KEEP is a member it knows,
with that wallet (else 403, nothing stored). Then OTHER (and whoever was
merged into it before) counts as KEEP's canonical member: ``members.merged_into``
and ``member_merges`` as for a phone enrolled twice, and a ``merge`` change
for every till. Balances do not count anything twice: the debit empties
OTHER's wallet, the credit fills KEEP's, and OTHER's wallet (zero, or what
other tills add before they learn of it) counts towards KEEP.

A merge head office cannot follow (OTHER already counts as another member,
or KEEP counts as OTHER) is recorded as a ``phone_merge`` conflict; the
entries are kept (the points did move at the till).
"""

from __future__ import annotations

import json
from typing import Any

from hq.changes import service as changes
from hq.conflicts import service as conflicts
from hq.conflicts.service import NotOwned
from hq.db import Conn
from sync.protocol import ENTRY_COLUMNS

_ID, _KIND, _POINTS, _RULES, _HASH = (
    ENTRY_COLUMNS.index(c) for c in ("entry_id", "kind", "points", "rules", "hash")
)
_WALLET, _MEMBER = ENTRY_COLUMNS.index("wallet_id"), ENTRY_COLUMNS.index("member_id")


def _debits(rows: list[tuple[Any, ...]]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """The debits of member merges in the push, with their rules (rules are read
    only for transfers that could be one: rare)."""
    found = []
    for row in rows:
        if row[_KIND] != "transfer" or row[_POINTS] > 0 or not row[_RULES]:
            continue
        try:
            rules = json.loads(row[_RULES])
        except ValueError:
            continue
        if isinstance(rules, dict) and rules.get("merge") == "member" and "to_member" in rules:
            found.append((row, rules))
    return found


def record(conn: Conn, terminal_id: str, rows: list[tuple[Any, ...]]) -> int:
    """Record the member merges of a push (after its entries were stored, in its
    transaction); 403 for a merge the terminal may not make. Returns how many
    were new."""
    debits = _debits(rows)
    if not debits:
        return 0
    stored: dict[str, str] = dict(
        conn.execute(
            "SELECT entry_id, hash FROM entries WHERE entry_id = ANY(%s)",
            ([row[_ID] for row, _ in debits],),
        ).fetchall()
    )
    made = 0
    for row, rules in debits:
        if stored.get(row[_ID]) != row[_HASH]:
            continue  # refused (a broken chain, a body mismatch): no merge either
        made += _one(conn, terminal_id, row, rules)
    return made


def _members(conn: Conn, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    return {
        r[0]: r
        for r in conn.execute(
            "SELECT member_id, wallet_id, terminal_id, merged_into FROM members "
            "WHERE member_id = ANY(%s) ORDER BY member_id FOR UPDATE",
            (sorted(set(ids)),),
        ).fetchall()
    }


def _one(conn: Conn, terminal_id: str, row: tuple[Any, ...], rules: dict[str, Any]) -> int:
    other_id, other_wallet = row[_MEMBER], row[_WALLET]
    keep_id, keep_wallet = str(rules.get("to_member")), str(rules.get("to_wallet"))
    found = _members(conn, [other_id or "", keep_id])
    other, keep = found.get(other_id or ""), found.get(keep_id)
    if other is None or other[1] != other_wallet or other[2] != terminal_id:
        owner = None if other is None else other[2]
        raise NotOwned(
            f"Terminal {terminal_id} may merge only members it enrolled; entry {row[_ID]} "
            f"merges member {other_id} (wallet {other_wallet}, enrolled at terminal "
            f"{owner or 'unknown'}). Nothing from this push was stored.",
            what="member_merge",
            target=row[_ID],
            facts={"entry_id": row[_ID], "member_id": other_id, "owner": owner},
        )
    if keep is None or keep[1] != keep_wallet:
        raise NotOwned(
            f"Entry {row[_ID]} merges member {other_id} into member {keep_id} with wallet "
            f"{keep_wallet}, which head office does not hold. Nothing from this push was "
            "stored.",
            what="member_merge",
            target=row[_ID],
            facts={"entry_id": row[_ID], "member_id": keep_id, "wallet_id": keep_wallet},
        )
    canonical_id = keep[3] or keep_id  # merged_into always names the final member
    if other[3] == canonical_id:
        return 0  # already recorded (this push sent again)
    canonical = _members(conn, [canonical_id]).get(canonical_id)
    if other[3] is not None or canonical_id == other_id or canonical is None:
        conflicts.record(
            conn,
            "phone_merge",
            f"{other_id}>{keep_id}",
            {"member_id": keep_id, "merged_member_id": other_id, "entry_id": row[_ID],
             "merged_into": other[3], "terminal_id": terminal_id},
            terminal_id,
            message=(
                f"Terminal {terminal_id} merged member {other_id} into member {keep_id}, but "
                f"head office counts {'member ' + str(other[3]) if other[3] else 'it'} as "
                "the other way round or another member: the points moved (entries kept), the "
                "members were not merged here. Ask head office to sort it out."
            ),
        )  # fmt: skip
        return 0
    cwallet = canonical[1]
    conn.execute(
        "UPDATE members SET merged_into = %s, updated_at = now() "
        "WHERE member_id = %s OR merged_into = %s",
        (canonical_id, other_id, other_id),
    )
    moved = conn.execute(
        "UPDATE member_merges SET member_id = %s, wallet_id = %s WHERE member_id = %s "
        "RETURNING merged_member_id, merged_wallet_id",
        (canonical_id, cwallet, other_id),
    ).fetchall()
    conn.execute(
        "INSERT INTO member_merges (merged_member_id, merged_wallet_id, member_id, wallet_id) "
        "VALUES (%s, %s, %s, %s)",
        (other_id, other_wallet, canonical_id, cwallet),
    )
    changes.publish(
        conn,
        [
            # No origin: the merging terminal applies it too (as for a phone merge).
            ("merge", None, {"kind": "merge", "merged_member_id": member,
                             "merged_wallet_id": wallet, "member_id": canonical_id,
                             "wallet_id": cwallet})
            for member, wallet in [(other_id, other_wallet), *moved]
        ],
    )  # fmt: skip
    return 1
