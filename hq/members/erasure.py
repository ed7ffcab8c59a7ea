"""Erasing members at head office (hq/members/privacy.py says what and why);
kept apart so the push (hq/members/service.py) and ``pos-hq member forget``
share it without importing each other."""

from __future__ import annotations

import json
from typing import Any

from hq.changes import service as changes
from hq.db import Conn

ERASED = "(erased)"
COLS = "member_id, phone, name, wallet_id, consent_at, enrolled_at, terminal_id, merged_into"


def erase(conn: Conn, group: list[tuple[Any, ...]]) -> None:
    """Inside the caller's transaction: empty the members' personal fields,
    delete their snapshots from the feed and cut their phone and name out of
    the conflicts. ``group``: rows as :data:`COLS` (before the erasure)."""
    ids = [r[0] for r in group]
    conn.execute(
        "UPDATE members SET phone = NULL, name = NULL, consent_at = NULL, "
        "erased_at = coalesce(erased_at, now()), updated_at = now() "
        "WHERE member_id = ANY(%s)",
        (ids,),
    )
    conn.execute(
        "DELETE FROM changes WHERE kind = 'member' AND body->'member'->>'member_id' = ANY(%s)",
        (ids,),
    )
    # No page any more: the token is deleted here and on the tills (a None token).
    conn.execute("DELETE FROM member_pages WHERE member_id = ANY(%s)", (ids,))
    conn.execute(
        "DELETE FROM changes WHERE kind = 'member_page' AND body->>'member_id' = ANY(%s)", (ids,)
    )
    changes.publish(
        conn,
        [("member_page", None, {"kind": "member_page", "member_id": i, "token": None})
         for i in ids],
    )  # fmt: skip
    needles = {r[1] for r in group if r[1]} | {r[2] for r in group if r[2]}
    for needle in sorted(needles, key=len, reverse=True):
        in_json = json.dumps(needle, ensure_ascii=False)[1:-1]
        conn.execute(
            "UPDATE conflicts SET details = replace(details::text, %(j)s, %(e)s)::jsonb, "
            "message = replace(message, %(n)s, %(e)s) "
            "WHERE strpos(details::text, %(j)s) > 0 OR strpos(message, %(n)s) > 0",
            {"j": in_json, "n": needle, "e": ERASED},
        )
