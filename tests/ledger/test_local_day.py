"""A shop's day is its local day (issue 11, item 15): in Bangkok it starts at
00:00 local time, not at 07:00 (midnight UTC), for the day summary and the daily
offline redeem limit. Stored times stay UTC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config import ConfigError, load_settings
from ledger import limits, localday
from ledger.errors import ApprovalRequired
from ledger.meta import K_URL
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock

PHONE = "0812345678"
BANGKOK = ZoneInfo("Asia/Bangkok")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def system_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Sets this computer's zone ($TZ) for one test, and puts it back."""
    yield
    monkeypatch.undo()
    time.tzset()


def set_system_zone(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("TZ", name)
    time.tzset()


def open_shop(db_path: Path, clock: FakeClock, zone: str) -> Ledger:
    settings = load_settings(env={"POS_LOCALE__TIMEZONE": zone} if zone else {})
    book = Ledger.open(db_path, settings, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    return book


def sell(book: Ledger, clock: FakeClock, at: datetime, amount: str) -> None:
    clock.now = at
    book.earn(PHONE, amount, f"sale-{at:%d%H%M}")


def earns(summary: dict[str, object]) -> object:
    kinds = summary["kinds"]
    assert isinstance(kinds, dict)
    return kinds.get("earn")


def test_a_sale_at_0630_in_bangkok_is_in_that_days_summary(db_path: Path) -> None:
    clock = FakeClock(utc(2026, 1, 14, 16, 0))
    book = open_shop(db_path, clock, "Asia/Bangkok")
    book.enroll(PHONE, consent=True)
    sell(book, clock, utc(2026, 1, 14, 16, 30), "1000.00")  # 23:30 on the 14th: yesterday
    sell(book, clock, utc(2026, 1, 14, 23, 30), "100.00")  # 06:30 on the 15th
    sell(book, clock, utc(2026, 1, 15, 10, 0), "250.00")  # 17:00 on the 15th

    clock.now = utc(2026, 1, 15, 16, 0)  # 23:00 in Bangkok: closing time
    summary = book.day_summary()
    assert summary["day"] == "2026-01-15"
    assert earns(summary) == {"count": 2, "points": 4 + 10}

    sell(book, clock, utc(2026, 1, 15, 17, 30), "500.00")  # 00:30 on the 16th: tomorrow
    assert earns(book.day_summary(utc(2026, 1, 15, 3, 0))) == {"count": 2, "points": 14}
    tomorrow = book.day_summary()
    assert tomorrow["day"] == "2026-01-16"
    assert earns(tomorrow) == {"count": 1, "points": 20}
    # Stored times stay UTC.
    (first,) = book.conn.execute(
        "SELECT min(created_at) FROM entries WHERE kind = 'earn'"
    ).fetchone()
    assert first == "2026-01-14T16:30:00.000000Z"
    book.close()


def test_the_day_a_berlin_shop_moves_its_clocks_on_has_23_hours(db_path: Path) -> None:
    start, end = localday.day_bounds(date(2026, 3, 29), BERLIN)
    assert (start, end) == (utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0))
    autumn = localday.day_bounds(date(2026, 10, 25), BERLIN)
    assert autumn[1] - autumn[0] == timedelta(hours=25)

    clock = FakeClock(utc(2026, 3, 28, 22, 0))
    book = open_shop(db_path, clock, "Europe/Berlin")
    book.enroll(PHONE, consent=True)
    sell(book, clock, utc(2026, 3, 28, 22, 30), "1000.00")  # 23:30 CET on the 28th
    sell(book, clock, utc(2026, 3, 28, 23, 30), "100.00")  # 00:30 CET on the 29th
    sell(book, clock, utc(2026, 3, 29, 21, 30), "250.00")  # 23:30 CEST on the 29th
    sell(book, clock, utc(2026, 3, 29, 22, 30), "500.00")  # 00:30 CEST on the 30th
    summary = book.day_summary(utc(2026, 3, 29, 12, 0))
    assert summary["day"] == "2026-03-29"
    assert earns(summary) == {"count": 2, "points": 4 + 10}
    book.close()


def offline(book: Ledger) -> None:
    """Joined a head office and never synced: the offline limit is in force."""
    with book.conn:
        book.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (K_URL, "http://hq"))


