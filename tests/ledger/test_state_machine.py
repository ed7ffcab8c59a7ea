"""Random sequences of counter operations against a simple model of what the
member should see: balances, idempotent bills, coupons, and nothing hidden."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from config import Settings
from ledger.clock import parse_iso
from ledger.errors import (
    ApprovalRequired,
    CouponUnusable,
    InsufficientPoints,
    InvalidAmount,
    LedgerError,
    MemberNotFound,
    NotReversible,
    RefConflict,
)
from ledger.models import Entry
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock

# Three members, each typed several ways at the counter.
PHONES: dict[str, tuple[str, ...]] = {
    "+66812345678": ("0812345678", "081-234-5678", "+66 81 234 5678"),
    "+66898765432": ("0898765432", "089 876 5432", "๐๘๙๘๗๖๕๔๓๒"),
    "+66623456789": ("0623456789", "+66623456789", "0066623456789"),
}
AMOUNTS = (
    "100",
    "250.50",
    "1,000.00",
    "24.99",
    "3000",
    "10000",
    "50000.00",
    "20,000",
    "๕๐๐",
    "0",
    "-5",
    "1e3",
    "abc",
    "12.345",
)
EARN_REFS = tuple(f"B{i}" for i in range(1, 13))
REDEEM_REFS = tuple(f"P{i}" for i in range(1, 11))
THRESHOLD = 500


def expected_minor(text: str) -> int | None:
    """What the till should make of a typed amount (None: refused)."""
    plain = text.replace(",", "").translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    try:
        value = Decimal(plain)
    except ArithmeticError:
        return None
    if (
        not value.is_finite()
        or value <= 0
        or "e" in plain.lower()
        or value != value.quantize(Decimal("0.01"))
    ):
        return None
    return int(value * 100)


class LedgerMachine(RuleBasedStateMachine):
    config: ClassVar[Settings]

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-sm-"))
        self.clock = FakeClock()
        self.book = Ledger.open(self.dir / "ledger.db", self.config, clock=self.clock)
        self.book.init("S1", "T1")
        self.book.add_staff("sup", "supervisor", SUPERVISOR.pin)
        self.tiers = [(int(t.min_spend * 100), t.multiplier) for t in self.config.tiers]
        self.rewards = {r.id: r for r in self.config.rewards}
        # The model.
        self.balance: dict[str, int] = {}
        self.member_phone: dict[str, str] = {}  # member_id -> e164
        self.spend: dict[str, list[tuple[datetime, int]]] = {}
        # ref -> (e164, amount as typed, minor, entry_id)
        self.earn_refs: dict[str, tuple[str, str, int, str]] = {}
        self.redeem_refs: dict[str, tuple[str, int, str | None, str]] = {}
        self.entries: list[Entry] = []
        self.reversed: set[str] = set()
        self.expired_of: dict[str, int] = {}  # lot (entry id) -> points expired from it
        self.coupons: dict[str, dict[str, str]] = {}  # code -> payload, entry, expires, state
        self.written: list[str] = []  # entry ids written by this step
        self.last_seq = 0

    def teardown(self) -> None:
        self.book.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers -------------------------------------------------------------

    def _record(self, entry: Entry, phone: str) -> None:
        self.balance[phone] += entry.points
        assert entry.balance_after == self.balance[phone]
        self.entries.append(entry)
        self.written.append(entry.entry_id)

    def _multiplier(self, phone: str) -> Decimal:
        since = self.clock.now - timedelta(days=365)
        spend = sum(minor for at, minor in self.spend[phone] if at >= since)
        chosen = self.tiers[0][1]
        for floor, multiplier in self.tiers:
            if spend >= floor:
                chosen = multiplier
        return chosen

    # -- rules ---------------------------------------------------------------

    @initialize(
        spelling=st.integers(0, 2),
        amounts=st.lists(st.sampled_from(["1000", "5,000", "20000.00"]), min_size=2, max_size=2),
    )
    def open_with_two_members(self, spelling: int, amounts: list[str]) -> None:
        # The third phone stays unknown until the enroll rule picks it.
        for index, key in enumerate(sorted(PHONES)[1:]):
            self.enroll(key, spelling)
            self.earn(key, spelling, amounts[index], f"OPEN{index}")

    @rule(key=st.sampled_from(sorted(PHONES)), spelling=st.integers(0, 2))
    def enroll(self, key: str, spelling: int) -> None:
        member, created = self.book.enroll(PHONES[key][spelling])
        assert member.phone == key
        assert created == (key not in self.balance)
        if created:
            self.balance[key] = 0
            self.spend[key] = []
            self.member_phone[member.member_id] = key
        assert member.balance == self.balance[key]

    @rule(
        key=st.sampled_from(sorted(PHONES)),
        spelling=st.integers(0, 2),
        amount=st.sampled_from(AMOUNTS),
        ref=st.sampled_from(EARN_REFS),
    )
    def earn(self, key: str, spelling: int, amount: str, ref: str) -> None:
        typed = PHONES[key][spelling]
        minor = expected_minor(amount)
        if minor is None:
            with pytest.raises(InvalidAmount):
                self.book.earn(typed, amount, ref)
            return
        if key not in self.balance:
            with pytest.raises(MemberNotFound):
                self.book.earn(typed, amount, ref)
            return
        if ref in self.earn_refs:
            phone, _, first_minor, first_id = self.earn_refs[ref]
            if (phone, first_minor) != (key, minor):
                with pytest.raises(RefConflict):
                    self.book.earn(typed, amount, ref)
                return
            again = self.book.earn(typed, amount, ref)
            assert again.duplicate
            assert again.entry_id == first_id
            return
        points = int(
            (Decimal(minor // 2500) * self._multiplier(key)).to_integral_value(ROUND_FLOOR)
        )
        entry = self.book.earn(typed, amount, ref)
        assert not entry.duplicate
        assert (entry.kind, entry.points, entry.amount_minor, entry.ref) == (
            "earn",
            points,
            minor,
            ref,
        )
        self._record(entry, key)
        self.earn_refs[ref] = (key, amount, minor, entry.entry_id)
        self.spend[key].append((self.clock.now, minor))

    @rule(
        key=st.sampled_from(sorted(PHONES)),
        ref=st.sampled_from(REDEEM_REFS),
        points=st.one_of(st.none(), st.integers(1, 60), st.integers(1, 700)),
        reward=st.sampled_from(["COFFEE", "DISC50", "DISC100", "PCT10", "VOUCHER500"]),
        approve=st.booleans(),
    )
    def redeem(self, key: str, ref: str, points: int | None, reward: str, approve: bool) -> None:
        reward_id = None if points is not None else reward
        cost = points if points is not None else self.rewards[reward].points
        approval = SUPERVISOR if approve else None

        def call() -> object:
            return self.book.redeem(
                PHONES[key][0], ref=ref, points=points, reward_id=reward_id, approval=approval
            )

        if key not in self.balance:
            with pytest.raises(MemberNotFound):
                call()
            return
        if ref in self.redeem_refs:
            phone, first_cost, first_reward, first_id = self.redeem_refs[ref]
            if (phone, first_cost, first_reward) != (key, cost, reward_id):
                with pytest.raises(RefConflict):
                    call()
                return
            again = self.book.redeem(
                PHONES[key][0], ref=ref, points=points, reward_id=reward_id, approval=approval
            )
            assert again.duplicate
            assert again.entry.entry_id == first_id
            return
        if self.balance[key] < cost:
            with pytest.raises(InsufficientPoints) as info:
                call()
            assert f"has {self.balance[key]} points" in info.value.message
            return
        if cost > THRESHOLD and not approve:
            with pytest.raises(ApprovalRequired):
                call()
            return
        done = self.book.redeem(
            PHONES[key][0], ref=ref, points=points, reward_id=reward_id, approval=approval
        )
        assert not done.duplicate
        assert done.entry.points == -cost
        assert done.entry.approver_id == ("sup" if approve else None)
        self._record(done.entry, key)
        self.redeem_refs[ref] = (key, cost, reward_id, done.entry.entry_id)
        if reward_id is None:
            assert done.coupon is None
        else:
            assert done.coupon is not None
            assert done.coupon.reward_id == reward_id
            self.coupons[done.coupon.code] = {
                "payload": done.coupon.payload,
                "entry": done.entry.entry_id,
                "expires": done.coupon.expires_at,
                "state": "issued",
            }

    @precondition(lambda self: bool(self.earn_refs))
    @rule(pick=st.integers(0, 10**6), spelling=st.integers(0, 2))
    def press_enter_twice(self, pick: int, spelling: int) -> None:
        ref = sorted(self.earn_refs)[pick % len(self.earn_refs)]
        phone, amount, _, first_id = self.earn_refs[ref]
        before = self.balance[phone]
        again = self.book.earn(PHONES[phone][spelling], amount, ref)
        assert again.duplicate
        assert again.entry_id == first_id
        assert self.book.member(phone).balance == before

    def _coupon_state(self, code: str) -> str:
        info = self.coupons[code]
        if info["state"] == "issued" and parse_iso(info["expires"]) <= self.clock.now:
            return "expired"
        return info["state"]

    @precondition(lambda self: bool(self.coupons))
    @rule(pick=st.integers(0, 10**6), by_payload=st.booleans())
    def use_coupon(self, pick: int, by_payload: bool) -> None:
        code = sorted(self.coupons)[pick % len(self.coupons)]
        text = self.coupons[code]["payload"] if by_payload else code
        state = self._coupon_state(code)
        assert self.book.check_coupon(text).status == state
        if state != "issued":
            with pytest.raises(CouponUnusable):
                self.book.use_coupon(text)
            return
        assert self.book.use_coupon(text).status == "used"
        self.coupons[code]["state"] = "used"

    @precondition(lambda self: bool(self.entries))
    @rule(pick=st.integers(0, 10**6))
    def reverse(self, pick: int) -> None:
        original = self.entries[pick % len(self.entries)]
        phone = self.member_phone[original.member_id or ""]
        coupon = next((c for c, i in self.coupons.items() if i["entry"] == original.entry_id), None)
        if (
            original.kind in ("reverse", "expire")
            or original.entry_id in self.reversed
            or (coupon is not None and self.coupons[coupon]["state"] == "used")
        ):
            with pytest.raises(NotReversible):
                self.book.reverse(original.entry_id, "test reversal", SUPERVISOR)
            return
        # Coupons paid with the reversed points stay valid ("keep", as before
        # the choice existed): the model's coupon states need no change.
        entry = self.book.reverse(original.entry_id, "test reversal", SUPERVISOR, coupons="keep")
        assert entry.kind == "reverse"
        # Points that already expired are gone: only the rest is taken back.
        assert entry.points == -(original.points - self.expired_of.get(original.entry_id, 0))
        assert entry.reverses == original.entry_id
        assert entry.approver_id == "sup"
        self._record(entry, phone)
        self.reversed.add(original.entry_id)
        if original.kind == "earn":
            assert original.amount_minor is not None
            self.spend[phone].append((self.clock.now, -original.amount_minor))
        if coupon is not None:
            self.coupons[coupon]["state"] = "void"
            assert self.book.check_coupon(coupon).status == "void"

    @rule(key=st.sampled_from(sorted(PHONES)), change=st.integers(-300, 300).filter(bool))
    def adjust(self, key: str, change: int) -> None:
        if key not in self.balance:
            with pytest.raises(MemberNotFound):
                self.book.adjust(PHONES[key][1], change, "goodwill", SUPERVISOR)
            return
        if change < 0 and self.balance[key] < -change:
            with pytest.raises(InsufficientPoints):
                self.book.adjust(PHONES[key][1], change, "goodwill", SUPERVISOR)
            return
        entry = self.book.adjust(PHONES[key][1], change, "goodwill", SUPERVISOR)
        assert (entry.kind, entry.points, entry.approver_id) == ("adjust", change, "sup")
        self._record(entry, key)

    @rule(days=st.integers(1, 150))
    def advance_and_expire(self, days: int) -> None:
        self.clock.advance(days=days)
        for entry in self.book.expire():
            assert entry.kind == "expire"
            assert entry.points < 0
            lots = entry.rules_applied["lots"]
            assert sum(lots.values()) == -entry.points
            for lot, points in lots.items():
                self.expired_of[lot] = self.expired_of.get(lot, 0) + points
            self._record(entry, self.member_phone[entry.member_id or ""])
        assert self.book.expire() == []

    # -- invariants ----------------------------------------------------------

    @invariant()
    def ledger_verifies(self) -> None:
        assert self.book.verify() == []

    @invariant()
    def balances_match_the_model_and_the_history(self) -> None:
        for phone, expected in self.balance.items():
            assert self.book.member(phone).balance == expected
            history = self.book.history(phone, limit=10_000)
            assert sum(e.points for e in history) == expected

    @invariant()
    def every_bill_earned_exactly_once(self) -> None:
        conn = self.book.conn
        for kind, refs in (("earn", self.earn_refs), ("redeem", self.redeem_refs)):
            counts = dict(
                conn.execute(
                    "SELECT ref, count(*) FROM entries WHERE kind = ? GROUP BY ref", (kind,)
                ).fetchall()
            )
            assert counts == dict.fromkeys(refs, 1)

    @invariant()
    def nothing_written_behind_the_models_back(self) -> None:
        rows = self.book.conn.execute(
            "SELECT entry_id, seq FROM entries WHERE seq > ? ORDER BY seq", (self.last_seq,)
        ).fetchall()
        assert [r[0] for r in rows] == self.written
        if rows:
            self.last_seq = rows[-1][1]
        self.written = []


def test_random_counter_sessions_keep_the_books_straight(settings: Settings) -> None:
    LedgerMachine.config = settings
    run_state_machine_as_test(
        LedgerMachine,
        settings=hypothesis_settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_expected_minor_agrees_with_the_parser() -> None:
    from ledger.money import parse_amount

    for text in AMOUNTS:
        minor = expected_minor(text)
        if minor is None:
            with pytest.raises(LedgerError):
                parse_amount(text)
        else:
            assert parse_amount(text) == minor
