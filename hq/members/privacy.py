"""A member's data requests at head office: their copy across the whole chain
(``pos-hq member export``) and erasure (``pos-hq member forget``, or the
enrolling till's push of the member with no phone: hq/members/service.py).

Erasure at head office: ``members.phone``, ``name`` and ``consent_at`` of the
member and of every member merged into it are emptied and ``erased_at`` set
(a later push still carrying the phone, from a till that had not heard yet,
never brings it back); the member snapshots already on the change feed are
deleted (the erasure itself is published instead, so every till erases its
copy too), and the phone and the name are cut out of recorded conflicts.
Entries, wallets, merges and coupons hold neither, so balances and the hash
chains stay as they were (``pos-hq verify`` passes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hq.changes import service as changes
from hq.db import Conn, in_transaction
from hq.errors import NotFound
from hq.members import authority, erasure, service

FORMAT = "loyalty-pos/member-export/1"
_COLS = erasure.COLS


def _group(conn: Conn, phone: str, lock: bool = False) -> list[tuple[Any, ...]]:
    """The canonical member with ``phone`` (or the one a merged member with it
    counts as) and every member merged into it; canonical first."""
    found = conn.execute(
        "SELECT coalesce(merged_into, member_id) FROM members WHERE phone = %s "
        "ORDER BY merged_into NULLS FIRST LIMIT 1",
        (phone,),
    ).fetchone()
    if found is None:
        raise NotFound(f"No member with phone {_masked(phone)} at head office.")
    rows = conn.execute(
        f"SELECT {_COLS} FROM members WHERE member_id = %(m)s OR merged_into = %(m)s "
        f"ORDER BY merged_into NULLS FIRST, member_id{' FOR UPDATE' if lock else ''}",
        {"m": found[0]},
    ).fetchall()
    return [tuple(r) for r in rows]


def _masked(phone: str) -> str:
    return authority.masked(phone)


def _table(conn: Conn, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d.name for d in cur.description or ()]
    return [dict(zip(names, (_plain(v) for v in row), strict=True)) for row in cur.fetchall()]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def export(conn: Conn, phone: str) -> dict[str, Any]:
    """Everything head office holds about the member with ``phone``, read in
    one snapshot: the members (merged ones too), their entries from every
    terminal, coupons, merges, conflicts that name them, and the balance."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        group = _group(conn, phone)
        ids = [r[0] for r in group]
        wallets = sorted({r[3] for r in group})
        params = {"ids": ids, "wallets": wallets}
        members = _table(
            conn, f"SELECT * FROM members WHERE member_id = ANY(%(ids)s) ORDER BY {_ORDER}", params
        )
        document = {
            "format": FORMAT,
            "scope": "chain",
            "exported_at": datetime.now(UTC).isoformat(),
            "member_id": ids[0],
            "balance": int(service.balance(conn, group[0][3])),
            "members": members,
            "entries": _table(
                conn,
                "SELECT * FROM entries WHERE wallet_id = ANY(%(wallets)s) "
                "OR member_id = ANY(%(ids)s) ORDER BY created_at, terminal_id, seq",
                params,
            ),
            "coupons": _table(
                conn, "SELECT * FROM coupons WHERE member_id = ANY(%(ids)s) ORDER BY code", params
            ),
            "member_merges": _table(
                conn,
                "SELECT * FROM member_merges WHERE member_id = ANY(%(ids)s) "
                "OR merged_member_id = ANY(%(ids)s) ORDER BY merged_member_id",
                params,
            ),
            "conflicts": _table(
                conn,
                "SELECT conflict_id, kind, key, terminal_id, details, at, message FROM conflicts "
                "WHERE details->>'member_id' = ANY(%(ids)s) "
                "OR details->>'merged_member_id' = ANY(%(ids)s) ORDER BY conflict_id",
                params,
            ),
            "company_links": [],
            "ratings": [],
        }
    return document


_ORDER = "merged_into NULLS FIRST, member_id"


def forget(conn: Conn, phone: str) -> dict[str, Any]:
    """Erase the member with ``phone`` (and those merged into it) chain-wide, in
    one transaction; published to every till."""

    def work() -> dict[str, Any]:
        group = _group(conn, phone, lock=True)
        erasure.erase(conn, group)
        changes.publish(conn, [("member", None, service.erased_change(r)) for r in group])
        return {
            "member_id": group[0][0],
            "merged_member_ids": [r[0] for r in group[1:]],
            "balance": int(service.balance(conn, group[0][3])),
        }

    return in_transaction(conn, work)