def test_a_redemption_at_0630_counts_in_that_days_offline_limit(db_path: Path) -> None:
    clock = FakeClock(utc(2026, 1, 14, 23, 0))
    book = open_shop(db_path, clock, "Asia/Bangkok")
    book.enroll(PHONE, consent=True)
    book.adjust(PHONE, 3000, "welcome gift", SUPERVISOR)
    offline(book)
    clock.now = utc(2026, 1, 14, 23, 30)  # 06:30 on the 15th in Bangkok
    book.redeem(PHONE, points=450, ref="r1")
    wallet = book.member(PHONE).wallet_id

    at_nine = utc(2026, 1, 15, 2, 0)  # 09:00 the same morning
    spent = limits.redeemed_today(book.conn, wallet, at_nine, BANGKOK)
    assert spent == 450
    with pytest.raises(ApprovalRequired) as info:
        limits.check_offline_limit(book.conn, wallet, 600, 1000, at_nine, BANGKOK)
    assert "450 redeemed since 00:00 Asia/Bangkok time" in info.value.message
    assert "UTC" not in info.value.message
    # The next local day starts at 17:00 UTC.
    assert limits.redeemed_today(book.conn, wallet, utc(2026, 1, 15, 17, 0), BANGKOK) == 0
    book.close()


def test_with_no_zone_set_the_day_is_this_computers(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, system_zone: None
) -> None:
    set_system_zone(monkeypatch, "Asia/Bangkok")
    clock = FakeClock(utc(2026, 1, 14, 23, 0))
    book = open_shop(db_path, clock, "")
    book.enroll(PHONE, consent=True)
    book.adjust(PHONE, 3000, "welcome gift", SUPERVISOR)
    offline(book)
    clock.now = utc(2026, 1, 14, 23, 30)  # 06:30 on the 15th
    book.redeem(PHONE, points=450, ref="r1")
    clock.now = utc(2026, 1, 15, 2, 0)
    book.redeem(PHONE, points=450, ref="r2")
    with pytest.raises(ApprovalRequired, match="900 redeemed since 00:00"):
        book.redeem(PHONE, points=450, ref="r3")
    assert book.day_summary()["day"] == "2026-01-15"
    book.close()


def test_the_set_zone_rules_the_offline_limit_on_any_computer(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, system_zone: None
) -> None:
    set_system_zone(monkeypatch, "UTC")
    clock = FakeClock(utc(2026, 1, 14, 23, 0))
    book = open_shop(db_path, clock, "Asia/Bangkok")
    book.enroll(PHONE, consent=True)
    book.adjust(PHONE, 3000, "welcome gift", SUPERVISOR)
    offline(book)
    clock.now = utc(2026, 1, 14, 23, 30)  # 06:30 on the 15th in Bangkok
    book.redeem(PHONE, points=450, ref="r1")
    clock.now = utc(2026, 1, 15, 2, 0)
    book.redeem(PHONE, points=450, ref="r2")
    try:
        with pytest.raises(ApprovalRequired):
            book.redeem(PHONE, points=450, ref="r3")
    finally:
        book.close()


def test_the_zone_setting_is_checked_and_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkk"})
    err = info.value
    assert (err.source, err.key) == ("environment variable POS_LOCALE__TIMEZONE", "locale.timezone")
    assert "time zone" in err.message and '"Asia/Bangkk"' in err.message
    path = tmp_path / "config.toml"
    path.write_text('[locale]\ntimezone = "Bangkok"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert (info.value.source, info.value.key) == (str(path), "locale.timezone")
    assert load_settings(env={"POS_LOCALE__TIMEZONE": "Europe/Berlin"}).locale.timezone == (
        "Europe/Berlin"
    )


def test_the_default_zone_is_this_computers_then_the_countrys(
    monkeypatch: pytest.MonkeyPatch, system_zone: None
) -> None:
    set_system_zone(monkeypatch, "Europe/Berlin")
    assert localday.shop_zone("", "TH") == BERLIN
    assert localday.shop_zone("Asia/Bangkok", "TH") == BANGKOK
    # A computer without a zone: the country's, when it keeps one.
    assert localday.region_zone("TH") == BANGKOK
    assert localday.region_zone("US") is None  # several zones: no guess (UTC)
