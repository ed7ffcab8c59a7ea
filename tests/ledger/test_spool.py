"""The print spool lives in the ledger file and moves with the sale."""

from __future__ import annotations

import pytest

from ledger.errors import RefConflict
from ledger.service import Ledger
from ledger.spool import NothingToPrint
from tests.conftest import SUPERVISOR, FakeClock

PHONE = "0812345678"


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    ledger.enroll(PHONE, "Somchai")
    return ledger


def test_a_sale_with_a_slip_queues_one_job_in_the_same_transaction(shop: Ledger) -> None:
    entry = shop.earn(PHONE, "1000", "B1", print_slip=True)
    jobs = shop.spool.jobs()
    assert [(j.entry_id, j.kind, j.status, j.copy) for j in jobs] == [
        (entry.entry_id, "sale", "queued", False)
    ]
    # The same bill again is a duplicate: no second slip.
    shop.earn(PHONE, "1000", "B1", print_slip=True)
    assert len(shop.spool.jobs()) == 1
    # A refused sale rolls back, slip included.
    with pytest.raises(RefConflict):
        shop.earn(PHONE, "999", "B1", print_slip=True)
    assert len(shop.spool.jobs()) == 1


def test_a_failed_print_stays_queued_with_its_reason_and_prints_once_on_retry(
    shop: Ledger,
) -> None:
    shop.earn(PHONE, "1000", "B1", print_slip=True)
    (job,) = shop.spool.jobs()
    claimed = shop.spool.claim(job.job_id)
    assert claimed is not None and claimed.status == "printing"
    assert shop.spool.claim(job.job_id) is None  # nobody else prints it meanwhile
    failed = shop.spool.finish(job.job_id, "Printer at 127.0.0.1:9100 does not answer")
    assert (failed.status, failed.last_error, failed.attempts) == (
        "queued",
        "Printer at 127.0.0.1:9100 does not answer",
        1,
    )
    assert shop.spool.claim(job.job_id) is not None
    done = shop.spool.finish(job.job_id)
    assert (done.status, done.attempts, done.last_error) == ("printed", 2, None)
    assert shop.spool.jobs() == []
    assert shop.spool.claim(job.job_id) is None  # never printed twice by itself


def test_a_job_cut_off_mid_print_is_uncertain_and_only_a_person_retries_it(
    shop: Ledger, clock: FakeClock
) -> None:
    shop.earn(PHONE, "1000", "B1", print_slip=True)
    (job,) = shop.spool.jobs()
    shop.spool.claim(job.job_id)  # then the process dies
    clock.advance(minutes=5)
    (stuck,) = shop.spool.jobs()
    assert stuck.status == "uncertain"
    assert "reprint" in (stuck.last_error or "")
    assert shop.spool.claim(job.job_id) is None
    assert shop.spool.retry(job.job_id).status == "queued"
    assert shop.spool.claim(job.job_id) is not None


def test_points_redeemed_by_number_queue_a_slip_too(shop: Ledger) -> None:
    shop.earn(PHONE, "25000", "B1")
    quiet = shop.redeem(PHONE, ref="R0", points=10)
    assert shop.spool.jobs() == []  # without print_slip: no slip
    points = shop.redeem(PHONE, ref="R1", points=300, print_slip=True)
    assert points.coupon is None
    assert [(j.entry_id, j.kind, j.copy) for j in shop.spool.jobs()] == [
        (points.entry.entry_id, "sale", False)  # printed on the sale slip's layout
    ]
    assert quiet.entry.entry_id != points.entry.entry_id
    shop.redeem(PHONE, ref="R1", points=300, print_slip=True)  # a retry: no second slip
    assert len(shop.spool.jobs()) == 1


def test_reprint_queues_a_marked_copy_and_only_for_slips(shop: Ledger) -> None:
    sale = shop.earn(PHONE, "10000", "B1")
    assert shop.spool.jobs() == []
    copy = shop.spool.reprint(sale.entry_id)
    assert (copy.kind, copy.copy, copy.status) == ("sale", True, "queued")
    coupon = shop.redeem(PHONE, ref="R1", reward_id="COFFEE", print_slip=True)
    assert coupon.coupon is not None
    assert [j.kind for j in shop.spool.jobs()] == ["sale", "coupon"]
    adjust = shop.adjust(PHONE, 5, "goodwill", SUPERVISOR)
    with pytest.raises(NothingToPrint):
        shop.spool.reprint(adjust.entry_id)
    assert shop.spool.last() is not None


def test_a_points_redemption_slip_can_be_printed_again(shop: Ledger) -> None:
    shop.earn(PHONE, "1000", "B1")
    done = shop.redeem(PHONE, ref="R1", points=30, print_slip=True)
    copy = shop.spool.reprint(done.entry.entry_id)  # F6 after a points redemption
    assert (copy.entry_id, copy.kind, copy.copy) == (done.entry.entry_id, "sale", True)
