"""Shared fixtures: every test gets its own config, data and log dirs and a
real SQLite ledger file in a temp folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import Settings, load_settings
from ledger.models import Credentials
from ledger.service import Ledger

SUPERVISOR = Credentials("sup", "2468")
CASHIER_ID = "cash1"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("POS_LOG_FILE", str(home / "pos.log"))
    for var in ("POS_DB", "POS_CONFIG"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def settings() -> Settings:
    return load_settings(env={})


class FakeClock:
    """A settable UTC clock for expiry and lock tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 15, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


@pytest.fixture
def ledger(db_path: Path, settings: Settings, clock: FakeClock) -> Iterator[Ledger]:
    """An initialised ledger (store S1, terminal T1) with a supervisor 'sup'
    (PIN 2468) and a cashier 'cash1' (PIN 1357)."""
    book = Ledger.open(db_path, settings, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    book.add_staff(CASHIER_ID, "cashier", "1357", "Cashier One")
    yield book
    book.close()
