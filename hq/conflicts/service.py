"""Conflicts are data: recorded in the pushing transaction, reported, never a crash."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from hq.db import Conn


def record(
    conn: Conn, kind: str, key: str, details: dict[str, Any], terminal_id: str | None
) -> bool:
    """Record a conflict once per (kind, key); True if it is new."""
    row = conn.execute(
        "INSERT INTO conflicts (kind, key, terminal_id, details) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (kind, key) DO NOTHING RETURNING conflict_id",
        (kind, key, terminal_id, Jsonb(details)),
    ).fetchone()
    return row is not None


def list_conflicts(conn: Conn, kind: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT conflict_id, kind, terminal_id, details, at FROM conflicts "
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
        }
        for r in rows
    ]


def count(conn: Conn, kind: str | None = None) -> int:
    row = conn.execute(
        "SELECT count(*) FROM conflicts WHERE %(kind)s::text IS NULL OR kind = %(kind)s",
        {"kind": kind},
    ).fetchone()
    return int(row[0]) if row else 0
