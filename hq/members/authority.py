"""Which member changes a push may carry: the rule is stated in hq/members/service.py.

Each check raises :class:`NotOwned` (403; the push is rolled back and the attempt
recorded as a ``forbidden_push`` conflict).
"""

from __future__ import annotations

from typing import Any

from hq.conflicts.service import NotOwned
from hq.db import Conn
from sync.protocol import WireMember


def own(m: WireMember, origin: str) -> WireMember:
    """The pushed member, which must be the pushing terminal's own enrolment."""
    if m.terminal_id is None:
        return m.model_copy(update={"terminal_id": origin})
    if m.terminal_id != origin:
        raise NotOwned(
            f"Terminal {origin} may only push members it enrolled itself; member "
            f"{m.member_id} names terminal {m.terminal_id}. Nothing from this push was "
            "stored.",
            what="member",
            target=m.member_id,
            facts={"member_id": m.member_id, "claimed_terminal_id": m.terminal_id},
        )
    return m


def check_owner(m: WireMember, row: tuple[Any, ...], origin: str) -> None:
    """A member head office knows: only the terminal that enrolled it may send it."""
    owner = row[6]
    if owner != origin:
        raise NotOwned(
            f"Member {m.member_id} was enrolled at terminal {owner or 'unknown'}: terminal "
            f"{origin} may not change it (its phone, name or consent). Nothing from this "
            "push was stored; a member's details are changed at the terminal that enrolled "
            "it, or by head office.",
            what="member",
            target=m.member_id,
            facts={"member_id": m.member_id, "owner_terminal_id": owner},
        )


def check_wallets(conn: Conn, new: list[WireMember], origin: str) -> None:
    """A new member's wallet is its own: not another member's, and holding no other
    terminal's entries (else a new phone would take over someone else's points)."""
    wallets = [m.wallet_id for m in new]
    taken = conn.execute(
        "SELECT wallet_id, member_id, terminal_id FROM members WHERE wallet_id = ANY(%(w)s) "
        "UNION ALL (SELECT wallet_id, NULL, terminal_id FROM entries "
        "           WHERE wallet_id = ANY(%(w)s) AND terminal_id <> %(me)s LIMIT 1) LIMIT 1",
        {"w": wallets, "me": origin},
    ).fetchone()
    if taken is None:
        return
    wallet, holder, terminal = taken
    member = next(m for m in new if m.wallet_id == wallet)
    whose = (
        f"member {holder} (enrolled at terminal {terminal or 'unknown'})"
        if holder is not None
        else f"a wallet with entries of terminal {terminal}"
    )
    raise NotOwned(
        f"New member {member.member_id} names wallet {wallet}, which is {whose}: a new "
        "member gets a new wallet. Nothing from this push was stored.",
        what="wallet",
        target=wallet,
        facts={"member_id": member.member_id, "wallet_id": wallet, "holder": holder},
    )


def check_shared(
    conn: Conn, m: WireMember, stored: WireMember, origin: str, merged_into: str | None = None
) -> None:
    """A new phone or name, or an erasure, only while no other terminal's member is
    merged into this one (its phone and name are that member's too), and never on a
    member merged into another terminal's member (its phone is that member's now:
    moved to a new phone, it would take that member's points along at every till)."""
    change = _change(m, stored)
    if merged_into is not None:
        canonical = conn.execute(
            "SELECT terminal_id FROM members WHERE member_id = %s", (merged_into,)
        ).fetchone()
        owner = canonical[0] if canonical else None
        if owner != origin:
            raise NotOwned(
                f"Terminal {origin} may not {change} member {m.member_id}: it counts as member "
                f"{merged_into} of terminal {owner or 'unknown'} (the same phone, known to "
                "head office first), whose phone it is. Nothing from this push was stored; "
                "ask head office.",
                what="member_shared",
                target=m.member_id,
                facts={"member_id": m.member_id, "merged_into": merged_into, "change": change},
            )
    other = conn.execute(
        "SELECT member_id, terminal_id FROM members WHERE merged_into = %s "
        "AND terminal_id IS DISTINCT FROM %s ORDER BY member_id LIMIT 1",
        (m.member_id, origin),
    ).fetchone()
    if other is None:
        return
    raise NotOwned(
        f"Terminal {origin} may not {change} member {m.member_id}: member {other[0]} of "
        f"terminal {other[1] or 'unknown'} (the same phone, enrolled there) counts as it. "
        "Nothing from this push was stored; ask head office.",
        what="member_shared",
        target=m.member_id,
        facts={"member_id": m.member_id, "merged_member_id": other[0], "change": change},
    )


def _change(m: WireMember, stored: WireMember) -> str:
    if m.phone is None:
        return "erase"
    return "change the phone of" if m.phone != stored.phone else "rename"


def masked(phone: str | None) -> str:
    """Messages are shown and logged: never a whole phone."""
    return "(erased)" if not phone else phone[:4] + "x" * max(0, len(phone) - 8) + phone[-4:]
