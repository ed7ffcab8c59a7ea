"""A ledger written by an older version opens, upgrades and keeps its books."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from config import Settings
from ledger.db import _statements
from ledger.schema import MIGRATIONS
from ledger.service import Ledger
from tests.conftest import FakeClock


def test_a_first_version_ledger_upgrades_to_the_current_schema(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    first = MIGRATIONS[0]
    assert isinstance(first, str)
    for statement in _statements(first):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    with Ledger.open(path, settings, clock=clock) as book:
        version = book.conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == len(MIGRATIONS)
        book.init("S1", "T1")
        book.enroll("0812345678")
        book.earn("0812345678", "1000", "B1")
        clock.advance(days=400)
        assert [e.points for e in book.expire()] == [-40]
        assert book.verify() == []
