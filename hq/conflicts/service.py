"""Conflicts are data: recorded in the pushing transaction, reported, never a crash.

Every conflict carries a message in words (what happened, what was kept), for
``pos-hq report conflicts`` and for the till that caused it.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from hq.db import Conn
from hq.errors import Forbidden


class NotOwned(Forbidden):
    """A push acted for a member, coupon, terminal or store the pushing terminal does
    not own. The push is answered 403 and changes nothing; the attempt is recorded
    as a ``forbidden_push`` conflict (after the push's transaction is rolled back)."""

    def __init__(self, message: str, *, what: str, target: str, facts: dict[str, Any]) -> None:
        super().__init__(message)
        self.what, self.target, self.facts = what, target, facts


def record(
    conn: Conn,
    kind: str,
    key: str,
    details: dict[str, Any],
    terminal_id: str | None,
    *,
    message: str,
) -> bool:
    """Record a conflict once per (kind, key); True if it is new."""
    row = conn.execute(
        "INSERT INTO conflicts (kind, key, terminal_id, details, message) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (kind, key) DO NOTHING RETURNING conflict_id",
        (kind, key, terminal_id, Jsonb(details), message),
    ).fetchone()
    return row is not None


def record_refusal(conn: Conn, terminal_id: str, refused: NotOwned) -> None:
    """Record a refused push in its own transaction (the push itself was rolled back)."""
    with conn.transaction():
        record(
            conn,
            "forbidden_push",
            f"{terminal_id}:{refused.what}:{refused.target}",
            {"what": refused.what, "target": refused.target, **refused.facts},
            terminal_id,
            message=refused.message,
        )


def list_conflicts(conn: Conn, kind: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT conflict_id, kind, terminal_id, details, at, message FROM conflicts "
        "WHERE %(kind)s::text IS NULL OR kind = %(kind)s ORDER BY conflict_id LIMIT %(limit)s",
        {"kind": kind, "limit": limit},
    ).fetchall()
    return [
        {
            "id": r[0],
            "kind": r[1],
            "terminal_id": r[2],
            "details": r[3],
            "at": r[4].isoformat(),
            "message": r[5] or _old_message(r[1]),
        }
        for r in rows
    ]


def _old_message(kind: str) -> str:
    """Conflicts recorded before messages were (schema version 2 and earlier)."""
    return f"A {kind.replace('_', ' ')} conflict (recorded before conflicts had messages)."


def count(conn: Conn, kind: str | None = None) -> int:
    row = conn.execute(
        "SELECT count(*) FROM conflicts WHERE %(kind)s::text IS NULL OR kind = %(kind)s",
        {"kind": kind},
    ).fetchone()
    return int(row[0]) if row else 0
