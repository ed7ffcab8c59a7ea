"""Immutable values the ledger hands out. Screens and the CLI read these."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Self

from config.kinds import EntryKind

# Column order of the journal; the hash chain covers exactly these fields.
ENTRY_COLUMNS = (
    "entry_id",
    "wallet_id",
    "member_id",
    "kind",
    "points",
    "balance_after",
    "amount_minor",
    "currency",
    "ref",
    "terminal_id",
    "store_id",
    "cashier_id",
    "approver_id",
    "reason",
    "reverses",
    "rules",
    "created_at",
    "seq",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True, slots=True)
class Entry:
    entry_id: str
    wallet_id: str
    member_id: str | None
    kind: EntryKind
    points: int
    balance_after: int
    amount_minor: int | None
    currency: str | None
    ref: str | None
    terminal_id: str
    store_id: str
    cashier_id: str | None
    approver_id: str | None
    reason: str | None
    reverses: str | None
    rules: str | None
    created_at: str
    seq: int
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Self:
        return cls(*row)

    @property
    def rules_applied(self) -> dict[str, Any]:
        return dict(json.loads(self.rules)) if self.rules else {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "kind": self.kind,
            "points": self.points,
            "balance": self.balance_after,
            "ref": self.ref,
            "member_id": self.member_id,
            "wallet_id": self.wallet_id,
            "amount": None if self.amount_minor is None else _money(self.amount_minor),
            "currency": self.currency,
            "terminal_id": self.terminal_id,
            "store_id": self.store_id,
            "cashier_id": self.cashier_id,
            "approver_id": self.approver_id,
            "reason": self.reason,
            "reverses": self.reverses,
            "rules": self.rules_applied,
            "created_at": self.created_at,
            "seq": self.seq,
        }


@dataclass(frozen=True, slots=True)
class Earned(Entry):
    """What ``earn`` answers: the sale's entry, and whether this call found it
    already recorded (the same bill sent twice) instead of writing it."""

    duplicate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**Entry.to_dict(self), "duplicate": self.duplicate}


def _money(minor: int) -> str:
    from ledger.money import format_minor

    return format_minor(minor).replace(",", "")


@dataclass(frozen=True, slots=True)
class Member:
    member_id: str
    phone: str | None
    name: str | None
    wallet_id: str
    consent_at: str | None
    enrolled_at: str
    balance: int
    tier: str
    spend_12m_minor: int
    # The member's latest answer about their data (None: none recorded here, e.g.
    # a member from another branch) and what a yes covers (a versioned scope id).
    consent_given: bool | None = None
    consent_scope: str | None = None
    # Brought from the shop's old system by 'pos import members' (ledger.imports).
    external_id: str | None = None
    birthday: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "phone": self.phone,
            "name": self.name,
            "tier": self.tier,
            "balance": self.balance,
            "wallet_id": self.wallet_id,
            "consent_given": self.consent_given,
            "consent_scope": self.consent_scope,
            "consent_at": self.consent_at,
            "enrolled_at": self.enrolled_at,
            "spend_12m": _money(self.spend_12m_minor),
            "external_id": self.external_id,
            "birthday": self.birthday,
        }


@dataclass(frozen=True, slots=True)
class Expiry:
    points: int
    expires_at: str


@dataclass(frozen=True, slots=True)
class TierProgress:
    tier: str
    next_tier: str | None
    spend_12m_minor: int
    spend_to_next_minor: int | None


@dataclass(frozen=True, slots=True)
class MemberCard:
    """Everything the member card shows, read in one go."""

    member: Member
    progress: TierProgress
    next_expiry: Expiry | None
    recent: tuple[Entry, ...]
    affordable_rewards: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        body = self.member.to_dict()
        body["next_tier"] = self.progress.next_tier
        body["spend_to_next_tier"] = (
            None
            if self.progress.spend_to_next_minor is None
            else _money(self.progress.spend_to_next_minor)
        )
        body["next_expiry"] = (
            None
            if self.next_expiry is None
            else {"points": self.next_expiry.points, "expires_at": self.next_expiry.expires_at}
        )
        body["recent"] = [e.to_dict() for e in self.recent]
        body["affordable_rewards"] = list(self.affordable_rewards)
        return body


@dataclass(frozen=True, slots=True)
class Coupon:
    code: str
    entry_id: str
    reward_id: str
    member_id: str
    payload: str
    issued_at: str
    expires_at: str
    status: str  # issued | used | void | expired | forged

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "payload": self.payload,
            "reward_id": self.reward_id,
            "member_id": self.member_id,
            "entry_id": self.entry_id,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class Redemption:
    entry: Entry
    coupon: Coupon | None = None
    duplicate: bool = False  # this call found the redemption already recorded

    def to_dict(self) -> dict[str, Any]:
        body = self.entry.to_dict() | {"duplicate": self.duplicate}
        if self.coupon is not None:
            body["coupon"] = self.coupon.to_dict()
        return body


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a sale slip shows: the entry, its member as of now, the member's
    next expiry and the cashier's name."""

    entry: Entry
    member: Member
    next_expiry: Expiry | None
    cashier: str | None
    member_page: str | None = None
    """Head office's page for the member (ledger.page_tokens), None without one."""


