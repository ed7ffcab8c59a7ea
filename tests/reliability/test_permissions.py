"""Break 7: the till's files are private whatever the umask.

The data folder 0700; ``ledger.db`` and its -wal/-shm, the ``.secrets`` file,
the preview spool's ``.bin``/``.png`` (they hold coupon payloads) and
``pos.log`` 0600. Everything is made by the real ``pos`` command in a
subprocess under a permissive umask; files left wider by an older version are
tightened the next time the ledger is opened.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from tests.reliability.test_damaged_files import PHONE, POS, Till


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(*paths: Path) -> dict[str, str]:
    return {path.name: f"{mode(path):o}" for path in paths}


class PermissiveTill(Till):
    """A till whose ``pos`` runs under ``umask``, printing to a preview spool."""

    def __init__(self, home: Path, folder: Path, umask: int) -> None:
        super().__init__(home, folder)
        self.umask = umask

    def env(self) -> dict[str, str]:
        env = super().env()
        env["POS_PRINTER__SPOOL_DIR"] = str(self.home / "spool")
        env["POS_LOCALE__LANGUAGE"] = "en"  # no Thai font needed for the slip
        return env

    def pos(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        old = os.umask(self.umask)  # the child inherits it
        try:
            return super().pos(*args, stdin=stdin)
        finally:
            os.umask(old)


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask 022", "umask 000"])
def test_everything_pos_creates_is_private(tmp_path: Path, umask: int) -> None:
    till = PermissiveTill(tmp_path / "home", tmp_path / "data" / "till", umask)
    till.home.mkdir()
    till.ok("init", "--store", "S1", "--terminal", "T1")
    till.ok("member", "enroll", PHONE, "--consent")
    till.ok("earn", PHONE, "2500", "--ref", "B1", "--print")

    spool = till.home / "spool"
    printed = sorted(p for p in spool.iterdir() if p.suffix in (".bin", ".png"))
    assert {p.suffix for p in printed} == {".bin", ".png"}
    log = till.home / "pos.log"
    assert log.exists()
    assert modes(tmp_path / "data", till.folder, spool) == {
        "data": "700",
        "till": "700",
        "spool": "700",
    }
    files = [till.db, till.secrets, log, *printed]
    assert modes(*files) == {path.name: "600" for path in files}


def test_ledger_files_left_wide_are_tightened_on_open(tmp_path: Path) -> None:
    """An older version left ledger.db 0644; while another process holds it
    open its -wal and -shm exist (SQLite gives them the database's mode)."""
    till = PermissiveTill(tmp_path / "home", tmp_path / "till", 0o022)
    till.home.mkdir()
    till.ok("init", "--store", "S1", "--terminal", "T1")
    till.ok("member", "enroll", PHONE, "--consent")
    till.db.chmod(0o644)
    old = os.umask(0o022)
    try:
        holder = sqlite3.connect(till.db)  # the app, say: keeps the WAL and SHM alive
        holder.execute("SELECT count(*) FROM entries").fetchone()
    finally:
        os.umask(old)
    try:
        wal, shm = Path(f"{till.db}-wal"), Path(f"{till.db}-shm")
        assert modes(till.db, wal, shm) == {till.db.name: "644", wal.name: "644", shm.name: "644"}
        till.ok("earn", PHONE, "2500", "--ref", "B1")
        assert modes(till.db, wal, shm) == {till.db.name: "600", wal.name: "600", shm.name: "600"}
    finally:
        holder.close()


def test_a_log_left_wide_is_tightened(tmp_path: Path) -> None:
    till = PermissiveTill(tmp_path / "home", tmp_path / "till", 0o022)
    till.home.mkdir()
    log = till.home / "pos.log"
    log.write_text("an older version's log\n")
    log.chmod(0o644)
    till.ok("init", "--store", "S1", "--terminal", "T1")
    assert mode(log) == 0o600


def test_the_default_data_folder_is_private(tmp_path: Path) -> None:
    """Without --db the ledger goes to the user data dir: that folder is the
    program's own, so one an older version left 0755 is tightened too."""
    till = PermissiveTill(tmp_path / "home", tmp_path / "unused", 0o022)
    data = till.home / "xdg_data_home" / "loyalty-pos"
    data.mkdir(parents=True)
    data.chmod(0o755)
    env = {k: v for k, v in till.env().items()}
    done = subprocess.run(
        [POS, "init", "--store", "S1", "--terminal", "T1", "--json"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done
    assert modes(data, data / "ledger.db", data / "ledger.db.secrets") == {
        "loyalty-pos": "700",
        "ledger.db": "600",
        "ledger.db.secrets": "600",
    }
