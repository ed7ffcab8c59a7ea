"""Reversing an entry whose points were spent on coupons (issue 11, item 4):
the ledger says beforehand what would happen, refuses without a choice, and
either voids the coupons paid with the points or keeps them, in one transaction."""

from __future__ import annotations

import pytest

from ledger.coupons import display_code
from ledger.errors import CouponChoiceRequired, CouponUnusable, InvalidInput, NotReversible
from ledger.models import Coupon
from ledger.service import Ledger
from tests.conftest import SUPERVISOR

PHONE = "0812345678"


def entry_count(ledger: Ledger) -> int:
    return int(ledger.conn.execute("SELECT count(*) FROM entries").fetchone()[0])


def balance(ledger: Ledger) -> int:
    return ledger.member(PHONE).balance


def history_sum(ledger: Ledger) -> int:
    return sum(e.points for e in ledger.history(PHONE, limit=10_000))


def status(ledger: Ledger, coupon: Coupon) -> str:
    return ledger.check_coupon(coupon.payload).status


@pytest.fixture
def spent(ledger: Ledger) -> tuple[Ledger, str, Coupon]:
    """The -690 case: a 690-point sale, 600 of it spent on PCT10 (a coupon
    still unused), the last 90 redeemed as points. Returns the sale's id."""
    ledger.enroll(PHONE, name="Somchai Jaidee", consent=True)
    sale = ledger.earn(PHONE, "17250.00", "BILL-1")
    assert sale.points == 690
    coupon = ledger.redeem(PHONE, ref="R1", reward_id="PCT10", approval=SUPERVISOR).coupon
    assert coupon is not None
    ledger.redeem(PHONE, ref="R2", points=90)
    assert balance(ledger) == 0
    return ledger, sale.entry_id, coupon


def test_the_preview_shows_member_balances_and_the_coupon_paid_with_the_points(
    spent: tuple[Ledger, str, Coupon],
) -> None:
    ledger, sale_id, coupon = spent
    count = entry_count(ledger)
    seen = ledger.reversal_preview(sale_id)
    assert seen.entry.entry_id == sale_id
    assert seen.member is not None and seen.member.name == "Somchai Jaidee"
    assert seen.masked_phone is not None and "5678" in seen.masked_phone
    assert "2345" not in seen.masked_phone
    assert (seen.points, seen.balance_before, seen.balance_after) == (-690, 0, -690)
    assert seen.below_zero
    assert [(c.coupon.code, c.coupon.reward_id, c.points) for c in seen.coupons] == [
        (coupon.code, "PCT10", 600)
    ]
    assert seen.balance_if_voided == -90  # the 90 redeemed as points are gone for good
    assert entry_count(ledger) == count  # a preview writes nothing


def test_reversing_without_a_choice_is_refused_with_the_coupons_and_the_options(
    spent: tuple[Ledger, str, Coupon],
) -> None:
    ledger, sale_id, coupon = spent
    count = entry_count(ledger)
    with pytest.raises(CouponChoiceRequired) as info:
        ledger.reverse(sale_id, "wrong member", SUPERVISOR)
    message = info.value.message
    assert display_code(coupon.code) in message and "PCT10" in message
    assert "void" in message and "keep" in message and "-690" in message
    assert info.value.details["coupons"][0]["code"] == coupon.code
    assert entry_count(ledger) == count
    assert balance(ledger) == 0
    assert status(ledger, coupon) == "issued"
    with pytest.raises(InvalidInput):
        ledger.reverse(sale_id, "wrong member", SUPERVISOR, coupons="maybe")  # type: ignore[arg-type]


def test_voiding_reverses_the_coupons_redemption_in_the_same_reversal(
    spent: tuple[Ledger, str, Coupon],
) -> None:
    ledger, sale_id, coupon = spent
    count = entry_count(ledger)
    done = ledger.reverse(sale_id, "wrong member", SUPERVISOR, coupons="void")
    assert (done.kind, done.reverses, done.points) == ("reverse", sale_id, -690)
    assert done.rules_applied["coupons"] == "voided"
    assert done.rules_applied["coupon_codes"] == [coupon.code]
    assert [c.code for c in done.voided] == [coupon.code] and done.kept == ()
    (back,) = done.coupon_reversals
    assert (back.kind, back.reverses, back.points) == ("reverse", coupon.entry_id, 600)
    assert (back.approver_id, back.reason) == ("sup", "wrong member")
    assert entry_count(ledger) == count + 2
    assert status(ledger, coupon) == "void"
    with pytest.raises(CouponUnusable):
        ledger.use_coupon(coupon.payload)
    assert balance(ledger) == -90 == history_sum(ledger) == done.balance_after
    assert ledger.verify() == []
    with pytest.raises(NotReversible):  # the redemption was reversed with it
        ledger.reverse(coupon.entry_id, "again", SUPERVISOR)


