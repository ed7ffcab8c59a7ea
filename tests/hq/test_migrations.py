"""Schema migrations: numbered files, applied once each, safe to run again."""

from __future__ import annotations

from typing import Any

import pytest

from hq.changes import service as changes
from hq.db import COUPON_KEY, Conn, check_migrated, migrate, migrations, schema_version
from hq.errors import NotMigrated
from sync.protocol import ENTRY_COLUMNS, entry_row


def test_migrations_are_numbered_without_gaps() -> None:
    found = migrations()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert found[0].name == "0001_initial"


def test_migrate_is_idempotent(db: Conn) -> None:
    key = db.execute("SELECT value FROM secrets WHERE name = %s", (COUPON_KEY,)).fetchone()
    assert key is not None and len(bytes.fromhex(key[0])) == 32
    assert migrate(db) == []
    assert migrate(db) == []
    assert schema_version(db) == len(migrations())
    rows = db.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert rows == [(m.version, m.name) for m in migrations()]
    # The coupon key is made once per chain.
    assert db.execute("SELECT value FROM secrets WHERE name = %s", (COUPON_KEY,)).fetchone() == key
    check_migrated(db)


def test_an_empty_database_is_not_migrated(db: Conn) -> None:
    db.execute("DROP SCHEMA public CASCADE")
    db.execute("CREATE SCHEMA public")
    assert schema_version(db) == 0
    with pytest.raises(NotMigrated, match="pos-hq migrate"):
        check_migrated(db)
    assert migrate(db) == [m.name for m in migrations()]
    check_migrated(db)


def test_version_2_keeps_the_feed_and_the_cursors_terminals_hold(
    db: Conn, make_terminal: Any
) -> None:
    """Version 1 gave each entry its own feed position; version 2 feeds runs of
    entries. A cursor handed out under version 1 still resumes exactly."""
    db.execute("DROP SCHEMA public CASCADE")
    db.execute("CREATE SCHEMA public")
    assert migrate(db, upto=1) == ["0001_initial"]
    writer, reader = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    pushed = [writer.entry("W1", 1 + i) for i in range(6)]
    with db.transaction(), db.cursor() as cur:  # version 1's push: a position per entry
        cur.executemany(
            f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})",
            [entry_row(e) for e in pushed],
        )
    third = db.execute("SELECT change_xid::text, change_id FROM entries WHERE seq = 3").fetchone()
    assert third is not None
    old_cursor = f"{third[0]}.{third[1]}"  # what a terminal held after 3 entries

    assert migrate(db) == [m.name for m in migrations()[1:]]
    rest = changes.pull(db, reader.terminal_id, old_cursor, 100)
    assert [c.entry["entry_id"] for c in rest.changes] == [e["entry_id"] for e in pushed[3:]]
    everything = changes.pull(db, reader.terminal_id, "0", 100)
    assert [c.entry["seq"] for c in everything.changes] == [1, 2, 3, 4, 5, 6]
