"""Points: earning on a sale, redeeming, adjusting by hand (reversing: ledger.reversal).

Each is one ``BEGIN IMMEDIATE`` transaction: the entry (ledger.journal), the
balance, the lots (ledger.expiry, ledger.lots), a coupon, a slip to print.
Whether a redemption may go ahead without a supervisor is decided in one
place, :func:`redeem_policy`, which the screens ask too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ledger import coupon_book, journal, limits, lots, members
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import (
    ApprovalRequired,
    EntryNotFound,
    InsufficientPoints,
    InvalidInput,
    RefConflict,
    RewardNotFound,
)
from ledger.expiry import credit, expire_due
from ledger.models import ENTRY_COLUMNS, Credentials, Earned, Entry, Member, Redemption
from ledger.money import format_minor, parse_amount, parse_points
from ledger.rules import earn_points, tier_for
from ledger.spool import enqueue
from ledger.staff import approver, cashier
from ledger.text import clean_id, clean_text

if TYPE_CHECKING:
    from config.settings import Reward


@dataclass(frozen=True, slots=True)
class RedeemPolicy:
    """What redeeming ``cost`` points needs, as of now."""

    cost: int
    balance: int
    short_by: int  # points missing (0: affordable)
    needs_approval: bool
    why: str | None  # "threshold", "offline_limit" or None


def redeem_policy(core: Core, member: Member, cost: int) -> RedeemPolicy:
    threshold = core.settings.redeem.approval_threshold
    why = None
    if cost > threshold:
        why = "threshold"
    else:
        limit = limits.offline_limit(core.conn, core.settings, core.clock())
        if (
            limit is not None
            and limits.redeemed_today(core.conn, member.wallet_id, core.now(), core.zone) + cost
            > limit
        ):
            why = "offline_limit"
    return RedeemPolicy(cost, member.balance, max(0, cost - member.balance), why is not None, why)


def earn(
    core: Core,
    who: str | Member,
    amount: Any,
    ref: str,
    cashier_id: str | None,
    print_slip: bool,
) -> Earned:
    """Add points for a sale. The same ``ref`` again returns the first entry
    (``duplicate=True``) and changes nothing. ``who``: a phone, or the member
    the counter already has on screen (no second look-up)."""
    e164 = None if isinstance(who, Member) else members.normalize(core, who)
    amount_minor = parse_amount(amount, core.max_sale)
    ref = clean_id(ref, "ref")
    cashier_id = cashier(core, cashier_id)
    _, terminal_id = core.terminal()
    with transaction(core.conn) as conn:
        if isinstance(who, Member):
            member_id, wallet_id = who.member_id, who.wallet_id
        else:
            member_id, _, _, wallet_id, *_ = members.row_by_phone(core, e164 or "")
        found = journal.by_ref(conn, terminal_id, "earn", ref)
        if found is not None:
            first = replace(Earned.from_row(found), duplicate=True)
            if first.member_id != member_id or first.amount_minor != amount_minor:
                raise RefConflict(
                    key="ref_conflict.sale", ref=ref, amount=format_minor(first.amount_minor or 0)
                )
            return first
        writer = core.writer(conn)
        expire_due(writer, wallet_id, member_id, writer.now)
        tier = tier_for(members.spend_12m(core, wallet_id, writer.now), core.tiers)
        result = earn_points(amount_minor, core.spend_per_point, tier)
        entry = writer.append(
            wallet_id=wallet_id,
            member_id=member_id,
            kind="earn",
            points=result.points,
            amount_minor=amount_minor,
            ref=ref,
            cashier_id=cashier_id,
            rules=result.rules,
        )
        credit(core, writer, entry)
        if print_slip:
            enqueue(conn, entry.entry_id, "sale", entry.created_at, copy=False)
    return Earned.from_row(tuple(getattr(entry, c) for c in ENTRY_COLUMNS))


def redeem(
    core: Core,
    phone: str,
    *,
    ref: str,
    points: int | str | None,
    reward_id: str | None,
    cashier_id: str | None,
    approval: Credentials | None,
    print_slip: bool,
) -> Redemption:
    """Spend points, by number or for a reward (which issues a coupon).
    Above the approval threshold, or the offline limit while head office
    cannot be counted on (ledger.limits), a supervisor approves."""
    e164 = members.normalize(core, phone)
    if (points is None) == (reward_id is None):
        raise InvalidInput(key="invalid_input.redeem_what")
    reward = find_reward(core, reward_id) if reward_id is not None else None
    cost = reward.points if reward else parse_points(points)  # type: ignore[arg-type]
    ref = clean_id(ref, "ref")
    cashier_id = cashier(core, cashier_id)
    _, terminal_id = core.terminal()
    reward_key = reward.id if reward else None
    first = journal.by_ref(core.conn, terminal_id, "redeem", ref)
    if first is not None:
        return _repeat(core, Entry.from_row(first), e164, cost, reward_key)
    member = members.by_phone(core, e164)
    _check_balance(core, member, cost)
    threshold = core.settings.redeem.approval_threshold
    now = core.now()
    # The clock as it reads (not clamped to the journal): one set back is offline.
    offline_limit = limits.offline_limit(core.conn, core.settings, core.clock())
    approved_by = None
    if approval is not None:
        approved_by = approver(core, approval)
    elif cost > threshold:
        raise ApprovalRequired(key="approval_required", points=cost, limit=threshold)
    else:
        limits.check_offline_limit(core.conn, member.wallet_id, cost, offline_limit, now, core.zone)
    with transaction(core.conn) as conn:
        first = journal.by_ref(conn, terminal_id, "redeem", ref)
        if first is not None:
            return _repeat(core, Entry.from_row(first), e164, cost, reward_key)
        writer = core.writer(conn)
        expire_due(writer, member.wallet_id, member.member_id, writer.now)
        member = members.by_phone(core, e164)
        _check_balance(core, member, cost)
        if approved_by is None:  # again under the write lock: another process may have redeemed
            limits.check_offline_limit(
                conn, member.wallet_id, cost, offline_limit, writer.now, core.zone
            )
        rules: dict[str, Any] = {"approval_threshold": threshold}
        if offline_limit is not None:
            rules["offline_limit"] = offline_limit
        if reward:
            rules["reward_id"] = reward.id
        entry = writer.append(
            wallet_id=member.wallet_id,
            member_id=member.member_id,
            kind="redeem",
            points=-cost,
            ref=ref,
            cashier_id=cashier_id,
            approver_id=approved_by.staff_id if approved_by else None,
            rules=rules,
        )
        lots.debit(conn, entry.wallet_id, cost)
        coupon = coupon_book.issue(core, writer, entry, reward) if reward else None
        if print_slip:
            # A number of points prints on the sale slip's layout ("sale" job):
            # the customer takes away what was redeemed and the balance left.
            kind = "coupon" if coupon is not None else "sale"
            enqueue(conn, entry.entry_id, kind, entry.created_at, copy=False)
    return Redemption(entry, coupon)


def _repeat(core: Core, first: Entry, e164: str, cost: int, reward_id: str | None) -> Redemption:
    member_id = members.row_by_phone(core, e164)[0]
    if (
        first.member_id != member_id
        or -first.points != cost
        or first.rules_applied.get("reward_id") != reward_id
    ):
        raise RefConflict(key="ref_conflict.redeem", ref=first.ref)
    return Redemption(first, coupon_book.of_entry(core, first.entry_id), duplicate=True)


def _check_balance(core: Core, member: Member, cost: int) -> None:
    if member.balance < cost:
        who = member.name or (members.mask(core, member.phone) if member.phone else None)
        raise InsufficientPoints(
            key="insufficient_points" if who else "insufficient_points.anonymous",
            who=who,
            balance=member.balance,
            needed=cost,
        )


def find_reward(core: Core, reward_id: str) -> Reward:
    reward = core.rewards.get((reward_id or "").strip().upper())
    if reward is None:
        raise RewardNotFound(key="reward_not_found", reward=reward_id)
    return reward


def find_entry(core: Core, entry_id: str) -> Entry:
    entry = journal.by_id(core.conn, (entry_id or "").strip())
    if entry is None:
        raise EntryNotFound(key="entry_not_found", entry_id=entry_id)
    return entry


def adjust(core: Core, phone: str, points: int | str, reason: str, approval: Credentials) -> Entry:
    """Add or remove points by hand, with a reason. Needs a supervisor."""
    e164 = members.normalize(core, phone)
    change = parse_points(points, allow_negative=True)
    reason_text = clean_text(reason, "reason", required=True)
    member = members.by_phone(core, e164)
    if change < 0:
        _check_balance(core, member, -change)
    approved_by = approver(core, approval)
    with transaction(core.conn) as conn:
        writer = core.writer(conn)
        expire_due(writer, member.wallet_id, member.member_id, writer.now)
        if change < 0:
            _check_balance(core, members.by_phone(core, e164), -change)
        entry = writer.append(
            wallet_id=member.wallet_id,
            member_id=member.member_id,
            kind="adjust",
            points=change,
            approver_id=approved_by.staff_id,
            reason=reason_text,
        )
        if change > 0:
            credit(core, writer, entry)
        else:
            lots.debit(conn, member.wallet_id, -change)
    return entry