def test_keeping_leaves_the_coupon_valid_and_records_the_choice(
    spent: tuple[Ledger, str, Coupon],
) -> None:
    ledger, sale_id, coupon = spent
    done = ledger.reverse(sale_id, "wrong member", SUPERVISOR, coupons="keep")
    assert done.points == -690
    assert done.rules_applied == {
        "reversed_kind": "earn",
        "coupons": "kept",
        "coupon_codes": [coupon.code],
    }
    assert [c.code for c in done.kept] == [coupon.code] and done.voided == ()
    assert balance(ledger) == -690 == history_sum(ledger)
    assert status(ledger, coupon) == "issued"
    assert ledger.verify() == []
    assert ledger.use_coupon(coupon.payload).status == "used"


def test_only_the_newest_coupons_that_cover_the_shortfall_count(ledger: Ledger) -> None:
    """Lots are spent oldest first: the reversed sale's points paid for the
    latest redemptions. Older coupons, used ones and those before the sale stay."""
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "50000.00", "OLD")  # 2000 points
    before = ledger.redeem(PHONE, ref="R0", reward_id="COFFEE").coupon  # before the sale
    sale = ledger.earn(PHONE, "10000.00", "BILL-1")  # gold by then: 600 points
    assert sale.points == 600
    older = ledger.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    used = ledger.redeem(PHONE, ref="R2", reward_id="DISC50").coupon
    newest = ledger.redeem(PHONE, ref="R3", reward_id="DISC100").coupon
    assert before and older and used and newest
    ledger.use_coupon(used.code)
    ledger.redeem(PHONE, ref="R4", points=1380, approval=SUPERVISOR)
    assert balance(ledger) == 440
    seen = ledger.reversal_preview(sale.entry_id)
    assert seen.balance_after == -160
    # DISC100 (380, the newest) covers the 160 missing: the older COFFEE after
    # the sale, the used DISC50 and the coupon before the sale do not count.
    assert [c.coupon.code for c in seen.coupons] == [newest.code]
    assert seen.balance_if_voided == 220
    done = ledger.reverse(sale.entry_id, "wrong member", SUPERVISOR, coupons="void")
    assert [c.code for c in done.voided] == [newest.code]
    assert [status(ledger, c) for c in (before, older, used, newest)] == [
        "issued", "issued", "used", "void"
    ]  # fmt: skip
    assert balance(ledger) == 220 == history_sum(ledger)
    assert ledger.verify() == []


def test_no_choice_is_asked_when_the_balance_stays_at_zero_or_above(ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "25000.00", "OLD")  # 1000
    sale = ledger.earn(PHONE, "2500.00", "BILL-1")  # 100
    coupon = ledger.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    seen = ledger.reversal_preview(sale.entry_id)
    assert (seen.balance_after, seen.below_zero, seen.coupons) == (900, False, ())
    done = ledger.reverse(sale.entry_id, "wrong bill", SUPERVISOR)
    assert "coupons" not in done.rules_applied
    assert balance(ledger) == 900
    assert status(ledger, coupon) == "issued"
    assert ledger.verify() == []


def test_the_preview_refuses_what_reverse_refuses(spent: tuple[Ledger, str, Coupon]) -> None:
    ledger, sale_id, coupon = spent
    done = ledger.reverse(sale_id, "wrong member", SUPERVISOR, coupons="keep")
    with pytest.raises(NotReversible):
        ledger.reversal_preview(sale_id)
    with pytest.raises(NotReversible):
        ledger.reversal_preview(done.entry_id)
    ledger.use_coupon(coupon.code)
    with pytest.raises(NotReversible):
        ledger.reversal_preview(coupon.entry_id)


def test_a_redemption_reversal_reports_its_own_coupon_voided(ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "2500.00", "BILL-1")
    coupon = ledger.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    seen = ledger.reversal_preview(coupon.entry_id)
    assert (seen.points, seen.balance_after, seen.coupons) == (100, 100, ())
    done = ledger.reverse(coupon.entry_id, "wrong reward", SUPERVISOR)
    assert [(c.code, c.status) for c in done.voided] == [(coupon.code, "void")]
    assert done.to_dict()["voided_coupons"] == [
        {"code": coupon.code, "reward_id": "COFFEE", "status": "void"}
    ]
