"""Opening the ledger database: pragmas, numbered migrations, transactions.

Also what is said when the ledger's files are odd: :func:`check_files` before
opening (a folder, a ledger gone or empty beside its secrets file) and
:func:`explain` for an SQLite error (damaged, full, read-only, busy). The
ledger's files are private: the folder 0700 when we create it, the database
and its -wal/-shm 0600 whatever the umask.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import (
    CorruptDatabase,
    DamagedText,
    DatabaseUnavailable,
    DiskFull,
    LedgerError,
    LedgerMissing,
    NotALedgerFile,
    ReadOnly,
)
from ledger.schema import MIGRATIONS

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# Below this much free space an I/O error is a full disk (SQLite reports a
# full disk while growing its shared-memory file as an I/O error).
_NEARLY_FULL = 256 * 1024
_RESTORE = (
    "restore the ledger from a backup (on a till that joined head office, 'pos ledger "
    "restore' then brings it up to date), or call head office"
)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the ledger at ``path``.

    Raises a :class:`~ledger.errors.LedgerError` naming the file when it cannot
    be used: :class:`CorruptDatabase` when it is damaged, not a SQLite database
    or newer than this program; :class:`DatabaseUnavailable` (disk full,
    read-only, busy) when it cannot be used right now.
    """
    path = Path(path)
    refuse_odd_file(path)
    try:
        make_private_dir(path.parent)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so every
        # business operation is exactly one transaction and takes the write lock
        # up front instead of failing half-way with SQLITE_BUSY.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    except (OSError, sqlite3.Error) as exc:
        raise explain(path, exc) or DatabaseUnavailable(
            f"Cannot open the ledger database {path} ({exc}): check the path and its permissions."
        ) from None
    try:
        # The header is checked by SQLite itself, never with open(): closing
        # any descriptor of this file would drop the POSIX locks this process
        # holds through its other connections, and another process could then
        # checkpoint and delete the WAL under them (acknowledged sales lost).
        conn.execute("PRAGMA schema_version").fetchone()
        # Only now, once SQLite has read it as a database: a --db naming some
        # other file (a user's notes) is refused with its mode left alone. A
        # new ledger is still private before WAL mode makes its -wal and -shm
        # (SQLite gives them the database file's mode).
        make_private_files(path)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged sale survives power loss; NORMAL may not.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Deleted and overwritten rows are zeroed, not left in free space: an
        # erased member's phone and name must not stay in the file (issue 15).
        conn.execute("PRAGMA secure_delete = ON")
        migrate(conn, path)
    except sqlite3.Error as exc:
        conn.close()
        raise explain(path, exc) or CorruptDatabase(
            f"{path} cannot be read as a ledger ({exc}): {_RESTORE}."
        ) from None
    except LedgerError:
        conn.close()
        raise
    return conn


# -- private files -----------------------------------------------------------------


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) 0700 whatever the umask. A folder
    that already exists is left alone: it may be /tmp or a user's own."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for level in reversed(missing):
        try:
            os.mkdir(level, PRIVATE_DIR)
        except FileExistsError:
            continue  # another process made it meanwhile
        os.chmod(level, PRIVATE_DIR)


def tighten_dir(folder: Path) -> None:
    """Make a folder that is the program's own (the default data folder) 0700
    when an older version left it wider; not ours or read-only: left alone."""
    try:
        info = os.stat(folder)
        if info.st_mode & 0o077 and info.st_uid == os.geteuid():
            os.chmod(folder, PRIVATE_DIR)
    except OSError:
        pass


def make_private_files(path: Path) -> None:
    """Tighten the ledger and its -wal/-shm to 0600 when they are wider. By path
    (os.chmod opens no descriptor, so no lock is dropped); a file this user
    does not own, or on a read-only mount, is left as it is."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            info = os.stat(name)
            # Regular files only: a link to a device or FIFO is never chmod-ed.
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077 and info.st_uid == os.geteuid():
                os.chmod(name, PRIVATE_FILE)
        except OSError:
            continue


# -- odd files -------------------------------------------------------------------


_SIDE = {"-wal": "recent writes", "-shm": "shared index", "-journal": "rollback journal"}


def refuse_odd_file(path: Path) -> None:
    """A ledger path (followed through links) that is a folder, a device, a FIFO
    or a socket is refused by name before anything opens or chmods it: SQLite
    would block on a FIFO, and report a device as a disk error."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing, or unreadable: check_files and connect() say which
    if stat.S_ISDIR(mode):
        raise NotALedgerFile(f"{path} is a folder, not a ledger file: point --db at the file.")
    if not stat.S_ISREG(mode):
        target = f" (it leads to {os.path.realpath(path)})" if os.path.islink(path) else ""
        raise NotALedgerFile(
            f"{path} is not a regular file{target}: nothing was opened or changed. Point "
            "--db at the ledger file."
        )
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        try:
            side_mode = os.stat(side).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(side_mode):
            # SQLite would only say "unable to open database file".
            what = "a folder" if stat.S_ISDIR(side_mode) else "not a regular file"
            raise NotALedgerFile(
                f"{side}, where SQLite keeps the ledger's {_SIDE[suffix]}, is {what}: nothing "
                "was opened or changed. It holds no sales: move it out of the way and run the "
                "command again."
            )