@dataclass(frozen=True, slots=True)
class Staff:
    staff_id: str
    name: str | None
    role: str

    def to_dict(self) -> dict[str, Any]:
        return {"staff_id": self.staff_id, "name": self.name, "role": self.role}


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a supervisor types to approve: their id and PIN."""

    staff_id: str
    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of ``verify``: which check, what is wrong, the first bad entry."""

    check: str
    message: str
    entry_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "message": self.message, "entry_id": self.entry_id}


@dataclass(frozen=True, slots=True)
class MemberTag:
    """Who an entry belongs to, as a list of entries shows it."""

    member_id: str
    masked_phone: str | None
    name: str | None

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.masked_phone, self.name) if part)


@dataclass(frozen=True, slots=True)
class PaidCoupon:
    """An unused coupon whose redemption spent points a reversal takes back."""

    coupon: Coupon
    points: int  # what its redemption cost: given back if the coupon is voided
    terminal_id: str  # where it was issued: only that terminal can void it

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.coupon.code,
            "reward_id": self.coupon.reward_id,
            "points": self.points,
            "redemption_id": self.coupon.entry_id,
            "terminal_id": self.terminal_id,
        }


@dataclass(frozen=True, slots=True)
class ReversalPreview:
    """What reversing ``entry`` would do now (ledger.reversal)."""

    entry: Entry
    member: Member | None  # None: no member (or erased)
    masked_phone: str | None
    points: int  # the reversal's change (points of an earn that expired are not taken back)
    balance_before: int
    coupons: tuple[PaidCoupon, ...]  # non-empty only when the balance would go below zero

    @property
    def balance_after(self) -> int:
        """With the coupons kept."""
        return self.balance_before + self.points

    @property
    def below_zero(self) -> bool:
        return self.balance_after < 0

    @property
    def balance_if_voided(self) -> int:
        return self.balance_after + sum(c.points for c in self.coupons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry.to_dict(),
            "member": None
            if self.member is None
            else {"member_id": self.member.member_id, "phone": self.masked_phone,
                  "name": self.member.name},
            "points": self.points,
            "balance_before": self.balance_before,
            "balance_after": self.balance_after,
            "below_zero": self.below_zero,
            "coupons": [c.to_dict() for c in self.coupons],
            "balance_if_voided": self.balance_if_voided,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reversal(Entry):
    """What ``reverse`` answers: the reversal entry, the coupons it voided
    (a redemption's own, or those paid with the reversed points, each with
    its redemption reversed in ``coupon_reversals``) and those kept valid."""

    voided: tuple[Coupon, ...] = ()
    kept: tuple[Coupon, ...] = ()
    coupon_reversals: tuple[Entry, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            **Entry.to_dict(self),
            "voided_coupons": [_coupon_brief(c) for c in self.voided],
            "kept_coupons": [_coupon_brief(c) for c in self.kept],
            "coupon_reversals": [e.to_dict() for e in self.coupon_reversals],
        }


def _coupon_brief(coupon: Coupon) -> dict[str, Any]:
    return {"code": coupon.code, "reward_id": coupon.reward_id, "status": coupon.status}
