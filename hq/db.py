"""PostgreSQL access: connections, the pool, numbered migrations, retries.

Connections are in autocommit mode; every business operation opens its own
``with conn.transaction():`` so it is committed before the caller answers.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from hq.errors import ConfigError, DatabaseUnavailable, NotMigrated
from hq.settings import HQSettings

log = logging.getLogger("hq.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any fixed 64-bit number: the advisory lock that serialises concurrent migrators.
_MIGRATION_LOCK = 0x504F_5348_5100_0001
COUPON_KEY = "coupon_key"


T = TypeVar("T")
Conn = psycopg.Connection[TupleRow]
Pool = ConnectionPool[Conn]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text("utf-8")


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in order; versions must run 1, 2, 3 ... without gaps."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise ConfigError(f"Migration file {path.name} is not named like 0001_initial.sql.")
        found.append(Migration(int(match.group(1)), path.stem, path))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise ConfigError(
                f"Migration {migration.path.name} should be number {expected:04d}: "
                "migrations are numbered without gaps."
            )
    return found


def require_dsn(settings: HQSettings) -> str:
    if not settings.dsn:
        raise ConfigError(
            "No database given: pass --dsn postgresql://USER@HOST/DB or set POS_HQ_DSN."
        )
    return settings.dsn


def connect(dsn: str) -> Conn:
    """One autocommit connection (the CLI's); unreachable -> DatabaseUnavailable."""
    try:
        return psycopg.connect(dsn, autocommit=True, application_name="pos-hq")
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"Cannot reach the head-office database: {_first_line(exc)}"
        ) from None
    except psycopg.ProgrammingError as exc:
        raise ConfigError(
            f"The database connection string is not valid: {_first_line(exc)}"
        ) from None


def configure(conn: Conn) -> None:
    """Session settings for the service's connections."""
    # The service runs short queries only: JIT compiling one costs more than running
    # it (a push's balance check once took 200 ms of JIT for 30 ms of work). The
    # CLI's reports, which scan the journal, keep the server's setting.
    conn.execute("SET jit = off")


def make_pool(settings: HQSettings) -> Pool:
    """A closed pool of autocommit connections; call ``open()`` before use."""
    return ConnectionPool(
        require_dsn(settings),
        min_size=min(settings.pool_min_size, settings.pool_size),
        max_size=settings.pool_size,
        timeout=settings.pool_timeout_s,
        kwargs={"autocommit": True, "application_name": "pos-hq"},
        configure=configure,
        name="pos-hq",
        open=False,
    )


def migrate(conn: Conn, upto: int | None = None) -> list[str]:
    """Apply the migrations not yet applied (up to version ``upto``, default all), each
    in its own transaction; return their names.

    Safe to run again (and concurrently): a session advisory lock lets one
    migrator at a time look at ``schema_migrations``.
    """
    applied: list[str] = []
    conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY,"
            " name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for migration in migrations():
            if migration.version in done or (upto is not None and migration.version > upto):
                continue
            with conn.transaction():
                conn.execute(migration.sql.encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
            log.info("applied migration %s", migration.name)
            applied.append(migration.name)
        # One coupon key per chain, made once; terminals receive it when they join.
        conn.execute(
            "INSERT INTO secrets (name, value) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
            (COUPON_KEY, secrets.token_hex(32)),
        )
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
    return applied


def schema_version(conn: Conn) -> int:
    row = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def check_migrated(conn: Conn) -> None:
    have, want = schema_version(conn), len(migrations())
    if have < want:
        raise NotMigrated(
            f"The head-office database is at schema version {have}, this program needs "
            f"{want}: run 'pos-hq migrate' first."
        )


RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


def in_transaction(
    conn: Conn,
    work: Callable[[], T],
    *,
    attempts: int = 5,
) -> T:
    """Run ``work`` in one transaction; run it again if PostgreSQL broke a deadlock."""
    for attempt in range(1, attempts + 1):
        try:
            with conn.transaction():
                return work()
        except RETRYABLE as exc:
            if attempt == attempts:
                raise
            log.warning("retrying a transaction (%s), attempt %d", type(exc).__name__, attempt)
    raise AssertionError("unreachable")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
