"""RFM, top and dormant members on a small hand-made ledger in Bangkok whose
answers are worked out in the comments (docs/reports.md has the definitions):
local days, not UTC days; a reversed sale is no visit; ties share a score;
a member who withdrew consent is scored and counted but never listed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from config import load_settings
from ledger import segments
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock

BKK = timedelta(hours=7)
P = {n: f"08123456{n:02d}" for n in range(1, 10)}


def local(day: str, hh: int = 12, mm: int = 0) -> datetime:
    """A Bangkok wall-clock time as the UTC moment the clock gives."""
    y, m, d = map(int, day.split("-"))
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - BKK


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Ledger, FakeClock]]:
    clock = FakeClock(local("2025-11-30", 9))
    settings = load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok"})
    book = Ledger.open(tmp_path / "shop.db", settings, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    yield book, clock
    book.close()


def _history(book: Ledger, clock: FakeClock) -> None:
    for n in range(1, 9):
        book.enroll(P[n], consent=True)
    sales = [  # (member, local day, hour, minute, amount), in time order
        (6, "2025-12-01", 12, 0, "80.00"),  # before the window: lapsed
        (5, "2026-01-05", 12, 0, "5000.00"),
        (2, "2026-02-01", 12, 0, "1000.00"),
        (4, "2026-02-15", 12, 0, "150.00"),
        (3, "2026-03-01", 12, 0, "50.00"),
        (3, "2026-03-05", 12, 0, "700.00"),  # reversed the next day: no visit
        (1, "2026-03-10", 12, 0, "100.00"),
        (4, "2026-03-15", 12, 0, "250.00"),
        (1, "2026-03-20", 12, 0, "200.00"),
        (8, "2026-03-25", 12, 0, "100.00"),
        (1, "2026-03-30", 23, 30, "300.00"),  # 16:30 UTC: the 30th in Bangkok
        (2, "2026-03-31", 23, 30, "150.00"),  # the report's own day, late
        (2, "2026-04-01", 0, 30, "999.00"),  # 17:30 UTC on the 31st: the next local day
    ]
    for n, (member, day, hh, mm, amount) in enumerate(sales):
        clock.now = local(day, hh, mm)
        entry = book.earn(P[member], amount, f"B{n}")
        if day == "2026-03-05":
            clock.advance(days=1)
            book.reverse(entry.entry_id, "wrong member", SUPERVISOR)
    clock.now = local("2026-04-02")
    book.change_consent(P[8], give=False)


def _by_phone(rows: list[tuple[object, ...]], book: Ledger) -> dict[int, tuple[object, ...]]:
    masks = {book.mask(book.normalize(phone)): n for n, phone in P.items()}
    return {masks[str(row[2])]: row for row in rows}


def test_rfm_scores_and_segments_are_the_worked_answers(shop: tuple[Ledger, FakeClock]) -> None:
    book, clock = shop
    _history(book, clock)
    report = book.report_rfm(date(2026, 3, 31), window_days=90)  # from 2026-01-01
    assert (report.window_from, report.members, report.scored, report.lapsed) == (
        "2026-01-01", 8, 6, 1,
    )  # fmt: skip
    assert report.hidden == 1  # member 8 withdrew consent
    rows = _by_phone(report.rows, book)
    assert sorted(rows) == [1, 2, 3, 4, 5, 6]
    # recency: 2 -> 0, 1 -> 1, 8 -> 6, 4 -> 16, 3 -> 30, 5 -> 85 (6 members scored);
    # r = 1 + floor(5 x (longer recencies + (ties - 1) / 2) / 6), likewise f and m.
    want = {  # first, last, recency, frequency, monetary, r, f, m, segment
        1: ("2026-03-10", "2026-03-30", 1, 3, "600.00", 4, 5, 3, "Loyal"),
        2: ("2026-02-01", "2026-03-31", 0, 2, "1150.00", 5, 3, 4, "Potential loyalist"),
        3: ("2026-03-01", "2026-03-01", 30, 1, "50.00", 1, 1, 1, "Lost"),
        4: ("2026-02-15", "2026-03-15", 16, 2, "400.00", 2, 3, 2, "At risk"),
        5: ("2026-01-05", "2026-01-05", 85, 1, "5000.00", 1, 1, 5, "Lost"),
        6: ("2025-12-01", "2025-12-01", 120, 0, "0.00", None, None, None, "Lost"),
    }
    for n, expected in want.items():
        assert rows[n][3:] == expected, n
    # Member 8 (r 3, f 1: About to sleep) is counted in the segments, not listed.
    assert report.segments == {**dict.fromkeys(segments.NAMES, 0), "Loyal": 1,
                               "Potential loyalist": 1, "Lost": 3, "At risk": 1,
                               "About to sleep": 1}  # fmt: skip
    body = report.to_dict()
    assert body["rows"][0]["segment"] == "Loyal" and "phone" in body["rows"][0]
    assert all(row["phone"].startswith("08x-xxx-") for row in body["rows"])


def test_a_sale_at_2330_counts_on_its_local_day(shop: tuple[Ledger, FakeClock]) -> None:
    book, clock = shop
    _history(book, clock)
    # As at the end of the 30th: member 1's 23:30 sale is in, member 2's of the 31st is not.
    rows = _by_phone(book.report_rfm(date(2026, 3, 30), 90).rows, book)
    assert rows[1][4] == "2026-03-30" and rows[1][5] == 0
    assert rows[2][4] == "2026-02-01" and rows[2][6] == 1
    # As at the end of the 31st in Bangkok: the sale at 00:30 on 1 April is not in.
    rows = _by_phone(book.report_rfm(date(2026, 3, 31), 90).rows, book)
    assert rows[2][7] == "1150.00"


def test_fewer_than_five_members_are_not_scored(shop: tuple[Ledger, FakeClock]) -> None:
    book, clock = shop
    _history(book, clock)
    report = book.report_rfm(date(2026, 3, 31), window_days=20)  # from 12 March: 1, 2, 4, 8
    assert report.scored == 4 and report.to_dict()["too_few_to_score"]
    for row in report.rows:
        if row[6]:
            assert row[8:] == (None, None, None, None)
        else:
            assert row[11] == "Lost"


def test_ties_share_a_score(shop: tuple[Ledger, FakeClock]) -> None:
    book, clock = shop
    for n in range(1, 8):
        book.enroll(P[n], consent=True)
    clock.now = local("2026-03-01")
    for n in range(1, 8):  # the same day, the same amount: seven ties
        book.earn(P[n], "100.00", f"T{n}")
    report = book.report_rfm(date(2026, 3, 31), 90)
    # Everybody in the middle position: 1 + floor(5 x (0 + 6 / 2) / 7) = 3.
    assert {row[8:] for row in report.rows} == {(3, 3, 3, "Need attention")}


def test_top_and_dormant(shop: tuple[Ledger, FakeClock]) -> None:
    book, clock = shop
    _history(book, clock)
    top = book.report_top(date(2026, 3, 31), limit=2)
    spend = [row for row in top.rows if row[0] == "spend"]
    visits = [row for row in top.rows if row[0] == "visits"]
    masks = {book.mask(book.normalize(p)): n for n, p in P.items()}
    assert [masks[r[4]] for r in spend] == [5, 2]  # 5000, 1150
    assert [masks[r[4]] for r in visits] == [1, 2]  # 3 visits; then 2 visits and 1150 before 4
    # Member 5: enrolled 2025-11-30, as of 2026-03-31 = 122 days counted -> 5 months of 30.
    assert spend[0][5:] == (1, "5000.00", "2026-01-05", "2026-01-05", 5, "1000.00")
    assert top.totals["members"] == 8 and top.totals["with_visits"] == 7
    assert top.totals["spend"] == "7380.00"  # 80+5000+1150+400+50+600+100: 8's counts
    dormant = book.report_dormant(date(2026, 3, 31), days=30)
    listed = [masks[r[2]] for r in dormant.rows]
    # Quiet 30+ days: 3 (30), 5 (85), 6 (120), 7 (never came: 121 days since enrolment).
    assert listed == [3, 5, 6, 7]
    assert [r[5] for r in dormant.rows] == [30, 85, 120, 121]
    assert dormant.rows[3][4] is None and dormant.rows[3][6] == 0
    assert dormant.totals["dormant"] == 4 and dormant.totals["hidden"] == 0
    quiet = book.report_dormant(date(2026, 3, 31), days=5)
    assert quiet.totals["hidden"] == 1  # member 8, quiet 6 days, is counted not listed
    assert 8 not in [masks[r[2]] for r in quiet.rows]
    # A member's balance as at the day: 3 earned 2 points for 50.00 (1 per 25).
    assert (
        dormant.rows[0][8]
        == book.conn.execute(
            "SELECT sum(points) FROM entries e JOIN members m ON m.wallet_id = e.wallet_id "
            "WHERE m.phone = ? AND e.created_at < ?",
            (book.normalize(P[3]), "2026-03-31T17:00:00"),
        ).fetchone()[0]
    )


def test_imported_sales_count_as_visits_with_the_external_id(
    shop: tuple[Ledger, FakeClock], tmp_path: Path
) -> None:
    book, clock = shop
    clock.now = local("2026-03-31", 20)
    members = tmp_path / "members.csv"
    members.write_text(
        "phone,name,external_id,enrolled_at\n"
        + "".join(f"{P[n]},M{n},OLD-{n},2025-06-01\n" for n in range(1, 6)),
        encoding="utf-8",
    )
    book.import_members(str(members), commit=True)
    sales = tmp_path / "sales.csv"
    sales.write_text(
        "external_id,date,amount,ref\n"
        + "".join(f"OLD-{n},2026-03-{n:02d}T23:30:00,{n}00.00,S{n}\n" for n in range(1, 6)),
        encoding="utf-8",
    )
    book.import_sales(str(sales), commit=True)
    report = book.report_rfm(date(2026, 3, 31), 90)
    by_external = {row[1]: row for row in report.rows}
    assert sorted(by_external) == [f"OLD-{n}" for n in range(1, 6)]
    assert by_external["OLD-5"][3:12] == ("2026-03-05", "2026-03-05", 26, 1, "500.00", 5, 3, 5,
                                          "Potential loyalist")  # fmt: skip


def test_a_merged_member_counts_as_the_member_kept(shop: tuple[Ledger, FakeClock]) -> None:
    book, clock = shop
    _history(book, clock)
    clock.now = local("2026-04-02", 10)
    book.earn(P[7], "77.00", "M7")  # member 7's only visit, then 7 is merged into 1
    book.merge_members(P[1], P[7], SUPERVISOR)
    report = book.report_rfm(date(2026, 4, 2), 90)
    rows = _by_phone(report.rows, book)
    assert 7 not in rows and rows[1][5:8] == (0, 4, "677.00")
    top = book.report_top(date(2026, 4, 2), limit=10)
    assert top.totals["members"] == 7  # 7 is 1 now
    assert book.report_onboarding(date(2026, 4, 2)).cohorts[0]["enrolled"] == 7
