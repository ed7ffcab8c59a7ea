"""The reports' SQL against an independent plain-Python computation of the
definitions (docs/reports.md) over a generated history: 3,000 imported members
and their imported sales over two and a half years in Bangkok (many near
midnight), then counter sales, redemptions, adjustments, reversals and expiry
through the ledger for the points flow."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config import load_settings
from ledger import segments
from ledger.clock import parse_iso
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock

ZONE = ZoneInfo("Asia/Bangkok")
MEMBERS = 3000
AS_OF = date(2026, 5, 31)


def phone(n: int) -> str:
    return f"08{(n * 7919 + 1234567) % 100_000_000:08d}"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, dict[str, Any]]]:
    """(the ledger, {external_id: (enrolled day, [(local day, local month, amount_minor)])})."""
    folder = tmp_path_factory.mktemp("generated")
    rng = random.Random(14)
    clock = FakeClock(datetime(2026, 6, 2, 3, tzinfo=UTC))
    settings = load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok"})
    book = Ledger.open(folder / "shop.db", settings, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    people: dict[str, Any] = {}
    member_lines, sale_lines = [], []
    first = date(2024, 1, 1)
    for n in range(MEMBERS):
        external = f"X{n}"
        enrolled = first + timedelta(days=rng.randrange(850))
        member_lines.append(f"{phone(n)},,{external},{enrolled.isoformat()}\n")
        visits = []
        for k in range(rng.choice([0, 1, 1, 2, 3, 5, 8, 13])):
            # Some history before the enrolment (the old system knew them earlier).
            day = enrolled + timedelta(days=rng.randrange(-40, 700))
            if day > AS_OF + timedelta(days=1):
                continue
            hh, mm = rng.choice([(23, 30), (0, 30), (12, 0), (23, 59), (7, 15)])
            amount = rng.randrange(1000, 200_000)
            sale_lines.append(
                f"{external},{day.isoformat()}T{hh:02d}:{mm:02d}:00,"
                f"{amount // 100}.{amount % 100:02d},S{n}-{k}\n"
            )
            visits.append((day, amount))
        people[external] = (enrolled, visits)
    (folder / "m.csv").write_text("phone,name,external_id,enrolled_at\n" + "".join(member_lines))
    (folder / "s.csv").write_text("external_id,date,amount,ref\n" + "".join(sale_lines))
    assert book.import_members(str(folder / "m.csv"), commit=True).good == MEMBERS
    assert book.import_sales(str(folder / "s.csv"), commit=True).good == len(sale_lines)
    yield book, people
    book.close()


def _score(values: dict[str, int], better_high: bool) -> dict[str, int]:
    """The member's middle position: 1 + floor(5 x (worse + (tied - 1) / 2) / n)."""
    n = len(values)
    ordered = sorted(values.values())
    out = {}
    for key, v in values.items():
        worse = sum(1 for x in ordered if (x < v if better_high else x > v))
        tied = ordered.count(v)
        out[key] = 1 + int(5 * (worse + (tied - 1) / 2) // n)
    return out


def test_rfm_matches_a_plain_python_computation(history: tuple[Ledger, dict[str, Any]]) -> None:
    book, people = history
    for as_of, window in ((AS_OF, 365), (date(2025, 9, 30), 120)):
        start = as_of - timedelta(days=window - 1)
        last, first, freq, money = {}, {}, {}, {}
        for external, (_, visits) in people.items():
            seen = [(d, a) for d, a in visits if d <= as_of]
            if not seen:
                continue
            inside = [(d, a) for d, a in seen if d >= start]
            first[external] = min(d for d, _ in seen)
            last[external] = max(d for d, _ in seen)
            freq[external] = len(inside)
            money[external] = sum(a for _, a in inside)
        recency = {k: (as_of - d).days for k, d in last.items()}
        scored = [k for k in freq if freq[k] > 0]
        r = _score({k: recency[k] for k in scored}, better_high=False)
        f = _score({k: freq[k] for k in scored}, better_high=True)
        m = _score({k: money[k] for k in scored}, better_high=True)
        report = book.report_rfm(as_of, window)
        got = {row[1]: row for row in report.rows}
        assert set(got) == set(last)
        for k in last:
            row = got[k]
            seg = segments.segment_of(r[k], f[k]) if k in r else "Lost"
            want = (first[k].isoformat(), last[k].isoformat(), recency[k], freq[k],
                    f"{money[k] // 100}.{money[k] % 100:02d}",
                    r.get(k), f.get(k), m.get(k), seg)  # fmt: skip
            assert row[3:] == want, k
        assert report.scored == len(scored)
        counts = defaultdict(int, {name: 0 for name in segments.NAMES})
        for row in report.rows:
            counts[row[11]] += 1
        assert report.segments == dict(counts)


def test_onboarding_matches_a_plain_python_computation(
    history: tuple[Ledger, dict[str, Any]],
) -> None:
    book, people = history
    cohorts: dict[str, list[Any]] = defaultdict(list)
    for enrolled, visits in people.values():
        days = sorted(d for d, _ in visits if d <= AS_OF)
        start = min([enrolled, *days[:1]])
        if start > AS_OF:
            continue
        cohorts[start.isoformat()[:7]].append((start, days))
    report = book.report_onboarding(AS_OF)
    got = {c["cohort"]: c for c in report.cohorts}
    assert sorted(got) == sorted(cohorts)

    def rounded(values: list[int]) -> float | int | None:
        if not values:
            return None
        value = round(statistics.median(values), 1)
        return int(value) if value == int(value) else value

    for cohort, members in cohorts.items():
        c = got[cohort]
        offsets = [[(d - s).days for d in days] for s, days in members]
        assert c["enrolled"] == len(members)
        assert c["activated_30d"] == sum(1 for o in offsets if any(x <= 30 for x in o))
        assert c["repeat_90d"] == sum(1 for o in offsets if sum(x <= 90 for x in o) >= 2)
        assert c["median_days_to_first_visit"] == rounded([o[0] for o in offsets if o])
        assert c["median_days_to_second_visit"] == rounded([o[1] for o in offsets if len(o) > 1])
        spans = [(days[-1] - days[0]).days for _, days in members if len(days) > 1]
        gaps = [len(days) - 1 for _, days in members if len(days) > 1]
        want_gap = round(sum(spans) / sum(gaps), 1) if gaps else None
        assert c["avg_days_between_visits"] == (
            int(want_gap) if want_gap is not None and want_gap == int(want_gap) else want_gap
        )
        base = int(cohort[:4]) * 12 + int(cohort[5:7])
        retained: dict[int, int] = defaultdict(int)
        for _, days in members:
            for k in {d.year * 12 + d.month - base for d in days}:
                retained[k] += 1
        assert [m["members"] for m in c["retention"]] == [
            retained.get(k, 0) for k in range(len(c["retention"]))
        ]
        assert len(c["retention"]) == AS_OF.year * 12 + AS_OF.month - base + 1


def test_points_flow_matches_the_entries_summed_by_local_day(tmp_path: Path) -> None:
    rng = random.Random(7)
    clock = FakeClock(datetime(2026, 1, 1, 3, tzinfo=UTC))
    settings = load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok"})
    with Ledger.open(tmp_path / "flow.db", settings, clock=clock) as book:
        book.init("S1", "T1")
        book.add_staff("sup", "supervisor", "2468", "Supervisor")
        phones = [phone(n) for n in range(30)]
        for p in phones:
            book.enroll(p, consent=True)
        earns = []
        for n in range(400):
            clock.advance(minutes=rng.choice([30, 90, 300, 700]))
            p = rng.choice(phones)
            roll = rng.random()
            if roll < 0.7 or book.card(p).member.balance < 20:
                earns.append(book.earn(p, f"{rng.randrange(20, 900)}.00", f"F{n}"))
            elif roll < 0.85:
                book.redeem(p, ref=f"R{n}", points=rng.randrange(1, 20))
            elif roll < 0.95:
                book.adjust(p, rng.choice([5, -3, 12]), "goodwill", SUPERVISOR)
            else:
                book.reverse(earns.pop(rng.randrange(len(earns))).entry_id, "error", SUPERVISOR)
        clock.advance(days=400)
        book.expire()
        rows = book.conn.execute("SELECT kind, points, created_at FROM entries").fetchall()
        start, end = date(2026, 1, 3), date(2027, 6, 30)
        for by in ("day", "week", "month"):
            report = book.report_flow(start, end, by)
            keyed: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            opening = 0
            for kind, points, at in rows:
                day = parse_iso(at).astimezone(ZONE).date()
                if day < start:
                    opening += points
                    continue
                if day > end:
                    continue
                key = {"day": day, "week": day - timedelta(days=day.weekday()),
                       "month": day.replace(day=1)}[by]  # fmt: skip
                keyed[max(key, start)][kind] += points
            assert report.opening == opening
            running = opening
            for period in report.periods:
                held = keyed.pop(period.start, {})
                flows = (held.get("earn", 0) + held.get("bonus", 0), -held.get("redeem", 0),
                         -held.get("expire", 0), held.get("reverse", 0), held.get("adjust", 0),
                         held.get("transfer", 0))  # fmt: skip
                assert period.flows() == flows, (by, period.start)
                running += sum(held.values())
                assert period.outstanding == running
            assert not keyed  # every entry fell in a period
            body = report.to_dict()
            assert body["closing"] == running
            inside = [(k, p) for k, p, at in rows
                      if start <= parse_iso(at).astimezone(ZONE).date() <= end]  # fmt: skip
            expired = sum(-p for k, p in inside if k == "expire")
            redeemed = sum(-p for k, p in inside if k == "redeem")
            assert expired > 0 and body["totals"]["expired"] == expired
            assert body["breakage_rate"] == round(expired / (expired + redeemed), 4)
