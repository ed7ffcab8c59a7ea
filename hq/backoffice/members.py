"""Members as the back office shows them: found by phone or name, and a card.

Every query takes the user's store scope: a manager's stores (a member
belongs to the store of the terminal that enrolled them), or None for the
whole chain. A member outside the scope is not found, the same as a member
who does not exist (the page answers 404 either way).
"""

from __future__ import annotations

from typing import Any

import phonenumbers

from hq.db import Conn
from hq.members import service as member_service
from hq.members.authority import masked

REGION = "TH"  # the chain's phones, as the tills' default region
SEARCH_LIMIT = 50
HISTORY_LIMIT = 100

_SCOPE = (
    "(%(all)s OR EXISTS (SELECT 1 FROM terminals t WHERE t.terminal_id = m.terminal_id "
    "                    AND t.store_id = ANY(%(stores)s)))"
)


def phone_of(typed: str) -> str | None:
    """The E.164 phone typed (081 234 5678, +66...), or None if it is not one."""
    if sum(c.isdigit() for c in typed) < 6:
        return None
    try:
        number = phonenumbers.parse(typed, REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _scope(stores: list[str] | None) -> dict[str, Any]:
    return {"all": stores is None, "stores": stores or []}


def shown_phone(phone: str | None, role: str) -> str | None:
    """The whole phone for the owner; masked for everyone else."""
    if phone is None:
        return None
    return phone if role == "owner" else masked(phone)


def search(conn: Conn, typed: str, stores: list[str] | None, role: str) -> list[dict[str, Any]]:
    """Canonical members whose phone is the one typed, or whose name starts with it."""
    typed = typed.strip()[:80]
    phone = phone_of(typed)
    if phone is not None:
        where, value = "m.phone = %(v)s", phone
    else:
        escaped = typed.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where, value = "lower(m.name) LIKE %(v)s AND m.name IS NOT NULL", escaped + "%"
    rows = conn.execute(
        "SELECT m.member_id, m.phone, m.name, t.store_id FROM members m "
        "LEFT JOIN terminals t ON t.terminal_id = m.terminal_id "
        f"WHERE m.merged_into IS NULL AND {where} AND {_SCOPE} "
        "ORDER BY m.name, m.member_id LIMIT %(limit)s",
        {"v": value, "limit": SEARCH_LIMIT, **_scope(stores)},
    ).fetchall()
    return [
        {"member_id": r[0], "phone": shown_phone(r[1], role), "name": r[2], "store_id": r[3]}
        for r in rows
    ]


def card(conn: Conn, member_id: str, stores: list[str] | None, role: str) -> dict[str, Any] | None:
    """A member's card, or None if not found within the user's stores."""
    if len(member_id) > 64:
        return None
    row = conn.execute(
        "SELECT m.member_id, m.phone, m.name, m.wallet_id, m.consent_at, m.enrolled_at, "
        "       t.store_id, m.merged_into, m.erased_at FROM members m "
        "LEFT JOIN terminals t ON t.terminal_id = m.terminal_id "
        f"WHERE m.member_id = %(id)s AND {_SCOPE}",
        {"id": member_id, **_scope(stores)},
    ).fetchone()
    if row is None:
        return None
    wallet = row[3]
    # Members merged into this one: their wallets' entries are this member's history.
    merged = conn.execute(
        "SELECT merged_member_id, merged_wallet_id FROM member_merges WHERE member_id = %s",
        (row[0],),
    ).fetchall()
    wallets = [wallet] + [m[1] for m in merged]
    member_ids = [row[0]] + [m[0] for m in merged]
    history = conn.execute(
        "SELECT created_at, kind, points, store_id, terminal_id, ref FROM entries "
        "WHERE wallet_id = ANY(%s) ORDER BY created_at DESC, seq DESC LIMIT %s",
        (wallets, HISTORY_LIMIT),
    ).fetchall()
    coupons = conn.execute(
        "SELECT code, reward_id, status, issued_at, used_at FROM coupons "
        "WHERE member_id = ANY(%s) ORDER BY issued_at DESC NULLS LAST LIMIT 50",
        (member_ids,),
    ).fetchall()
    keys = ("created_at", "kind", "points", "store_id", "terminal_id", "ref")
    return {
        "member_id": row[0],
        "phone": shown_phone(row[1], role),
        "name": row[2],
        "consent_at": row[4],
        "enrolled_at": row[5],
        "store_id": row[6],
        "merged_into": row[7],
        "erased": row[8] is not None,
        "balance": member_service.balance(conn, wallet),
        "history": [dict(zip(keys, h, strict=True)) for h in history],
        "coupons": [
            dict(zip(("code", "reward_id", "status", "issued_at", "used_at"), c, strict=True))
            for c in coupons
        ],
    }
