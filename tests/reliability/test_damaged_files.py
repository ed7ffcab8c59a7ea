"""Break 8: damaged or odd files get a message and an exit code, never a crash.

One row per case of issue 9: disk full, a damaged page, damaged entry text,
``.secrets`` that is a folder, an immutable file, a read-only mount, a 0-byte
ledger, a ledger gone beside its secrets file (or on a joined terminal), and
a joined terminal whose secrets file was deleted. Every row runs the real
``pos`` command in a subprocess against a real till folder and asserts:

- the exit status and error code (see ``ledger.errors`` for the table),
- the message names the file and says what to do,
- never "Unexpected error", exit 70 or a traceback,
- nothing changed: every file of the till folder is byte for byte as before.

Mounts (a tiny tmpfs, a read-only bind mount) and ``chattr +i`` need root;
without it the disk-full row falls back to ``RLIMIT_FSIZE``, the read-only row
to a 0500 folder and 0400 file, and the immutable row is skipped with a reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

POS = str(Path(sys.executable).with_name("pos"))
PHONE = "0812345678"
ROOT = os.geteuid() == 0

OK, REFUSED, USAGE, NOT_FOUND, DAMAGED, UNAVAILABLE = 0, 1, 2, 3, 4, 5


@dataclass
class Till:
    """One terminal's folder: the ledger and its secrets file, plus a home for
    the config, data and log dirs (outside the folder, so logging never
    competes with the case for disk space)."""

    home: Path
    folder: Path
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    limit_file_size: int | None = None  # RLIMIT_FSIZE for the child, in bytes

    @property
    def db(self) -> Path:
        return self.folder / "ledger.db"

    @property
    def secrets(self) -> Path:
        return self.folder / "ledger.db.secrets"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POS_")}
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[var] = str(self.home / var.lower())
        env["POS_LOG_FILE"] = str(self.home / "pos.log")
        return env

    def pos(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        limit = self.limit_file_size

        def child() -> None:
            if limit is not None:
                # The write past the limit fails with EFBIG instead of killing us.
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return subprocess.run(
            [POS, *args, "--db", str(self.db), "--json"],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=self.home,
            timeout=60,
            preexec_fn=child,
        )

    def ok(self, *args: str, stdin: str = "") -> dict[str, Any]:
        done = self.pos(*args, stdin=stdin)
        assert done.returncode == OK, done
        return dict(json.loads(done.stdout))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of the folder by content. A WAL left empty counts as none; the
    shared-memory index is SQLite's scratch space, not data."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.name.endswith("-shm") or path.is_dir():
            continue
        content = path.read_bytes()
        if path.name.endswith("-wal") and not content:
            continue
        files[str(path.relative_to(folder))] = hashlib.sha256(content).hexdigest()
    return files


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Till:
    """A till set up through the CLI: a supervisor, one member with 200 points."""
    home = tmp_path_factory.mktemp("template")
    till = Till(home, home / "till")
    till.ok("init", "--store", "S1", "--terminal", "T1")
    till.ok("staff", "add", "sup", "--role", "supervisor", stdin="2468\n")
    till.ok("member", "enroll", PHONE, "--name", "Somchai", "--consent")
    till.ok("earn", PHONE, "5000", "--ref", "B1")
    assert not Path(f"{till.db}-wal").exists()  # closed cleanly: one file holds it all
    return till


@pytest.fixture
def till(template: Till, tmp_path: Path) -> Iterator[Till]:
    """A copy of the template till (its files are closed: a plain copy is exact)."""
    folder = tmp_path / "till"
    folder.mkdir(mode=0o700)
    for name in ("ledger.db", "ledger.db.secrets"):
        shutil.copy2(template.folder / name, folder / name)
    till = Till(tmp_path / "home", folder)
    till.home.mkdir()
    yield till
    for cleanup in reversed(till.cleanups):
        cleanup()


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> Callable[[], None]:
    return lambda: subprocess.run(["umount", "-l", str(path)], check=False)


# -- the cases: each damages the till and returns the file the message must name ----


def disk_full(till: Till) -> Path:
    """The till's folder on a full disk: a 1 MiB tmpfs, filled to the last byte."""
    mount = till.home / "disk"
    mount.mkdir()
    if ROOT and _mount("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)):
        till.cleanups.append(_umount(mount))
        folder = mount / "till"
        shutil.copytree(till.folder, folder)
        till.folder = folder
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # the disk is full
        finally:
            os.close(fd)
    else:  # no mounts here: a file-size limit makes the WAL's first pages fail
        till.limit_file_size = 8192
    return till.db


def _damage_page_of(db: Path, table: str) -> None:
    with sqlite3.connect(db) as conn:
        (page,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with db.open("r+b") as fh:  # the test's own process holds no connection now
        fh.seek((page[0] - 1) * size + 8)
        fh.write(b"\xa5" * (size - 16))


def damaged_page(till: Till) -> Path:
    """The members table's page overwritten in the middle of the file."""
    _damage_page_of(till.db, "members")
    return till.db


def damaged_text(till: Till) -> Path:
    """An entry's ref replaced by bytes that are not UTF-8 (the append-only
    triggers dropped for the write and put back, as a disk fault would not ask)."""
    conn = sqlite3.connect(till.db, isolation_level=None)
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'entries'"
    ).fetchall()
    conn.execute("BEGIN")
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE entries SET ref = CAST(X'42FFFE31' AS TEXT) WHERE ref = 'B1'")
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    Path(f"{till.db}-wal").unlink(missing_ok=True)
    return till.db


def secrets_folder(till: Till) -> Path:
    till.secrets.unlink()
    till.secrets.mkdir(mode=0o700)
    return till.secrets


def immutable(till: Till) -> Path:
    if not ROOT or shutil.which("chattr") is None:
        pytest.skip("chattr +i needs root and e2fsprogs")
    done = subprocess.run(["chattr", "+i", str(till.db)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"this file system has no immutable flag ({done.stderr.strip()})")
    till.cleanups.append(lambda: subprocess.run(["chattr", "-i", str(till.db)], check=False))
    return till.db


def read_only_mount(till: Till) -> Path:
    folder = till.folder
    if ROOT and _mount("--bind", str(folder), str(folder)):
        till.cleanups.append(_umount(folder))
        assert _mount("-o", "remount,ro,bind", str(folder)), "remount read-only failed"
    else:  # without root: the nearest thing a user can make
        till.db.chmod(0o400)
        folder.chmod(0o500)
        till.cleanups.append(lambda: folder.chmod(0o700))
    return till.db


def zero_bytes(till: Till) -> Path:
    till.db.write_bytes(b"")
    return till.db


def ledger_gone(till: Till) -> Path:
    till.db.unlink()
    return till.db


@dataclass(frozen=True)
class Case:
    name: str
    damage: Callable[[Till], Path]
    args: tuple[str, ...]
    status: int
    code: str
    says: tuple[str, ...] = ()  # words the message must hold (lower case)
    never: tuple[str, ...] = ()  # words it must not hold


EARN = ("earn", PHONE, "100", "--ref", "X1")
SHOW = ("member", "show", PHONE)
INIT = ("init", "--store", "S1", "--terminal", "T1")
VERIFY = ("ledger", "verify")
RESTORE = ("backup", "head office")

CASES = [
    Case("disk full: earn", disk_full, EARN, UNAVAILABLE, "disk_full", ("full", "free")),
    Case("damaged page: member show", damaged_page, SHOW, DAMAGED, "corrupt_database",
         ("damaged", *RESTORE)),
    Case("damaged page: verify", damaged_page, VERIFY, DAMAGED, "verify_failed",
         ("damaged",)),
    Case("damaged text: verify", damaged_text, VERIFY, DAMAGED, "verify_failed",
         ("not valid text",)),
    Case("damaged text: history", damaged_text, ("member", "history", PHONE), DAMAGED,
         "damaged_text", ("not valid text", *RESTORE)),
    Case(".secrets is a folder: redeem", secrets_folder,
         ("redeem", PHONE, "--reward", "COFFEE", "--ref", "R1"), DAMAGED, "secrets_error",
         ("folder",)),
    Case("immutable ledger: earn", immutable, EARN, UNAVAILABLE, "read_only",
         ("immutable", "chattr -i"), ("backup",)),
    Case("read-only mount: earn", read_only_mount, EARN, UNAVAILABLE, "read_only",
         ("read-only",), ("backup",)),
    Case("0-byte ledger: member show", zero_bytes, SHOW, DAMAGED, "ledger_missing",
         ("empty", *RESTORE)),
    Case("0-byte ledger: verify", zero_bytes, VERIFY, DAMAGED, "ledger_missing",
         ("empty", *RESTORE)),
    Case("0-byte ledger: init", zero_bytes, INIT, DAMAGED, "ledger_missing",
         ("empty", *RESTORE)),
    Case("ledger gone beside its secrets: member show", ledger_gone, SHOW, DAMAGED,
         "ledger_missing", ("missing", *RESTORE)),
    Case("ledger gone beside its secrets: init", ledger_gone, INIT, DAMAGED,
         "ledger_missing", ("missing", *RESTORE)),
]  # fmt: skip


def message_of(done: subprocess.CompletedProcess[str]) -> tuple[str, str]:
    """(code, message) from the one JSON object on stdout; verify's problems
    count as its message."""
    body = json.loads(done.stdout)
    if "problems" in body:
        assert body["ok"] is False
        return "verify_failed", " ".join(p["message"] for p in body["problems"])
    return body["error"]["code"], body["error"]["message"]


def check(till: Till, case: Case, named: Path, before: dict[str, str]) -> None:
    done = till.pos(*case.args)
    where = f"pos {' '.join(case.args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    for text in (done.stdout, done.stderr):
        assert "Traceback" not in text and "Unexpected error" not in text, where
    assert done.stderr == "", where
    code, message = message_of(done)
    assert (done.returncode, code) == (case.status, case.code), where
    assert str(named) in message, where
    for word in case.says:
        assert word in message.lower(), f"'{word}' missing: {where}"
    for word in case.never:
        assert word not in message.lower(), f"'{word}' must not be said: {where}"
    assert snapshot(till.folder) == before, f"files changed: {where}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_damaged_or_odd_file_gets_a_message_and_an_exit_code(till: Till, case: Case) -> None:
    named = case.damage(till)
    check(till, case, named, snapshot(till.folder))


# -- a joined terminal (a real head office) ----------------------------------------


@pytest.fixture
def joined_till(till: Till, hq: Any, add_terminal: Callable[[str, str], str]) -> Till:
    """A terminal joined to a real head office through ``pos join``."""
    code = add_terminal("S1", "J1")
    shutil.rmtree(till.folder)
    till.folder.mkdir(mode=0o700)
    till.ok("join", hq.url, code)
    till.ok("member", "enroll", PHONE, "--consent")
    till.ok("sync")
    return till


def test_a_joined_till_whose_secrets_file_was_deleted_says_so(joined_till: Till) -> None:
    till = joined_till
    till.secrets.unlink()
    case = Case("secrets deleted on a joined till", secrets_folder, ("sync",), DAMAGED,
                "secrets_missing", ("missing", "pos join"), ("has not joined",))  # fmt: skip
    check(till, case, till.secrets, snapshot(till.folder))


def test_a_joined_till_whose_ledger_is_gone_is_an_alarm(joined_till: Till) -> None:
    till = joined_till
    for damage in (ledger_gone, zero_bytes):
        case = Case(f"{damage.__name__} on a joined till", damage, ("sync",), DAMAGED,
                    "ledger_missing", RESTORE)  # fmt: skip
        named = damage(till)
        check(till, case, named, snapshot(till.folder))
