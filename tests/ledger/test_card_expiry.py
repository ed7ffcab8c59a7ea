"""The member card never shows expired points (issue 9, break 12).

Nothing may depend on ``pos expire`` having run: the card, ``pos member
show`` and the app compute what is due as of now. And the shipped nightly
job (systemd and cron) runs expiry as well as sync.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from config import Settings
from ledger.clock import utc_now
from ledger.service import Ledger
from tests.conftest import FakeClock

PHONE = "0812345678"
ROOT = Path(__file__).resolve().parents[2]
POS = Path(sys.executable).parent / "pos"


def _old_points(db: Path, settings: Settings) -> None:
    """40 points earned 400 days ago (due), 20 earned 100 days ago; nobody ran expire."""
    clock = FakeClock(utc_now() - timedelta(days=400))
    with Ledger.open(db, settings, clock=clock) as book:
        book.init("S1", "T1")
        book.enroll(PHONE, consent=True)
        book.earn(PHONE, "1000.00", "B1")
        clock.advance(days=300)
        book.earn(PHONE, "500.00", "B2")


def test_the_card_leaves_out_points_already_due(db_path: Path, settings: Settings) -> None:
    _old_points(db_path, settings)
    with Ledger.open(db_path, settings) as book:
        card = book.card(PHONE)
        assert book.member(PHONE).balance == 60  # the journal: nothing expired yet
    assert card.member.balance == 20
    assert card.next_expiry is not None
    assert card.next_expiry.points == 20
    assert card.next_expiry.expires_at > utc_now().isoformat()
    assert card.to_dict()["balance"] == 20


def _pos(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env["POS_LOG_FILE"] = str(db.parent / "pos.log")
    return subprocess.run(
        [str(POS), *args, "--db", str(db), "--json"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_member_show_never_shows_expired_points(db_path: Path, settings: Settings) -> None:
    _old_points(db_path, settings)
    done = _pos(db_path, "member", "show", PHONE)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["balance"] == 20
    assert body["next_expiry"]["points"] == 20
    assert body["next_expiry"]["expires_at"] > utc_now().isoformat()
    text = _pos(db_path, "member", "show", PHONE).stdout
    assert "60 points" not in text


# -- the shipped nightly job -------------------------------------------------------


def _shipped(command: str, tmp: Path) -> str:
    """The shipped command line, pointed at this test's till and program."""
    command = command.replace("/opt/loyalty-pos/.venv/bin/pos", str(POS))
    command = command.replace("/srv/pos", str(tmp))
    return re.sub(r"sleep \$\(shuf [^)]*\)", "true", command)  # no random wait here


def _run(command: str, tmp: Path) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env |= {"POS_DB": str(tmp / "ledger.db"), "POS_LOG_FILE": str(tmp / "pos.log")}
    done = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, timeout=120)
    return done.returncode


def _balance(db: Path, settings: Settings) -> int:
    with Ledger.open(db, settings) as book:
        return book.member(PHONE).balance


def test_the_systemd_job_runs_expiry(tmp_path: Path, settings: Settings) -> None:
    _old_points(tmp_path / "ledger.db", settings)
    unit = (ROOT / "config/systemd/pos-sync.service").read_text()
    starts = re.findall(r"^ExecStart=(.*)$", unit, re.MULTILINE)
    assert any(" expire" in s for s in starts), starts
    for start in starts:  # as systemd runs a oneshot: in order, "-" = failure ignored
        status = _run(_shipped(start.removeprefix("-"), tmp_path), tmp_path)
        if status != 0 and not start.startswith("-"):
            break  # this till never joined head office: sync says so
    assert _balance(tmp_path / "ledger.db", settings) == 20


def test_the_cron_line_runs_expiry(tmp_path: Path, settings: Settings) -> None:
    _old_points(tmp_path / "ledger.db", settings)
    lines = [
        line
        for line in (ROOT / "config/cron/pos-sync").read_text().splitlines()
        if line and not line.startswith("#") and "=" not in line.split()[0]
    ]
    (job,) = lines
    command = " ".join(shlex.split(job, posix=False)[6:])  # minute hour day month weekday user
    _run(_shipped(command, tmp_path), tmp_path)
    assert _balance(tmp_path / "ledger.db", settings) == 20
