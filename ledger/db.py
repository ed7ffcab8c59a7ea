"""Opening the ledger database: pragmas, numbered migrations, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import CorruptDatabase, DatabaseUnavailable
from ledger.schema import MIGRATIONS


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the ledger at ``path``.

    Raises :class:`CorruptDatabase` with a message naming the file when it is
    not a SQLite database or is newer than this program.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so every
        # business operation is exactly one transaction and takes the write lock
        # up front instead of failing half-way with SQLITE_BUSY.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    except (OSError, sqlite3.OperationalError) as exc:
        raise DatabaseUnavailable(
            f"Cannot open the ledger database {path} ({exc}): check the path and its permissions."
        ) from None
    try:
        # The header is checked by SQLite itself, never with open(): closing
        # any descriptor of this file would drop the POSIX locks this process
        # holds through its other connections, and another process could then
        # checkpoint and delete the WAL under them (acknowledged sales lost).
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError:
        conn.close()
        raise CorruptDatabase(
            f"{path} is not a ledger database (damaged or another kind of file): "
            "restore it from a backup or point --db at the right file."
        ) from None
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged sale survives power loss; NORMAL may not.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CorruptDatabase(
            f"{path} cannot be read as a ledger ({exc}): restore it from a backup."
        ) from None
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise CorruptDatabase(
            f"{path} was written by a newer version of Loyalty POS "
            f"(schema {version}, this program knows {len(MIGRATIONS)}): upgrade the program."
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(conn):
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")


def _statements(script: str) -> Iterator[str]:
    # executescript() would COMMIT our transaction; split on complete statements instead.
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL in migration: {buffer[:60]}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One business operation = one ``BEGIN IMMEDIATE`` ... ``COMMIT``."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
