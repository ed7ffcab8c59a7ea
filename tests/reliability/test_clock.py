"""A wrong till clock costs nobody points (issue 9, break 15, the ledger's part).

A flat clock battery sets a till to 2000-01-01; a mis-set date can put it in
2030. Neither may date the journal backwards, expire points early, or pass
``verify`` unnoticed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from config import Settings
from ledger.clock import utc_now
from ledger.db import transaction
from ledger.journal import Writer
from ledger.service import Ledger
from ledger.timeguard import ClockWrong
from tests.conftest import SUPERVISOR, FakeClock

PHONE = "0812345678"
Y2026 = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
Y2000 = datetime(2000, 1, 1, 0, 0, tzinfo=UTC)
Y2030 = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


def _kinds(ledger: Ledger) -> list[str]:
    return [e.kind for e in ledger.history(PHONE, 100)]


def test_a_till_set_back_to_2000_expires_no_points(ledger: Ledger, clock: FakeClock) -> None:
    clock.now = Y2026
    ledger.enroll(PHONE, consent=True)
    first = ledger.earn(PHONE, "2500.00", "B1")  # 100 points
    clock.now = Y2000  # the clock battery went flat
    second = ledger.earn(PHONE, "2500.00", "B2")
    clock.now = Y2026 + timedelta(days=1)  # set right again: the member's next visit
    ledger.earn(PHONE, "25.00", "B3")

    assert ledger.member(PHONE).balance == 201
    assert "expire" not in _kinds(ledger)
    # The sale made at "2000" is dated with the till's last time instead.
    assert second.created_at == first.created_at
    assert ledger.verify() == []
    # and its points last the full year from then
    card = ledger.card(PHONE)
    assert card.next_expiry is not None
    assert card.next_expiry.expires_at.startswith("2027-01-15")


def test_the_ledger_says_the_clock_is_wrong(ledger: Ledger, clock: FakeClock) -> None:
    clock.now = Y2026
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "100.00", "B1")
    assert ledger.clock_warning() is None
    clock.now = Y2000
    warning = ledger.clock_warning()
    assert warning is not None
    assert "2000-01-01" in warning.message and "set the date and time" in warning.message
    assert "ตั้งวันและเวลาให้ถูกต้อง" in warning.text("th")
    clock.now = Y2026 + timedelta(hours=1)
    assert ledger.clock_warning() is None


def test_expiry_never_runs_on_a_clock_behind_the_journal(ledger: Ledger, clock: FakeClock) -> None:
    clock.now = Y2026
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "2500.00", "B1")
    clock.now = Y2026 + timedelta(days=200)
    ledger.earn(PHONE, "250.00", "B2")  # the till's last entry: mid 2026
    clock.now = Y2000
    assert ledger.expire() == []
    clock.now = Y2026 + timedelta(days=201)
    assert ledger.expire() == []
    assert ledger.member(PHONE).balance == 110


def test_a_clock_years_ahead_records_and_expires_nothing(ledger: Ledger, clock: FakeClock) -> None:
    clock.now = Y2026
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "2500.00", "B1")
    clock.now = Y2030  # a mis-set date: everything from 2026 would look expired
    with pytest.raises(ClockWrong, match="2030-06-01"):
        ledger.earn(PHONE, "100.00", "B2")
    with pytest.raises(ClockWrong):
        ledger.expire()
    card = ledger.card(PHONE)  # the card still shows the points, as of the last known time
    assert card.member.balance == 100
    warning = ledger.clock_warning()
    assert warning is not None and "2030-06-01" in warning.message

    clock.now = Y2026 + timedelta(days=2)  # set right
    ledger.earn(PHONE, "100.00", "B3")
    assert ledger.member(PHONE).balance == 104
    assert "expire" not in _kinds(ledger)
    assert ledger.verify() == []


def test_a_supervisor_confirms_a_clock_that_is_right(ledger: Ledger, clock: FakeClock) -> None:
    clock.now = Y2026
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "2500.00", "B1")
    clock.now = Y2026 + timedelta(days=800)  # the shop really was closed that long
    with pytest.raises(ClockWrong):
        ledger.earn(PHONE, "100.00", "B2")
    ledger.confirm_clock(SUPERVISOR)
    assert ledger.clock_warning() is None
    assert [e.points for e in ledger.expire()] == [-100]
    assert ledger.earn(PHONE, "100.00", "B2").points == 4


def test_rare_expiry_runs_keep_the_clock_trusted(ledger: Ledger, clock: FakeClock) -> None:
    clock.now = Y2026
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "2500.00", "B1")
    for _ in range(8):  # a till used once a quarter, expiry run each time
        clock.advance(days=150)
        ledger.expire()
    assert ledger.clock_warning() is None
    assert ledger.earn(PHONE, "100.00", "B2").points == 4


def test_verify_reports_time_going_backwards(ledger: Ledger, clock: FakeClock) -> None:
    """A journal written before this rule (or by hand) with 2026, 2000, 2026."""
    clock.now = Y2026
    member, _ = ledger.enroll(PHONE)
    ledger.earn(PHONE, "100.00", "B1")
    with transaction(ledger.conn) as conn:
        writer = Writer(conn, "S1", "T1", Y2000, "THB")
        stale = writer.append(
            wallet_id=member.wallet_id, member_id=member.member_id, kind="earn", points=0,
            amount_minor=1, ref="OLD",
        )  # fmt: skip
    clock.now = Y2026 + timedelta(days=1)
    ledger.earn(PHONE, "100.00", "B2")
    problems = ledger.verify()
    assert [(p.check, p.entry_id) for p in problems] == [("time", stale.entry_id)]
    assert "went backwards" in problems[0].message


async def test_the_app_says_the_clock_is_wrong(ledger: Ledger, clock: FakeClock) -> None:
    from pos.app import make_app
    from tests.app.conftest import login, message, open_card

    clock.now = Y2026
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "100.00", "B1")
    clock.now = Y2000
    app = make_app(ledger.settings, ledger, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await open_card(pilot)
        shown = message(app, "#card-message")
    assert "2000-01-01" in shown and "ตั้งวันและเวลาให้ถูกต้อง" in shown  # Thai: the default


def test_a_clock_years_ahead_neither_expires_coupons_nor_drops_the_tier(
    ledger: Ledger, clock: FakeClock
) -> None:
    clock.now = Y2026
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "50000.00", "B1")
    coupon = ledger.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    tier = ledger.member(PHONE).tier
    clock.now = Y2030
    assert ledger.check_coupon(coupon.code).status == "issued"
    assert ledger.member(PHONE).tier == tier != "member"


def test_pos_refuses_a_clock_years_ahead_until_a_supervisor_confirms(
    tmp_path: Path, settings: Settings
) -> None:
    """Real processes on the real clock: the till's last entry is 800 days old."""
    db = tmp_path / "ledger.db"
    past = FakeClock(utc_now() - timedelta(days=800))
    with Ledger.open(db, settings, clock=past) as book:
        book.init("S1", "T1")
        book.add_staff("sup", "supervisor", "2468")
        book.enroll(PHONE)
        book.earn(PHONE, "2500.00", "B1")

    status, body = _pos(db, "earn", PHONE, "100.00", "--ref", "B2")
    assert status == 1 and body["error"]["code"] == "clock_wrong", body
    assert "pos ledger clock --confirm" in body["error"]["message"]
    status, body = _pos(db, "ledger", "clock")
    assert status == 0 and "days after" in body["clock_warning"]

    status, body = _pos(db, "ledger", "clock", "--confirm", "--approver", "sup", stdin="2468\n")
    assert (status, body["clock_warning"]) == (0, None), body
    status, body = _pos(db, "earn", PHONE, "100.00", "--ref", "B2")
    assert (status, body["points"]) == (0, 4), body


def _pos(db: Path, *args: str, stdin: str = "") -> tuple[int, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env["POS_LOG_FILE"] = str(db.parent / "pos.log")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pos"), *args, "--db", str(db), "--json"],
        input=stdin, capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)