def check_files(path: Path, secrets_path: Path, *, creating: bool) -> None:
    """Refuse, before opening, a ledger that is gone or empty where a terminal's
    ledger was: beside its secrets file it is an alarm, never a fresh start
    (a new ledger would restart the terminal's journal at 1)."""
    path = Path(path)
    refuse_odd_file(path)
    try:
        size = path.stat().st_size if path.exists() else None
        wal = Path(f"{path}-wal")
        pending = wal.exists() and wal.stat().st_size > 0
    except OSError:
        return  # connect() says what is wrong with it
    secrets = Path(secrets_path)
    if size is None and secrets.exists():
        raise LedgerMissing(
            f"The ledger {path} is missing, but this till's secrets file {secrets} is still "
            f"there: the till was set up and its ledger is gone (deleted, moved or lost to a "
            f"disk fault). Do not set it up again: {_RESTORE}."
        )
    if size == 0 and not pending and secrets.exists():
        raise LedgerMissing(
            f"The ledger {path} is empty (0 bytes) beside this till's secrets file {secrets}: "
            f"the till was set up and its ledger is lost. Do not start a new one: {_RESTORE}."
        )
    if size == 0 and not pending and not creating:
        raise LedgerMissing(
            f"The ledger {path} is empty (0 bytes): if this till was set up before, its "
            f"ledger is lost: {_RESTORE}. For a brand-new till, run 'pos init'."
        )


def explain(path: Path, exc: BaseException) -> LedgerError | None:
    """What an SQLite (or file) error on the ledger at ``path`` means for the
    user, or None when it is not about the file (a bug: let it surface)."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and text.startswith("Could not decode"):
        return DamagedText(key="damaged_text.ledger", path=str(path), restore=_RESTORE)
    if isinstance(exc, OSError) and not name:
        name = {28: "SQLITE_FULL", 30: "SQLITE_READONLY", 13: "SQLITE_PERM"}.get(
            exc.errno or 0, "SQLITE_IOERR"
        )
    if name.startswith("SQLITE_FULL") or (
        name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and _no_room(path)
    ):
        why = _no_room(path) or "the disk is full"
        return DiskFull(key="disk_full.ledger", path=str(path), why=why)
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_IOERR")):
        why = not_writable(path)
        if why:
            return ReadOnly(key="read_only.ledger", path=str(path), why=why)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return CorruptDatabase(
            key="corrupt_database.ledger", path=str(path), error=text, restore=_RESTORE
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseUnavailable(key="database_unavailable.busy", path=str(path))
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        return DatabaseUnavailable(key="database_unavailable.io", path=str(path), error=text)
    return None


def _no_room(path: Path) -> str:
    """Why nothing more fits, or ''."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
        if soft != resource.RLIM_INFINITY and path.exists() and path.stat().st_size >= soft:
            return (
                f"this program may not write files larger than {soft} bytes (ulimit -f), "
                "as if the disk were full"
            )
        disk = os.statvfs(path.parent)
    except OSError:
        return ""
    free = disk.f_bavail * disk.f_frsize
    if free < _NEARLY_FULL:
        return f"the disk is full ({free // 1024} KiB free)"
    return ""


def not_writable(path: Path) -> str:
    """Why the ledger's folder or files cannot be written (what to do), or ''."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return (
                f"the folder {folder} is on a read-only mount. Nothing was changed and "
                "nothing is lost: remount it read-write (or move the ledger to a writable "
                "disk), then run the command again."
            )
    except OSError:
        return ""
    for name in (folder, path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            info = os.stat(name)
        except OSError:
            continue
        if os.access(name, os.W_OK):
            continue
        kind = "folder" if stat.S_ISDIR(info.st_mode) else "file"
        mode = stat.S_IMODE(info.st_mode)
        if (info.st_uid == os.geteuid() and mode & stat.S_IWUSR) or os.geteuid() == 0:
            return (
                f"the {kind} {name} is marked immutable (or locked by the file system) "
                f"although its mode is {mode:o}. Nothing was changed and nothing is lost: "
                f"check with 'lsattr {name}', clear it with 'chattr -i {name}' (as root), "
                "then run the command again."
            )
        want = "700" if kind == "folder" else "600"
        return (
            f"the {kind} {name} cannot be written by this user (mode {mode:o}, owner uid "
            f"{info.st_uid}). Nothing was changed and nothing is lost: run the till as its "
            f"owner, or 'chmod {want} {name}', then run the command again."
        )
    return ""


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
