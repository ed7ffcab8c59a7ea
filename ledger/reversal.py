"""Reversing an entry, and seeing beforehand what reversing it would do.

A reversal is a new, opposite entry (the journal is append-only). Reversing
points that were already spent takes the wallet below zero; when those
points bought coupons that are still unused, the supervisor chooses what
happens to them (``coupons="void"`` or ``"keep"``), and the ledger refuses
without a choice rather than leave a valid coupon paid with points that no
longer exist.

Which coupons were "paid with" the reversed points: lots are spent oldest
first, so the reversed entry's points were the last ones spent, by the
wallet's latest redemptions. The coupons counted are those of redemptions
from the same wallet made after the entry, not reversed, whose coupon is
still usable (issued, not expired), taken newest first until their points
cover the shortfall (how far the reversal takes the balance below zero).
Coupons already used are gone: they are never counted. Voiding a coupon
reverses its redemption in the same transaction (the coupon is void, its
points come back); only the terminal that issued a coupon may void it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any, Literal

from ledger import coupon_book, lots, members
from ledger import coupons as couponlib
from ledger.clock import iso, parse_iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import CouponChoiceRequired, InvalidInput, MemberNotFound, NotReversible
from ledger.expiry import credit
from ledger.journal import Writer
from ledger.models import (
    ENTRY_COLUMNS,
    Coupon,
    Credentials,
    Entry,
    Member,
    MemberTag,
    PaidCoupon,
    Reversal,
    ReversalPreview,
)
from ledger.points import find_entry
from ledger.staff import approver
from ledger.text import clean_text

CouponChoice = Literal["void", "keep"]
CHOICES = ("void", "keep")


def preview(core: Core, entry_id: str) -> ReversalPreview:
    """What reversing ``entry_id`` would do, changing nothing. Refuses what
    :func:`reverse` would refuse for the entry itself (already reversed, a
    used coupon, another terminal's redemption)."""
    original = find_entry(core, entry_id)
    _refuse_kind(original)
    _check_reversible(core, core.conn, original)
    change = _change(core.conn, original)
    (before,) = core.conn.execute(
        "SELECT balance FROM wallets WHERE wallet_id = ?", (original.wallet_id,)
    ).fetchone()
    member = _member(core, original.member_id)
    return ReversalPreview(
        entry=original,
        member=member,
        masked_phone=members.mask(core, member.phone) if member and member.phone else None,
        points=change,
        balance_before=int(before),
        coupons=tuple(_paid_coupons(core, core.conn, original, int(before) + change)),
    )


def reverse(
    core: Core,
    entry_id: str,
    reason: str,
    approval: Credentials,
    coupons: CouponChoice | None = None,
) -> Reversal:
    """Undo an entry with a new, opposite one. Needs a supervisor, and a
    choice about coupons paid with the points when the balance would go
    below zero (see the module's docstring)."""
    if coupons is not None and coupons not in CHOICES:
        raise InvalidInput(key="invalid_input.coupon_choice", value=coupons)
    reason_text = clean_text(reason, "reason", required=True)
    original = find_entry(core, entry_id)
    _refuse_kind(original)
    approved_by = approver(core, approval)
    with transaction(core.conn) as conn:
        own_coupon = _check_reversible(core, conn, original)
        change = _change(conn, original)
        writer = core.writer(conn)
        before, _ = writer.wallet(original.wallet_id)
        paid = _paid_coupons(core, conn, original, before + change)
        if paid and coupons is None:
            raise CouponChoiceRequired(
                key="coupon_choice_required", **_details(before + change, paid)
            )
        rules: dict[str, Any] = {"reversed_kind": original.kind}
        voided: list[Coupon] = []
        reversals: list[Entry] = []
        if paid and coupons == "void":
            _refuse_foreign(writer, paid)
            for item in paid:
                redemption = find_entry(core, item.coupon.entry_id)
                paid_rules = {"reversed_kind": "redeem", "paid_with": original.entry_id}
                back = _append(
                    core, writer, redemption, 0, reason_text, approved_by.staff_id, paid_rules
                )
                coupon_book.void(conn, item.coupon.code, back.created_at, writer.terminal_id)
                voided.append(item.coupon)
                reversals.append(back)
        if paid:
            rules["coupons"] = "voided" if coupons == "void" else "kept"
            rules["coupon_codes"] = [item.coupon.code for item in paid]
        expired = original.points - (-change)
        if expired:
            rules["already_expired"] = expired
        entry = _append(core, writer, original, expired, reason_text, approved_by.staff_id, rules)
        if own_coupon:
            coupon_book.void(conn, own_coupon.code, entry.created_at, writer.terminal_id)
            voided.insert(0, own_coupon)
    kept = tuple(item.coupon for item in paid) if coupons != "void" else ()
    return replace(
        Reversal.from_row(tuple(getattr(entry, c) for c in ENTRY_COLUMNS)),
        voided=tuple(replace(c, status="void") for c in voided),
        kept=kept,
        coupon_reversals=tuple(reversals),
    )


def member_tags(core: Core, member_ids: set[str]) -> dict[str, MemberTag]:
    """Masked phone and name of each member (one read), for lists of entries."""
    if not member_ids:
        return {}
    ids = sorted(member_ids)
    marks = ", ".join("?" * len(ids))
    rows = core.conn.execute(
        f"SELECT member_id, phone, name FROM members WHERE member_id IN ({marks})", ids
    ).fetchall()
    return {
        member_id: MemberTag(member_id, members.mask(core, phone) if phone else None, name)
        for member_id, phone, name in rows
    }


# -- the rules ---------------------------------------------------------------


def _refuse_kind(original: Entry) -> None:
    if original.kind in ("reverse", "expire"):
        raise NotReversible(key=f"not_reversible.{original.kind}")


def _check_reversible(core: Core, conn: sqlite3.Connection, original: Entry) -> Coupon | None:
    """Refuse an entry that cannot be reversed; return its own coupon (a
    redemption's), which the reversal voids."""
    done = conn.execute(
        "SELECT entry_id, created_at FROM entries WHERE reverses = ?", (original.entry_id,)
    ).fetchone()
    if done:
        # Said by the sale's ref (or kind) and the reversal's local time: a cashier
        # reads neither entry's id; scripts get both ids in the details.
        at = parse_iso(done[1]).astimezone(core.zone)
        raise NotReversible(
            key="not_reversible.done",
            what=original.ref or original.kind,
            at=f"{at:%Y-%m-%d %H:%M}",
            entry_id=original.entry_id,
            by=done[0],
        )
    row = conn.execute(
        "SELECT code, entry_id, reward_id, member_id, payload, issued_at, expires_at, status "
        "FROM coupons WHERE entry_id = ?",
        (original.entry_id,),
    ).fetchone()
    coupon = None if row is None else Coupon(*row)
    if coupon and coupon.status == "used":
        raise NotReversible(key="not_reversible.used", code=couponlib.display_code(coupon.code))
    if original.kind == "redeem" and original.terminal_id != core.terminal()[1]:
        # Head office lets only the issuing terminal void a coupon (403 otherwise).
        raise NotReversible(key="not_reversible.elsewhere", terminal=original.terminal_id)
    return coupon


def _change(conn: sqlite3.Connection, original: Entry) -> int:
    """The reversal's points: the opposite of the entry's, less what of an
    earn already expired (those points are gone: take back only the rest)."""
    (expired,) = conn.execute(
        "SELECT coalesce(sum(expired), 0) FROM lots WHERE entry_id = ?", (original.entry_id,)
    ).fetchone()
    return -(original.points - int(expired))


def _paid_coupons(
    core: Core, conn: sqlite3.Connection, original: Entry, balance_after: int
) -> list[PaidCoupon]:
    """The unused coupons paid with the points this reversal takes back
    (newest first, as many as cover the shortfall); none when the balance
    stays at zero or above."""
    if balance_after >= 0:
        return []
    rows = conn.execute(
        "SELECT c.code, c.entry_id, c.reward_id, c.member_id, c.payload, c.issued_at, "
        "c.expires_at, c.status, e.points, e.terminal_id FROM coupons c "
        "JOIN entries e USING (entry_id) "
        "WHERE e.wallet_id = ? AND e.kind = 'redeem' AND c.status = 'issued' "
        "AND c.expires_at > ? AND (e.created_at > ? OR (e.created_at = ? AND e.seq > ? "
        "AND e.terminal_id = ?)) "
        "AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses = e.entry_id) "
        "ORDER BY e.created_at DESC, e.seq DESC",
        (original.wallet_id, iso(core.now()), original.created_at, original.created_at,
         original.seq, original.terminal_id),
    ).fetchall()  # fmt: skip
    paid: list[PaidCoupon] = []
    short = -balance_after
    for *coupon, points, terminal_id in rows:
        if short <= 0:
            break
        paid.append(PaidCoupon(Coupon(*coupon), -int(points), terminal_id))
        short += int(points)
    return paid


def _refuse_foreign(writer: Writer, paid: list[PaidCoupon]) -> None:
    foreign = [item for item in paid if item.terminal_id != writer.terminal_id]
    if foreign:
        raise NotReversible(
            key="not_reversible.foreign_coupons",
            codes=", ".join(couponlib.display_code(i.coupon.code) for i in foreign),
            terminals=", ".join(sorted({i.terminal_id for i in foreign})),
        )


def _append(
    core: Core,
    writer: Writer,
    original: Entry,
    expired: int,
    reason: str | None,
    approver_id: str,
    rules: dict[str, Any],
) -> Entry:
    entry = writer.append(
        wallet_id=original.wallet_id,
        member_id=original.member_id,
        kind="reverse",
        points=-(original.points - expired),
        amount_minor=None if original.amount_minor is None else -original.amount_minor,
        ref=original.ref,
        approver_id=approver_id,
        reason=reason,
        reverses=original.entry_id,
        rules=rules,
    )
    if entry.points < 0:
        lots.debit(writer.conn, original.wallet_id, -entry.points, original.entry_id)
    elif entry.points > 0:
        credit(core, writer, entry)
    return entry


def _member(core: Core, member_id: str | None) -> Member | None:
    if member_id is None:
        return None
    try:
        return members.by_id(core, member_id)
    except MemberNotFound:  # erased (no phone any more): the entry stays
        return None


def _details(balance_after: int, paid: list[PaidCoupon]) -> dict[str, Any]:
    """What the refusal says (the balance either way, the coupons) and carries."""
    listed = ", ".join(
        f"{couponlib.display_code(i.coupon.code)} ({i.coupon.reward_id}, {i.points})" for i in paid
    )
    return {
        "coupons": [i.to_dict() for i in paid],
        "after": balance_after,
        "listed": listed,
        "after_void": balance_after + sum(i.points for i in paid),
    }
