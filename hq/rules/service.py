"""Rules and catalog: one JSON object per version, pushed to terminals.

Terminals receive the latest version when they join and every new version
through the change feed. A version is checked with the terminals' own settings
schema (``sync.protocol.rules_problem``) before it is stored: rules a terminal could not
load are refused with the key and the value, and never reach a terminal.
"""

from __future__ import annotations

import json
from typing import Any

from psycopg.types.json import Jsonb

from hq.changes import service as changes
from hq.db import Conn, in_transaction
from hq.errors import InvalidInput, InvalidRules
from sync.protocol import rules_problem

_LOCK = 0x504F_5348_5100_0002  # serialises version numbers


def current(conn: Conn) -> tuple[int, dict[str, Any]]:
    row = conn.execute(
        "SELECT version, body FROM settings ORDER BY version DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return 0, {}
    return int(row[0]), dict(row[1])


def parse(text: str, source: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{source} is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise InvalidInput(f"{source} must hold a JSON object ({{...}}), not a list or a value.")
    return body


def check(body: dict[str, Any]) -> None:
    """InvalidRules (422, exit 2) naming the key and the value a terminal would refuse."""
    problem = rules_problem(body)
    if problem is not None:
        key, message = problem
        where = f"{key}: " if key else ""
        raise InvalidRules(
            f"Rules not stored: {where}{message}. Terminals could not load them; "
            "correct the file and run 'pos-hq rules set' again."
        )


def set_settings(conn: Conn, body: dict[str, Any]) -> int:
    """Check, store a new version and publish it to every terminal; return its number."""
    check(body)

    def work() -> int:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        version, _ = current(conn)
        version += 1
        conn.execute("INSERT INTO settings (version, body) VALUES (%s, %s)", (version, Jsonb(body)))
        changes.publish(
            conn, [("settings", None, {"kind": "settings", "version": version, "settings": body})]
        )
        return version

    return in_transaction(conn, work)
