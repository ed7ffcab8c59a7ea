"""The ledger's front door on a real SQLite file: what a cashier, a supervisor and a
member would notice."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from config import Settings
from ledger.clock import parse_iso
from ledger.errors import (
    ApprovalRequired,
    CorruptDatabase,
    CouponUnusable,
    InsufficientPoints,
    InvalidAmount,
    InvalidInput,
    InvalidPhone,
    MemberNotFound,
    NotPermitted,
    NotReversible,
    RefConflict,
    StaffLocked,
    StaffNotFound,
    WeakPin,
    WrongPin,
)
from ledger.models import Credentials
from ledger.service import Ledger
from tests.conftest import CASHIER_ID, SUPERVISOR, FakeClock

PHONE = "0812345678"
E164 = "+66812345678"
OTHER = "0898765432"
CASHIER = Credentials(CASHIER_ID, "1357")


def entry_count(ledger: Ledger) -> int:
    return int(ledger.conn.execute("SELECT count(*) FROM entries").fetchone()[0])


def balance(ledger: Ledger, phone: str = PHONE) -> int:
    return ledger.member(phone).balance


def history_sum(ledger: Ledger, phone: str = PHONE) -> int:
    return sum(e.points for e in ledger.history(phone, limit=10_000))


@pytest.fixture
def member(ledger: Ledger) -> Ledger:
    ledger.enroll(PHONE)
    return ledger


# -- members -----------------------------------------------------------------


def test_every_spelling_of_a_phone_enrolls_one_member(ledger: Ledger) -> None:
    first, created = ledger.enroll("081-234-5678", name="Somchai")
    assert created
    assert first.phone == E164
    for spelling in ("0812345678", "+66 81 234 5678", "0066812345678", "๐๘๑๒๓๔๕๖๗๘"):
        again, created = ledger.enroll(spelling)
        assert not created
        assert again.member_id == first.member_id
        assert again.wallet_id == first.wallet_id
    assert ledger.conn.execute("SELECT count(*) FROM members").fetchone()[0] == 1
    assert ledger.member("(081) 234 5678").name == "Somchai"


def test_points_earned_under_one_spelling_show_under_another(member: Ledger) -> None:
    member.earn("081-234-5678", "1000.00", "B1")
    assert balance(member, "+66 81 234 5678") == 40


def test_an_invalid_phone_enrolls_nobody(ledger: Ledger) -> None:
    with pytest.raises(InvalidPhone):
        ledger.enroll("08123")
    assert ledger.conn.execute("SELECT count(*) FROM members").fetchone()[0] == 0


def test_earning_for_an_unknown_phone_says_enroll_first(ledger: Ledger) -> None:
    with pytest.raises(MemberNotFound) as info:
        ledger.earn(PHONE, "100.00", "B1")
    assert "enroll" in info.value.message
    assert "08x-xxx-5678" in info.value.message
    assert entry_count(ledger) == 0


# -- earning -----------------------------------------------------------------


def test_earn_one_point_per_25_rounded_down(member: Ledger) -> None:
    entry = member.earn(PHONE, "1000.00", "B1", cashier_id=CASHIER_ID)
    assert entry.kind == "earn"
    assert entry.points == 40
    assert entry.amount_minor == 100000
    assert entry.currency == "THB"
    assert entry.cashier_id == CASHIER_ID
    assert entry.balance_after == 40
    assert entry.rules_applied["base_rate"] == "25.00"
    assert entry.rules_applied["multiplier"] == "1"
    assert entry.rules_applied["tier"] == "member"
    assert member.earn(PHONE, "49.99", "B2").points == 1
    assert member.earn(PHONE, Decimal("24.99"), "B3").points == 0
    assert balance(member) == 41 == history_sum(member)
    assert member.verify() == []


def test_silver_tier_multiplies_after_10000_spent(member: Ledger) -> None:
    assert member.earn(PHONE, "10,000.00", "B1").points == 400
    assert member.member(PHONE).tier == "silver"
    entry = member.earn(PHONE, "100.00", "B2")
    assert entry.points == 5
    rules = entry.rules_applied
    assert rules["base_rate"] == "25.00"
    assert rules["base_points"] == 4
    assert rules["tier"] == "silver"
    assert rules["multiplier"] == "1.25"
    assert rules["tier_bonus"] == 1
    assert balance(member) == 405


def test_gold_tier_and_the_rolling_window(member: Ledger, clock: FakeClock) -> None:
    member.earn(PHONE, "50000.00", "B1")
    assert member.member(PHONE).tier == "gold"
    assert member.earn(PHONE, "100.00", "B2").points == 6  # 4 x 1.5
    card = member.card(PHONE)
    assert card.progress.tier == "gold"
    assert card.progress.next_tier is None
    # A year later the big sale has left the 12-month window: back to member.
    clock.advance(days=366)
    assert member.member(PHONE).tier == "member"
    assert member.earn(PHONE, "100.00", "B3").points == 4


def test_card_shows_progress_to_the_next_tier(member: Ledger) -> None:
    member.earn(PHONE, "2500.00", "B1")
    card = member.card(PHONE)
    assert card.progress.tier == "member"
    assert card.progress.next_tier == "silver"
    assert card.progress.spend_to_next_minor == 750000


def test_the_same_bill_twice_never_doubles_points(member: Ledger) -> None:
    first = member.earn(PHONE, "1000.00", "B1")
    assert not first.duplicate
    count = entry_count(member)
    again = member.earn("081-234-5678", "1,000", "B1")
    assert again.duplicate
    assert again.entry_id == first.entry_id
    assert again.points == 40
    assert balance(member) == 40
    assert entry_count(member) == count
    rows = member.conn.execute(
        "SELECT count(*) FROM entries WHERE kind = 'earn' AND ref = 'B1'"
    ).fetchone()
    assert rows[0] == 1


def test_the_same_bill_with_another_amount_or_member_is_a_conflict(member: Ledger) -> None:
    member.earn(PHONE, "1000.00", "B1")
    member.enroll(OTHER)
    count = entry_count(member)
    with pytest.raises(RefConflict) as info:
        member.earn(PHONE, "1001.00", "B1")
    assert "B1" in info.value.message
    with pytest.raises(RefConflict):
        member.earn(OTHER, "1000.00", "B1")
    assert entry_count(member) == count
    assert balance(member) == 40
    assert balance(member, OTHER) == 0


def test_a_float_amount_is_refused_and_nothing_is_written(member: Ledger) -> None:
    with pytest.raises(InvalidAmount):
        member.earn(PHONE, 250.0, "B1")
    with pytest.raises(InvalidAmount):
        member.earn(PHONE, "1000000.01", "B2")  # above earn.max_sale
    assert entry_count(member) == 0


def test_an_unknown_cashier_is_refused(member: Ledger) -> None:
    with pytest.raises(StaffNotFound):
        member.earn(PHONE, "100.00", "B1", cashier_id="nobody")
    assert entry_count(member) == 0


# -- redeeming ---------------------------------------------------------------


def test_redeeming_more_than_the_balance_says_how_many_points_there_are(
    member: Ledger,
) -> None:
    member.earn(PHONE, "1000.00", "B1")
    with pytest.raises(InsufficientPoints) as info:
        member.redeem(PHONE, ref="R1", points=41)
    assert "40 points" in info.value.message
    assert "41" in info.value.message
    assert balance(member) == 40


def test_a_big_redemption_needs_a_supervisor(member: Ledger) -> None:
    member.earn(PHONE, "20000.00", "B1")  # 800 points
    count = entry_count(member)
    with pytest.raises(ApprovalRequired):
        member.redeem(PHONE, ref="R1", points=501)
    assert entry_count(member) == count
    assert balance(member) == 800

    with pytest.raises(NotPermitted) as info:
        member.redeem(PHONE, ref="R1", points=501, approval=CASHIER)
    assert "supervisor" in info.value.message
    assert entry_count(member) == count

    with pytest.raises(WrongPin):
        member.redeem(PHONE, ref="R1", points=501, approval=Credentials("sup", "9999"))
    assert entry_count(member) == count

    done = member.redeem(PHONE, ref="R1", points=501, approval=SUPERVISOR)
    assert done.entry.approver_id == "sup"
    assert done.entry.points == -501
    assert done.coupon is None
    assert balance(member) == 299
    assert member.verify() == []


def test_a_redemption_at_the_threshold_needs_no_supervisor(member: Ledger) -> None:
    member.earn(PHONE, "20000.00", "B1")
    done = member.redeem(PHONE, ref="R1", points=500)
    assert done.entry.approver_id is None
    assert balance(member) == 300


def test_the_same_redemption_twice_spends_once(member: Ledger) -> None:
    member.earn(PHONE, "5000.00", "B1")  # 200
    first = member.redeem(PHONE, ref="R1", reward_id="COFFEE")
    again = member.redeem(PHONE, ref="R1", reward_id="COFFEE")
    assert again.duplicate
    assert again.entry.entry_id == first.entry.entry_id
    assert first.coupon is not None and again.coupon is not None
    assert again.coupon.code == first.coupon.code
    assert balance(member) == 100
    with pytest.raises(RefConflict):
        member.redeem(PHONE, ref="R1", points=100)


def test_retrying_a_reward_redemption_as_typed_returns_the_first(member: Ledger) -> None:
    member.earn(PHONE, "5000.00", "B1")
    first = member.redeem(PHONE, ref="R1", reward_id="coffee")
    again = member.redeem(PHONE, ref="R1", reward_id="coffee")
    assert again.duplicate
    assert again.entry.entry_id == first.entry.entry_id
    assert balance(member) == 100


# -- coupons -----------------------------------------------------------------


def _other_char(ch: str) -> str:
    return "B" if ch.upper() != "B" else "C"


def test_a_reward_issues_a_coupon_that_is_used_once(member: Ledger) -> None:
    member.earn(PHONE, "5000.00", "B1")  # 200
    done = member.redeem(PHONE, ref="R1", reward_id="coffee")
    coupon = done.coupon
    assert coupon is not None
    assert coupon.reward_id == "COFFEE"
    assert done.entry.points == -100
    assert balance(member) == 100

    assert member.check_coupon(coupon.code).status == "issued"
    assert member.check_coupon(coupon.payload).status == "issued"
    typed = f"{coupon.code[:4]}-{coupon.code[4:]}".lower()
    assert member.check_coupon(typed).status == "issued"

    used = member.use_coupon(coupon.payload, cashier_id=CASHIER_ID)
    assert used.status == "used"
    assert member.check_coupon(coupon.code).status == "used"
    with pytest.raises(CouponUnusable) as info:
        member.use_coupon(coupon.code)
    assert "already used" in info.value.message
    # A used coupon's redemption cannot be taken back.
    with pytest.raises(NotReversible):
        member.reverse(done.entry.entry_id, "changed mind", SUPERVISOR)
    assert balance(member) == 100


def test_an_altered_coupon_is_forged(member: Ledger) -> None:
    member.earn(PHONE, "10000.00", "B1")
    coupon = member.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    head, signature = coupon.payload.rsplit(":", 1)
    for index in (0, len(signature) // 2, len(signature) - 1):
        changed = signature[:index] + _other_char(signature[index]) + signature[index + 1 :]
        assert member.check_coupon(f"{head}:{changed}").status == "forged"
    # The same signature on a dearer reward.
    upgraded = coupon.payload.replace(":COFFEE:", ":VOUCHER500:")
    assert upgraded != coupon.payload
    assert member.check_coupon(upgraded).status == "forged"
    later = coupon.payload.replace(coupon.expires_at[:4], str(int(coupon.expires_at[:4]) + 5))
    assert member.check_coupon(later).status == "forged"
    with pytest.raises(CouponUnusable):
        member.use_coupon(upgraded)
    # The genuine one is still good.
    assert member.check_coupon(coupon.payload).status == "issued"


def test_a_coupon_expires_after_its_validity(member: Ledger, clock: FakeClock) -> None:
    member.earn(PHONE, "5000.00", "B1")
    coupon = member.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon  # 30 days
    assert coupon is not None
    clock.advance(days=29)
    assert member.check_coupon(coupon.code).status == "issued"
    clock.advance(days=2)
    assert member.check_coupon(coupon.code).status == "expired"
    assert member.check_coupon(coupon.payload).status == "expired"
    with pytest.raises(CouponUnusable) as info:
        member.use_coupon(coupon.code)
    assert info.value.details["status"] == "expired"


def test_reversing_a_redemption_voids_its_coupon_and_gives_points_back(
    member: Ledger,
) -> None:
    member.earn(PHONE, "5000.00", "B1")
    done = member.redeem(PHONE, ref="R1", reward_id="DISC50")
    assert done.coupon is not None
    assert balance(member) == 0
    back = member.reverse(done.entry.entry_id, "wrong reward", SUPERVISOR)
    assert back.kind == "reverse"
    assert back.points == 200
    assert back.reverses == done.entry.entry_id
    assert back.approver_id == "sup"
    assert balance(member) == 200
    assert member.check_coupon(done.coupon.code).status == "void"
    with pytest.raises(CouponUnusable):
        member.use_coupon(done.coupon.payload)
    with pytest.raises(NotReversible):
        member.reverse(done.entry.entry_id, "again", SUPERVISOR)
    with pytest.raises(NotReversible):
        member.reverse(back.entry_id, "undo the undo", SUPERVISOR)
    assert balance(member) == 200
    assert member.verify() == []


def test_reversal_needs_a_supervisor_and_a_reason(member: Ledger) -> None:
    entry = member.earn(PHONE, "1000.00", "B1")
    count = entry_count(member)
    with pytest.raises(NotPermitted):
        member.reverse(entry.entry_id, "typo", CASHIER)
    with pytest.raises(InvalidInput):
        member.reverse(entry.entry_id, "   ", SUPERVISOR)
    assert entry_count(member) == count
    assert balance(member) == 40


def test_reversing_spent_points_goes_below_zero_with_approval(member: Ledger) -> None:
    earn = member.earn(PHONE, "1000.00", "B1")
    member.redeem(PHONE, ref="R1", points=40)
    back = member.reverse(earn.entry_id, "wrong member", SUPERVISOR)
    assert back.points == -40
    assert back.amount_minor == -100000
    assert back.approver_id == "sup"
    assert balance(member) == -40 == history_sum(member)
    assert member.verify() == []
    # New points pay the debt first; nothing can be redeemed until it is paid.
    member.earn(PHONE, "1500.00", "B2")
    assert balance(member) == 20
    with pytest.raises(InsufficientPoints):
        member.redeem(PHONE, ref="R2", points=21)
    member.redeem(PHONE, ref="R2", points=20)
    assert balance(member) == 0
    assert member.verify() == []


def test_reversing_an_earn_whose_points_expired_does_not_take_newer_points(
    member: Ledger, clock: FakeClock
) -> None:
    old = member.earn(PHONE, "1000.00", "B1")  # 40, expired below
    clock.advance(days=366)
    member.expire()
    member.earn(PHONE, "1000.00", "B2")  # 40, a real sale
    assert balance(member) == 40
    back = member.reverse(old.entry_id, "B1 was another customer's bill", SUPERVISOR)
    # B1's points are already gone; B2's 40 points are the member's.
    assert back.points == 0
    assert balance(member) == 40 == history_sum(member)
    assert member.verify() == []


def test_reversing_a_partly_spent_partly_expired_earn_takes_back_what_was_spent(
    member: Ledger, clock: FakeClock
) -> None:
    old = member.earn(PHONE, "1000.00", "B1")  # 40
    member.redeem(PHONE, ref="R1", points=30)  # 10 left in B1's lot
    clock.advance(days=366)
    assert [e.points for e in member.expire()] == [-10]
    member.earn(PHONE, "1000.00", "B2")  # 40
    back = member.reverse(old.entry_id, "wrong member", SUPERVISOR)
    assert back.points == -30
    assert back.rules_applied["already_expired"] == 10
    assert balance(member) == 10 == history_sum(member)
    assert member.verify() == []


# -- adjustments -------------------------------------------------------------


def test_an_adjustment_needs_a_reason_and_a_supervisor(member: Ledger) -> None:
    member.earn(PHONE, "1000.00", "B1")
    count = entry_count(member)
    for reason in ("", "   ", None):
        with pytest.raises(InvalidInput) as info:
            member.adjust(PHONE, 10, reason, SUPERVISOR)  # type: ignore[arg-type]
        assert "reason" in info.value.message
    with pytest.raises(NotPermitted):
        member.adjust(PHONE, 10, "goodwill", CASHIER)
    assert entry_count(member) == count

    up = member.adjust(PHONE, "10", "goodwill", SUPERVISOR)
    assert (up.kind, up.points, up.reason, up.approver_id) == ("adjust", 10, "goodwill", "sup")
    down = member.adjust(PHONE, -30, "duplicate slip", SUPERVISOR)
    assert down.points == -30
    assert balance(member) == 20
    with pytest.raises(InsufficientPoints):
        member.adjust(PHONE, -21, "too much", SUPERVISOR)
    assert balance(member) == 20 == history_sum(member)
    assert member.verify() == []


# -- expiry (FIFO) -----------------------------------------------------------


def test_expiry_removes_only_the_lot_that_ran_out(member: Ledger, clock: FakeClock) -> None:
    start = clock.now
    member.earn(PHONE, "1000.00", "B1")  # 40 at t0
    clock.advance(days=100)
    second = member.earn(PHONE, "500.00", "B2")  # 20 at t0+100
    card = member.card(PHONE)
    assert card.next_expiry is not None
    assert card.next_expiry.points == 40
    assert parse_iso(card.next_expiry.expires_at) == start + timedelta(days=365)

    clock.now = start + timedelta(days=364)
    assert member.expire() == []
    assert balance(member) == 60

    clock.now = start + timedelta(days=366)
    made = member.expire()
    assert [(e.kind, e.points) for e in made] == [("expire", -40)]
    assert made[0].member_id == member.member(PHONE).member_id
    assert balance(member) == 20 == history_sum(member)
    card = member.card(PHONE)
    assert card.next_expiry is not None
    assert card.next_expiry.points == 20
    assert parse_iso(card.next_expiry.expires_at) == parse_iso(second.created_at) + timedelta(
        days=365
    )
    # Running it again changes nothing.
    assert member.expire() == []
    assert balance(member) == 20
    assert member.verify() == []


def test_a_redemption_spends_the_oldest_points_first(member: Ledger, clock: FakeClock) -> None:
    start = clock.now
    member.earn(PHONE, "1000.00", "B1")  # 40 at t0
    clock.advance(days=100)
    member.earn(PHONE, "1000.00", "B2")  # 40 at t0+100
    member.redeem(PHONE, ref="R1", points=30)  # from the t0 lot: 10 left there
    card = member.card(PHONE)
    assert card.next_expiry is not None
    assert card.next_expiry.points == 10

    clock.now = start + timedelta(days=366)
    made = member.expire()
    assert [e.points for e in made] == [-10]
    assert balance(member) == 40
    card = member.card(PHONE)
    assert card.next_expiry is not None
    assert card.next_expiry.points == 40
    assert member.verify() == []


def test_an_earn_after_the_expiry_date_expires_the_old_lot_first(
    member: Ledger, clock: FakeClock
) -> None:
    member.earn(PHONE, "1000.00", "B1")
    clock.advance(days=400)
    member.earn(PHONE, "250.00", "B2")  # nobody ran expire(): the earn does it
    assert balance(member) == 10
    kinds = [e.kind for e in member.history(PHONE)]
    assert kinds.count("expire") == 1
    assert member.verify() == []


# -- staff and PINs ----------------------------------------------------------


@pytest.mark.parametrize("pin", ["0000", "1234", "1111", "9876", "123", "12a4", "", "2580"])
def test_trivial_pins_are_refused(ledger: Ledger, pin: str) -> None:
    with pytest.raises(WeakPin):
        ledger.add_staff("newbie", "cashier", pin)
    with pytest.raises(StaffNotFound):
        ledger.staff("newbie")


def test_a_pin_is_stored_only_as_a_salted_scrypt_hash(ledger: Ledger) -> None:
    ledger.add_staff("sup2", "supervisor", "2468")
    rows = dict(ledger.conn.execute("SELECT staff_id, pin_hash FROM staff").fetchall())
    assert rows["sup"] != "2468"
    assert rows["sup"].startswith("scrypt-hmac$")
    # Same PIN, different salt: the hashes differ.
    assert rows["sup2"].startswith("scrypt-hmac$")
    assert rows["sup2"] != rows["sup"]
    assert ledger.authenticate("sup2", "2468").role == "supervisor"


def test_wrong_pins_count_down_and_a_right_pin_resets(ledger: Ledger) -> None:
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as info:
            ledger.authenticate("sup", "9999")
        assert f"{left} more" in info.value.message
    assert ledger.authenticate("sup", "2468").staff_id == "sup"
    for _ in range(4):
        with pytest.raises(WrongPin):
            ledger.authenticate("sup", "9999")
    assert ledger.authenticate("sup", "2468").staff_id == "sup"


def test_the_fifth_wrong_pin_says_locked(ledger: Ledger) -> None:
    for _ in range(4):
        with pytest.raises(WrongPin):
            ledger.authenticate("sup", "9999")
    with pytest.raises(StaffLocked):
        ledger.authenticate("sup", "9999")


def _lock(ledger: Ledger, staff_id: str = "sup", attempts: int = 5) -> None:
    for _ in range(attempts - 1):
        with pytest.raises(WrongPin):
            ledger.authenticate(staff_id, "9999")
    with pytest.raises(StaffLocked):
        ledger.authenticate(staff_id, "9999")


def test_a_locked_pin_stays_locked_even_after_a_restart(
    ledger: Ledger, db_path: Path, settings: Settings, clock: FakeClock
) -> None:
    _lock(ledger)
    with pytest.raises(StaffLocked):
        ledger.authenticate("sup", "2468")  # even the right PIN
    ledger.close()
    with Ledger.open(db_path, settings, clock=clock) as book:
        with pytest.raises(StaffLocked) as info:
            book.authenticate("sup", "2468")
        assert "1 min" in info.value.message
        # A locked supervisor approves nothing.
        book.enroll(PHONE)
        with pytest.raises(StaffLocked):
            book.adjust(PHONE, 10, "goodwill", SUPERVISOR)
        assert entry_count(book) == 0


def test_the_lock_lasts_lock_seconds_then_doubles(
    ledger: Ledger, settings: Settings, clock: FakeClock
) -> None:
    seconds = settings.staff.lock_seconds
    _lock(ledger)
    clock.advance(seconds=seconds - 1)
    with pytest.raises(StaffLocked):
        ledger.authenticate("sup", "2468")
    clock.advance(seconds=2)
    # The first lock is over; five more wrong PINs lock twice as long.
    _lock(ledger)
    clock.advance(seconds=seconds + 1)
    with pytest.raises(StaffLocked):
        ledger.authenticate("sup", "2468")
    clock.advance(seconds=seconds)
    assert ledger.authenticate("sup", "2468").staff_id == "sup"


def test_a_lock_never_blocks_another_staff_member(ledger: Ledger) -> None:
    ledger.add_staff("sup2", "supervisor", "3579")
    _lock(ledger)
    assert ledger.authenticate("sup2", "3579").staff_id == "sup2"


# -- the file itself ---------------------------------------------------------


def test_the_coupon_key_lives_beside_the_db_readable_by_the_owner_only(
    member: Ledger, db_path: Path
) -> None:
    member.earn(PHONE, "5000.00", "B1")
    member.redeem(PHONE, ref="R1", reward_id="COFFEE")
    secrets = member.secrets_path
    assert secrets.exists()
    assert secrets.resolve() != db_path.resolve()
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    key = json.loads(secrets.read_text())["coupon_key"]
    assert len(key) >= 64
    stored = b"".join(
        p.read_bytes()
        for p in db_path.parent.iterdir()
        if p.name.startswith(db_path.name) and p != secrets
    )
    assert key.encode() not in stored
    assert bytes.fromhex(key) not in stored
    dump = "\n".join(member.conn.iterdump())
    assert key not in dump


def test_journal_entries_cannot_be_updated_or_deleted(member: Ledger) -> None:
    entry = member.earn(PHONE, "1000.00", "B1")
    with pytest.raises(sqlite3.DatabaseError) as info:
        member.conn.execute(
            "UPDATE entries SET points = 4000 WHERE entry_id = ?", (entry.entry_id,)
        )
    assert "append-only" in str(info.value)
    with pytest.raises(sqlite3.DatabaseError):
        member.conn.execute("DELETE FROM entries WHERE entry_id = ?", (entry.entry_id,))
    with pytest.raises(sqlite3.DatabaseError):
        member.conn.execute("DELETE FROM entries")
    assert member.entry(entry.entry_id).points == 40
    assert entry_count(member) == 1
    assert member.verify() == []


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database, it is a shopping list\n" * 20,
        b"SQLite format 3\x00" + b"\xff" * 2000,
    ],
    ids=["text", "bad-pages"],
)
def test_a_damaged_file_is_refused_naming_the_file(
    tmp_path: Path, settings: Settings, content: bytes
) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(content)
    with pytest.raises(CorruptDatabase) as info:
        Ledger.open(path, settings)
    assert str(path) in info.value.message
    assert path.read_bytes() == content  # and it is left as it was
