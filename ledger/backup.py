"""``pos ledger backup FILE``: a consistent copy of the ledger, safe while it is in use.

The copy goes through SQLite's online backup API on the ledger's own
connection: one read transaction, so it is a single moment of the journal
while the app and other ``pos`` processes keep writing (WAL readers and
writers do not block each other). Nothing else ever opens the ledger's files.

The copy is written to a new private file beside the target, made a
self-contained rollback-journal database (no ``-wal`` needed beside it),
synced, and renamed into place; the secrets file (coupon key, head-office
token, PIN pepper) is copied beside it as ``FILE.secrets``, because the
ledger is of little use without it. Both are 0600.

A copy of a terminal that joined head office is marked (``ledger.stale``):
put back after a disk failure, it sells only once a sync has shown that head
office holds nothing newer of this terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.clock import iso, utc_now
from ledger.errors import LedgerError
from ledger.stale import K_BACKUP

if TYPE_CHECKING:
    from ledger.service import Ledger


class BackupError(LedgerError):
    code = "backup_error"


def secrets_beside(path: Path) -> Path:
    return path.with_name(path.name + ".secrets")


def backup(ledger: Ledger, dest: str | Path, *, force: bool = False) -> dict[str, Any]:
    """Copy the ledger to ``dest`` (and its secrets to ``dest.secrets``)."""
    target = Path(dest).expanduser().absolute()
    secrets_target = secrets_beside(target)
    try:
        _check_target(ledger, target, secrets_target, force)
    except OSError as exc:  # a name too long for the file system, a loop of links...
        raise BackupError(
            f"Cannot use {_short(str(target))} for the backup ({exc.strerror or exc}): "
            "name another file."
        ) from None
    folder = target.parent
    tmp = folder / f".{target.name}.{os.getpid()}.tmp"
    tmp_secrets = folder / f".{secrets_target.name}.{os.getpid()}.tmp"
    try:
        _private_file(tmp)
        entries, last_seq = _copy_database(ledger, tmp)
        has_secrets = ledger.secrets_path.is_file()
        if has_secrets:
            _private_file(tmp_secrets)
            with tmp_secrets.open("wb") as out:
                out.write(ledger.secrets_path.read_bytes())
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, target)
        if has_secrets:
            os.replace(tmp_secrets, secrets_target)
        _fsync_dir(folder)
    except OSError as exc:
        _remove(tmp, tmp_secrets)
        raise BackupError(
            f"Cannot write the backup {target} ({exc.strerror or exc}): check that the folder "
            "is writable and has room."
        ) from None
    except sqlite3.Error as exc:
        _remove(tmp, tmp_secrets)
        raise BackupError(
            f"Cannot copy the ledger {ledger.path} to {target} ({exc}): check the disk, then "
            "run 'pos ledger verify'."
        ) from None
    return {
        "backup": str(target),
        "secrets": str(secrets_target) if has_secrets else None,
        "entries": entries,
        "last_seq": last_seq,
        "bytes": target.stat().st_size,
    }


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


def _check_target(ledger: Ledger, target: Path, secrets_target: Path, force: bool) -> None:
    live = ledger.path.absolute()
    # -journal too: SQLite takes a file there for a hot journal at the next open
    # and deletes it, so a "backup" written there silently vanishes.
    # The sync lock and staged secrets too: replaced, they would stop working.
    sidecars = {Path(f"{live}{suffix}") for suffix in ("-wal", "-shm", "-journal", ".sync-lock")}
    secrets = ledger.secrets_path.absolute()
    own = {live, *sidecars, secrets, secrets.with_name(secrets.name + ".pending")}
    resolved = {p.resolve() for p in own}
    if target in own or secrets_target in own or target.resolve() in resolved:
        raise BackupError(
            f"{target} is the ledger itself (or one of its files): name a new file for the "
            "backup, for example on a USB stick."
        )
    if not target.parent.is_dir():
        raise BackupError(
            f"The folder {target.parent} does not exist: create it (or plug in the drive) "
            "and run the backup again."
        )
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name a file in it, like {target}/ledger.db.")
    if not force:
        for path in (target, secrets_target):
            if path.exists():
                raise BackupError(
                    f"{path} already exists: choose another name, or add --force to replace it."
                )


def _copy_database(ledger: Ledger, tmp: Path) -> tuple[int, int]:
    copy = sqlite3.connect(tmp, isolation_level=None)
    try:
        ledger.copy_into(copy)
        # A self-contained file: the copy's pages say WAL, a backup needs no -wal beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.execute("BEGIN IMMEDIATE")
        meta = dict(copy.execute("SELECT key, value FROM meta").fetchall())
        terminal = meta.get("terminal_id")
        (entries,) = copy.execute("SELECT count(*) FROM entries").fetchone()
        row = copy.execute(
            "SELECT last_seq FROM terminals WHERE terminal_id = ?", (terminal,)
        ).fetchone()
        last_seq = int(row[0]) if row else 0
        if meta.get("sync.hq_url"):
            mark = {"made_at": iso(utc_now()), "last_seq": last_seq}
            copy.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (K_BACKUP, json.dumps(mark, sort_keys=True)),
            )
        copy.execute("COMMIT")
    finally:
        copy.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return int(entries), last_seq


def _private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 from the first byte (no window at 0644)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            Path(f"{path}-journal").unlink(missing_ok=True)
