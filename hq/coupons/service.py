"""Coupon status at head office: issued, used, void. The first use recorded wins.

A coupon used at two offline terminals arrives twice as "used"; the second is
a ``coupon_double_use`` conflict (recorded, reported, shown to a supervisor),
never an error and never a change of who used it.

Who may send what: any terminal may report a use (that is how a double use is
found). Only the terminal that issued a coupon (the one that wrote its
redemption entry) may report it issued or void it (its reversal of the
redemption); anything else is answered 403, the push changes nothing, and the
attempt is recorded (``forbidden_push``). The issuer is the terminal of the
coupon's redemption entry, recorded once head office holds that entry (a till
sends a coupon's events only after its redemption is stored here); an issue
naming a redemption not here yet is taken but decides nothing, and a void of
such a coupon is refused. The issuer's issue says what the coupon is (its
redemption, member and reward), whatever a use reported first claimed; and a
use that is head office's first news of a coupon may not name a stored
redemption that is not that coupon's (another terminal's coupon planted on it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hq.changes import service as changes
from hq.conflicts import service as conflicts
from hq.conflicts.service import NotOwned
from hq.db import Conn
from sync.protocol import CouponEvent, CouponState

_COLS = (
    "code, entry_id, reward_id, member_id, status, issued_at, used_at, used_terminal_id, voided_at"
)


@dataclass
class CouponResult:
    applied: int = 0
    conflicts: int = 0


def _state(row: tuple[Any, ...]) -> CouponState:
    return CouponState(**dict(zip(_COLS.split(", "), row, strict=True)))


def apply_events(conn: Conn, events: list[CouponEvent], origin: str) -> CouponResult:
    """Apply pushed coupon events inside the push transaction (in code order: no deadlocks)."""
    result = CouponResult()
    published: list[tuple[str, str | None, dict[str, Any]]] = []
    for ev in sorted(events, key=lambda e: (e.code, e.at, e.status != "issued")):
        state, issuer, created = _lock(conn, ev)
        if ev.status != "used":
            _check_issuer(conn, ev, state, issuer, origin)
        after = _transition(conn, ev, state, origin, result)
        if created or after is not None:
            result.applied += 1
            final = after or state
            published.append(("coupon", origin, {"kind": "coupon", "coupon": final.model_dump()}))
    changes.publish(conn, published)
    return result


def _lock(conn: Conn, ev: CouponEvent) -> tuple[CouponState, str | None, bool]:
    """The coupon's row and issuer, locked; created (as issued) if this is the first
    news of it."""
    select = f"SELECT {_COLS}, issued_terminal_id FROM coupons WHERE code = %s FOR UPDATE"
    row = conn.execute(select, (ev.code,)).fetchone()
    created = False
    if row is None:
        if ev.status == "used":
            _check_new_use(conn, ev)
        created = (
            conn.execute(
                "INSERT INTO coupons (code, entry_id, reward_id, member_id, status, issued_at) "
                "VALUES (%s, %s, %s, %s, 'issued', %s) ON CONFLICT (code) DO NOTHING "
                "RETURNING code",
                (
                    ev.code,
                    ev.entry_id,
                    ev.reward_id,
                    ev.member_id,
                    ev.at if ev.status == "issued" else None,
                ),
            ).fetchone()
            is not None
        )
        row = conn.execute(select, (ev.code,)).fetchone()
        assert row is not None
    return _state(row[:-1]), row[-1], created


def _check_new_use(conn: Conn, ev: CouponEvent) -> None:
    """A use is the first news of a coupon: if head office holds the redemption it
    names, the coupon must be that redemption's (a reward redemption of that
    member, for that reward, with no other coupon here). Otherwise a terminal could
    plant a coupon on another terminal's redemption at every till (where the real
    coupon would then be refused as a second one)."""
    row = conn.execute(
        "SELECT e.kind, e.member_id, e.rules, e.terminal_id, "
        " (SELECT c.code FROM coupons c WHERE c.entry_id = e.entry_id LIMIT 1) "
        "FROM entries e WHERE e.entry_id = %s",
        (ev.entry_id,),
    ).fetchone()
    if row is None:
        return  # not here yet: the issuer's own news of it will follow
    kind, member_id, rules, terminal, other = row
    try:
        reward = json.loads(rules or "{}").get("reward_id")
    except (ValueError, AttributeError):
        reward = None
    if other is None and kind == "redeem" and member_id == ev.member_id and reward == ev.reward_id:
        return
    raise NotOwned(
        f"Coupon {ev.code} is not known at head office, and redemption {ev.entry_id} (made at "
        f"terminal {terminal}) is not its: "
        + (f"its coupon is {other}" if other is not None else "it issued no such coupon")
        + ". A terminal reports uses of coupons it holds. Nothing from this push was stored.",
        what="coupon",
        target=ev.code,
        facts={"code": ev.code, "entry_id": ev.entry_id, "entry_terminal_id": terminal},
    )


def _check_issuer(
    conn: Conn, ev: CouponEvent, state: CouponState, issuer: str | None, origin: str
) -> None:
    """An issue or a void comes from the coupon's issuer: the terminal of its
    redemption entry, recorded once head office holds that entry. Until then an
    issue is taken but decides nothing (a terminal that saw the code on a slip
    cannot make itself the issuer, and the real issuer's later sync refused), and
    a void is refused (a till voids a coupon after its issue reached head office)."""
    if issuer is None:
        # The redemption the coupon names here if head office holds it, else the
        # one an issue names.
        named = [state.entry_id] + ([ev.entry_id] if ev.status == "issued" else [])
        row = conn.execute(
            "SELECT terminal_id FROM entries WHERE entry_id = ANY(%s) "
            "ORDER BY entry_id = %s DESC LIMIT 1",
            (named, state.entry_id),
        ).fetchone()
        if row is None and ev.status == "issued":
            return
        issuer = row[0] if row is not None else "unknown"
        if issuer == origin:
            conn.execute(
                "UPDATE coupons SET issued_terminal_id = %s WHERE code = %s", (origin, ev.code)
            )
    if issuer != origin:
        action = "void" if ev.status == "void" else "report as issued"
        where = (
            f"was issued at terminal {issuer}"
            if issuer != "unknown"
            else f"names redemption {state.entry_id}, which head office does not hold"
        )
        raise NotOwned(
            f"Coupon {ev.code} {where}: terminal {origin} may not "
            f"{action} it (only the issuing terminal's reversal voids a coupon; any terminal "
            "may report a use). Nothing from this push was stored.",
            what="coupon",
            target=ev.code,
            facts={"code": ev.code, "status": ev.status, "issuer_terminal_id": issuer},
        )


def _transition(
    conn: Conn, ev: CouponEvent, current: CouponState, origin: str, result: CouponResult
) -> CouponState | None:
    """The coupon's new state after ``ev``, saved; None if the event changes nothing."""
    if ev.status == "issued":
        # The issuer (checked above) says what the coupon is: a use reported first
        # (by any terminal) named its redemption, member and reward unchecked.
        issued = {
            "issued_at": current.issued_at or ev.at,
            "entry_id": ev.entry_id,
            "reward_id": ev.reward_id,
            "member_id": ev.member_id,
        }
        if any(getattr(current, k) != v for k, v in issued.items()):
            return _save(conn, current.model_copy(update=issued))
        return None
    if ev.status == "void":
        if current.status == "issued":
            return _save(conn, current.model_copy(update={"status": "void", "voided_at": ev.at}))
        return None  # already void, or used (a used coupon stays used)
    if current.status == "issued":
        return _save(
            conn,
            current.model_copy(
                update={
                    "status": "used",
                    "used_at": ev.at,
                    "used_terminal_id": ev.terminal_id,
                }
            ),
        )
    if current.status == "used" and (current.used_terminal_id, current.used_at) == (
        ev.terminal_id,
        ev.at,
    ):
        return None  # the same use pushed again
    # Used elsewhere first, or used after it was voided: the first state stands.
    result.conflicts += 1
    conflicts.record(
        conn,
        "coupon_double_use",
        f"{ev.code}:{ev.terminal_id}:{ev.at}",
        {
            "code": ev.code,
            "reward_id": current.reward_id,
            "member_id": current.member_id,
            "status": current.status,
            "first_use": {"terminal_id": current.used_terminal_id, "at": current.used_at},
            "voided_at": current.voided_at,
            "refused_use": {"terminal_id": ev.terminal_id, "at": ev.at},
        },
        origin,
        message=(
            f"Coupon {ev.code} used at terminal {ev.terminal_id} at {ev.at} was already "
            + (
                f"void (since {current.voided_at})"
                if current.status == "void"
                else f"used at terminal {current.used_terminal_id} at {current.used_at}"
            )
            + ": the first state stands."
        ),
    )
    return None


def _save(conn: Conn, state: CouponState) -> CouponState:
    conn.execute(
        "UPDATE coupons SET entry_id = %s, reward_id = %s, member_id = %s, status = %s, "
        "issued_at = %s, used_at = %s, used_terminal_id = %s, voided_at = %s, updated_at = now() "
        "WHERE code = %s",
        (
            state.entry_id,
            state.reward_id,
            state.member_id,
            state.status,
            state.issued_at,
            state.used_at,
            state.used_terminal_id,
            state.voided_at,
            state.code,
        ),
    )
    return state
