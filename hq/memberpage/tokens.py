"""Member page tokens: found by their sha256, rotated, sent to the tills.

A token is 32 random bytes (base64url, 43 characters), issued by head office
when it first stores a member (the trigger of migration 0006) or rotated by
``pos-hq member token PHONE --rotate``. Head office looks members up by the
token's sha256 (``member_pages``); the token itself travels to the tills as a
``member_page`` change, its one copy at head office, replaced on rotation.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from hq.changes import service as changes
from hq.db import Conn, in_transaction
from sync.protocol import PAGE_TOKEN_PATTERN

_SHAPE = re.compile(PAGE_TOKEN_PATTERN)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_SHAPE.fullmatch(token))


def member_for(conn: Conn, token: str) -> str | None:
    """The member whose page ``token`` opens (None: no such token)."""
    if not well_formed(token):
        return None
    row = conn.execute(
        "SELECT member_id FROM member_pages WHERE token_hash = %s", (token_hash(token),)
    ).fetchone()
    return str(row[0]) if row else None


def current(conn: Conn, member_id: str) -> str | None:
    """The member's token as the tills have it (from its feed change), or None."""
    row = conn.execute(
        "SELECT body->>'token' FROM changes WHERE kind = 'member_page' "
        "AND body->>'member_id' = %s ORDER BY change_xid DESC, change_id DESC LIMIT 1",
        (member_id,),
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def rotate(conn: Conn, member_id: str, retire: list[str] | None = None) -> str:
    """A new token for the member: the old one opens nothing from now on, and every
    till prints the new one after its next sync. The members in ``retire`` (those
    merged into it: their old slips) lose theirs. Returns the new token."""
    token = secrets.token_urlsafe(32)

    def work() -> str:
        gone = sorted(set(retire or []) - {member_id})
        conn.execute("DELETE FROM member_pages WHERE member_id = ANY(%s)", (gone,))
        conn.execute(
            "DELETE FROM changes WHERE kind = 'member_page' AND body->>'member_id' = ANY(%s)",
            (gone,),
        )
        changes.publish(conn, [("member_page", None, {"kind": "member_page", "member_id": m,
                                                      "token": None}) for m in gone])  # fmt: skip
        conn.execute(
            "INSERT INTO member_pages (member_id, token_hash) VALUES (%s, %s) "
            "ON CONFLICT (member_id) DO UPDATE SET token_hash = excluded.token_hash, "
            "issued_at = now()",
            (member_id, token_hash(token)),
        )
        # The old token leaves head office with its change; tills that had not
        # pulled it yet get only the new one.
        conn.execute(
            "DELETE FROM changes WHERE kind = 'member_page' AND body->>'member_id' = %s",
            (member_id,),
        )
        body = {"kind": "member_page", "member_id": member_id, "token": token}
        changes.publish(conn, [("member_page", None, body)])
        return token

    return in_transaction(conn, work)
