"""Schema migrations: numbered files, applied once each, safe to run again."""

from __future__ import annotations

import pytest

from hq.db import COUPON_KEY, Conn, check_migrated, migrate, migrations, schema_version
from hq.errors import NotMigrated


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
