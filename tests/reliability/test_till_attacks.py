"""The till attacked as a hostile or unlucky user would (issue 9, second pass).

Each test is one hole that got through after the first round of fixes, run
through the real ``pos`` command against a real till folder:

- ``--db`` (or the ledger itself) a symlink to something that is not a
  regular file (a FIFO, a device): refused by name, and the target's mode is
  left alone (``pos init`` used to chmod it to 0600, which on a root shell
  made /dev/zero unusable for everyone else).
- ``--db`` naming a file that is not a ledger: refused, and not made 0600.
- ``pos ledger backup LEDGER-journal``: the "backup" was taken for a hot
  journal by the next ``pos`` command and silently deleted.
- ``pos expire --as-of`` a date years ahead emptied every wallet on anyone's
  say-so; now it needs a supervisor (like a clock confirmation).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

POS = str(Path(sys.executable).with_name("pos"))
PHONE = "0812345678"
PIN = "2468"
OK, REFUSED, USAGE, NOT_FOUND, DAMAGED = 0, 1, 2, 3, 4


@dataclass
class Till:
    home: Path

    @property
    def db(self) -> Path:
        return self.home / "till" / "ledger.db"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POS_")}
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[var] = str(self.home / var.lower())
        env["POS_LOG_FILE"] = str(self.home / "pos.log")
        return env

    def pos(self, *args: str, db: Path | None = None, stdin: str = "") -> tuple[int, Any]:
        done = subprocess.run(
            [POS, *args, "--db", str(db or self.db), "--json"],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=self.home,
            timeout=60,  # a FIFO read would hang forever: fail instead
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done.returncode, json.loads(done.stdout) if done.stdout else {}

    def ok(self, *args: str, stdin: str = "") -> dict[str, Any]:
        status, body = self.pos(*args, stdin=stdin)
        assert status == OK, body
        return dict(body)


@pytest.fixture
def till(tmp_path: Path) -> Till:
    shop = Till(tmp_path)
    shop.ok("init", "--store", "S1", "--terminal", "T1")
    shop.ok("staff", "add", "sup", "--role", "supervisor", stdin=PIN + "\n")
    shop.ok("staff", "add", "cas", "--role", "cashier", stdin="3579\n")
    shop.ok("member", "enroll", PHONE)
    shop.ok("earn", PHONE, "5000", "--ref", "B1")
    return shop


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("command", [["init", "--store", "S1", "--terminal", "T9"],
                                     ["member", "show", PHONE]])  # fmt: skip
def test_a_ledger_that_is_a_fifo_is_refused_and_left_alone(
    tmp_path: Path, command: list[str]
) -> None:
    shop = Till(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    os.chmod(fifo, 0o644)
    link = tmp_path / "ledger.db"
    link.symlink_to(fifo)
    status, body = shop.pos(*command, db=link)
    assert status == USAGE, body
    assert body["error"]["code"] == "not_a_file"
    assert str(link) in body["error"]["message"]
    assert "not a regular file" in body["error"]["message"]
    assert _mode(fifo) == 0o644  # not chmod-ed through the link
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_a_wal_or_shm_that_is_a_folder_is_named(till: Till, suffix: str) -> None:
    side = Path(f"{till.db}{suffix}")
    side.mkdir()
    status, body = till.pos("earn", PHONE, "100", "--ref", "W1")
    assert (status, body["error"]["code"]) == (USAGE, "not_a_file"), body
    assert str(side) in body["error"]["message"] and "a folder" in body["error"]["message"]
    side.rmdir()
    assert till.ok("member", "show", PHONE)["balance"] == 200  # nothing was recorded


def test_db_naming_a_file_that_is_not_a_ledger_leaves_its_mode(till: Till) -> None:
    notes = till.home / "notes.txt"
    notes.write_text("my shopping list, nothing to do with the till\n" * 50)
    os.chmod(notes, 0o644)
    before = notes.read_bytes()
    status, body = till.pos("member", "show", PHONE, db=notes)
    assert status == DAMAGED, body
    assert str(notes) in body["error"]["message"]
    assert _mode(notes) == 0o644
    assert notes.read_bytes() == before
    assert not Path(f"{notes}-wal").exists() and not Path(f"{notes}-shm").exists()


def test_a_backup_over_the_ledgers_journal_name_is_refused(till: Till) -> None:
    journal = Path(f"{till.db}-journal")
    status, body = till.pos("ledger", "backup", str(journal))
    assert status == USAGE, body
    assert "is the ledger itself" in body["error"]["message"]
    assert not journal.exists()
    lock = Path(f"{till.db}.sync-lock")  # replaced, two syncs could run at once
    lock.touch()
    status, body = till.pos("ledger", "backup", str(lock), "--force")
    assert status == USAGE and "is the ledger itself" in body["error"]["message"], body
    assert lock.stat().st_size == 0
    # The ledger still opens and holds the member's points.
    assert till.ok("member", "show", PHONE)["balance"] == 200


def test_expire_as_of_years_ahead_needs_a_supervisor(till: Till) -> None:
    status, body = till.pos("expire", "--as-of", "2099-01-01")
    assert status == REFUSED, body
    assert body["error"]["code"] == "approval_required"
    assert "2099-01-01" in body["error"]["message"]
    assert till.ok("member", "show", PHONE)["balance"] == 200
    # A cashier cannot approve it either; a wrong PIN is counted like any other.
    status, body = till.pos("expire", "--as-of", "2099-01-01", "--approver", "cas",
                            stdin="3579\n")  # fmt: skip
    assert (status, body["error"]["code"]) == (REFUSED, "not_permitted"), body
    status, body = till.pos("expire", "--as-of", "2099-01-01", "--approver", "sup",
                            stdin="9753\n")  # fmt: skip
    assert (status, body["error"]["code"]) == (REFUSED, "wrong_pin"), body
    assert till.ok("member", "show", PHONE)["balance"] == 200
    # A supervisor who means it: done, and the expiry names who approved it.
    done = till.ok("expire", "--as-of", "2099-01-01", "--approver", "sup", stdin=PIN + "\n")
    assert done["expired_points"] == 200
    assert [e["approver_id"] for e in done["entries"]] == ["sup"]
    assert till.ok("ledger", "verify", "--local")["ok"] is True


def test_expire_as_of_today_or_earlier_needs_no_one(till: Till) -> None:
    from datetime import UTC, datetime

    today = datetime.now(UTC).strftime("%Y-%m-%d")
    for day in ("2020-01-01", today):
        assert till.ok("expire", "--as-of", day)["expired_points"] == 0
    assert till.ok("member", "show", PHONE)["balance"] == 200


# -- a pulled entry dated far ahead must not vouch for a wrong clock ---------------


def _far_future_entry(when: str) -> dict[str, Any]:
    """Another terminal's earn, dated ``when``, as head office's feed carries it."""
    from ledger.chain import GENESIS, entry_hash
    from ledger.clock import uuid7
    from ledger.models import ENTRY_COLUMNS

    values = {
        "entry_id": str(uuid7()), "wallet_id": str(uuid7()), "member_id": None,
        "kind": "earn", "points": 10, "balance_after": 10, "amount_minor": 25000,
        "currency": "THB", "ref": "X1", "terminal_id": "T9", "store_id": "S2",
        "cashier_id": None, "approver_id": None, "reason": None, "reverses": None,
        "rules": None, "created_at": when, "seq": 1, "prev_hash": GENESIS,
    }  # fmt: skip
    fields = [values[c] for c in ENTRY_COLUMNS if c != "hash"]
    values["hash"] = entry_hash(fields)
    return values


def test_a_pulled_entry_dated_2099_does_not_disable_the_clock_guard(
    ledger: Any, clock: Any
) -> None:
    from datetime import UTC, datetime

    from ledger.replica import Replica
    from ledger.timeguard import ClockWrong

    clock.now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "2500.00", "B1")  # 100 points, due 2027-01-15
    # Another terminal (a till with a wrong clock, or a hostile one) dated a sale 2099.
    Replica(ledger).apply([{"kind": "entry", "entry": _far_future_entry(
        "2099-01-01T00:00:00.000000Z")}])  # fmt: skip
    clock.now = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)  # this till's clock is mis-set
    with pytest.raises(ClockWrong, match="2030-06-01"):
        ledger.expire()
    with pytest.raises(ClockWrong):
        ledger.earn(PHONE, "100.00", "B2")
    assert ledger.member(PHONE).balance == 100
    warning = ledger.clock_warning()
    assert warning is not None and "2030-06-01" in warning.message


# -- pos ledger restore killed at any point ------------------------------------------


@pytest.mark.slow
def test_restore_killed_at_any_point_leaves_a_usable_ledger(
    joined: Any, sync: Any, hq_db: Any, tmp_path: Path, settings: Any
) -> None:
    """SIGKILL ``pos ledger restore`` after longer and longer delays: after each
    kill the ledger opens and its books verify (sales still refused: the split
    is not sorted out); the run that finishes leaves every sale once."""
    import signal
    import sqlite3
    import time

    from ledger.service import Ledger
    from sync.client import SyncError

    till = joined("A")
    till.enroll(PHONE, consent=True)
    till.earn(PHONE, "250", "B1")
    sync(till)
    copy = tmp_path / "old.db"
    target = sqlite3.connect(copy)
    till.conn.backup(target)
    target.close()
    copy.with_name("old.db.secrets").write_bytes(till.secrets_path.read_bytes())
    os.chmod(copy.with_name("old.db.secrets"), 0o600)
    till.earn(PHONE, "500", "B2")
    sync(till)
    till.close()
    stale = Ledger.open(copy, settings)
    stale.earn(PHONE, "1000", "B9")  # sold on the old copy: must be carried over once
    with pytest.raises(SyncError):
        sync(stale)
    stale.close()

    # What an earlier run killed part-way leaves: its working folder, holding a
    # full copy of the ledger. (The kills below may leave more.)
    planted = tmp_path / ".old.db.restore-killed"
    planted.mkdir(mode=0o700)
    (planted / "snapshot.db").write_bytes(copy.read_bytes())
    shop = Till(tmp_path)
    delay, finished, kills, extra = 0.05, False, 0, 0
    while not finished:
        child = subprocess.Popen(
            [POS, "ledger", "restore", "--db", str(copy), "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=shop.env(),
        )  # fmt: skip
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=120)
        assert child.returncode in (0, -signal.SIGKILL), (child.returncode, out, err)
        kills += child.returncode != 0
        status, body = shop.pos("ledger", "verify", "--local", db=copy)
        assert status == OK, body
        status, body = shop.pos("member", "show", PHONE, db=copy)
        assert status == OK, body
        # Before the swap the split still stops sales; after it (killed in the
        # follow-up sync, or done) the till sells again.
        status, body = shop.pos("earn", PHONE, "250", "--ref", f"K{delay:.3f}", db=copy)
        assert status == OK or (status, body["error"]["code"]) == (REFUSED, "stale_ledger"), body
        finished = status == OK
        extra += 10 * finished
        delay *= 1.6
    assert kills >= 2  # the loop did kill it part-way
    with Ledger.open(copy, settings) as book:
        sync(book)
        assert book.member(PHONE).balance == 10 + 20 + 40 + extra
        assert book.verify() == []
    leftovers = [p.name for p in tmp_path.iterdir() if ".restore-" in p.name]
    assert leftovers == [], leftovers


class _Killed(BaseException):
    """The process dies here (as SIGKILL would: no handler runs)."""


def test_a_clone_restore_killed_between_swap_and_secrets_recovers_at_next_sync(
    joined: Any,
    add_terminal: Any,
    sync: Any,
    hq_db: Any,
    tmp_path: Path,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--as-new-terminal`` gives the ledger a new id (one transaction) and the
    secrets file the new token (one rename). Killed between the two, the till
    held terminal B's journal with terminal A's token and a used setup code:
    it could never sync again. The staged secrets now finish at the next sync."""
    import sqlite3

    import ledger.secrets
    from ledger.service import Ledger
    from sync.client import SyncError
    from sync.restore import restore

    till = joined("A")
    till.enroll(PHONE, consent=True)
    sync(till)
    clone_path = tmp_path / "clone.db"
    target = sqlite3.connect(clone_path)
    till.conn.backup(target)
    target.close()
    Path(f"{clone_path}.secrets").write_bytes(till.secrets_path.read_bytes())
    os.chmod(f"{clone_path}.secrets", 0o600)
    till.earn(PHONE, "250", "A1")
    sync(till)
    clone = Ledger.open(clone_path, settings)
    clone.earn(PHONE, "500", "C1")
    with pytest.raises(SyncError):
        sync(clone)

    real_write = ledger.secrets.write_secrets

    def dies_writing_the_live_secrets(path: Path, body: Any) -> None:
        if Path(path) == clone.secrets_path:
            raise _Killed
        real_write(path, body)

    monkeypatch.setattr("ledger.pending_secrets.write_secrets", dies_writing_the_live_secrets)
    code = add_terminal("S1", "B")
    with pytest.raises(_Killed):
        restore(clone, setup_code=code)
    clone.close()
    monkeypatch.undo()

    with Ledger.open(clone_path, settings) as book:
        assert book.terminal() == ("S1", "B")  # the swap was made
        sync(book)  # and the new terminal's token goes in place
        sync(till)
        sync(book)
        assert book.member(PHONE).balance == till.member(PHONE).balance == 30
        assert book.verify() == []
        assert book.earn(PHONE, "250", "C2").balance_after == 40
        assert sync(book)["pushed"] == 1
    assert not Path(f"{clone_path}.secrets.pending").exists()


# -- the offline redeem limit and a clock set back -----------------------------------


def test_a_clock_set_back_does_not_lift_the_offline_redeem_limit(ledger: Any, clock: Any) -> None:
    """Head office down, the cashier sets the till's clock back a day: the last
    sync then looked "in the future", so the till took itself for online and
    redeemed without limit."""
    from datetime import UTC, datetime, timedelta

    from ledger.clock import iso
    from ledger.db import transaction
    from ledger.errors import ApprovalRequired
    from ledger.replica import K_LAST_SYNC, K_URL

    clock.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    ledger.enroll(PHONE)
    for n in range(3):
        ledger.earn(PHONE, "10000.00", f"B{n}")  # 400 points each
    with transaction(ledger.conn) as conn:  # as a sync that went through at 10:02 records it
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [(K_URL, "https://hq.example"), (K_LAST_SYNC, iso(clock.now + timedelta(minutes=2)))],
        )
    before = ledger.member(PHONE).balance
    # Head office goes down; the cashier sets the clock back a day, before the
    # last sync (entries are then dated with the journal's last time, 10:00).
    clock.now -= timedelta(days=1)
    ledger.redeem(PHONE, ref="R1", points=400)
    ledger.redeem(PHONE, ref="R2", points=400)
    with pytest.raises(ApprovalRequired, match="offline limit of 1000"):
        ledger.redeem(PHONE, ref="R3", points=400)
    assert ledger.member(PHONE).balance == before - 800


def test_a_huge_secrets_file_is_refused_without_reading_it(till: Till) -> None:
    secrets = Path(f"{till.db}.secrets")
    before = secrets.read_bytes()
    body = json.loads(before) | {"padding": "x" * (3 * 1024 * 1024)}
    secrets.write_text(json.dumps(body))
    for command in (["member", "show", PHONE], ["adjust", PHONE, "5", "--reason", "x",
                                                "--approver", "sup"]):  # fmt: skip
        status, out = till.pos(*command, stdin=PIN + "\n")
        assert status == DAMAGED, out
        message = out["error"]["message"]
        assert str(secrets) in message and "far more than a secrets file holds" in message
    secrets.write_bytes(before)
    os.chmod(secrets, 0o600)
    assert till.ok("member", "show", PHONE)["balance"] == 200


# -- a copy that must not sell must not hand out rewards either --------------------


@pytest.mark.parametrize("mark", ["diverged", "backup"])
def test_a_stale_copy_does_not_mark_coupons_used(ledger: Any, mark: str) -> None:
    """A till that sells nothing until head office is asked (a copy put back, a
    clone) used to accept a coupon: head office may already hold it as used
    elsewhere, so the reward would be handed out twice."""
    import json as json_

    from ledger.db import transaction
    from ledger.stale import K_BACKUP, StaleLedger, mark_diverged

    ledger.enroll(PHONE)
    ledger.earn(PHONE, "50000.00", "B1")
    coupon = ledger.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    with transaction(ledger.conn) as conn:
        if mark == "diverged":
            mark_diverged(conn, {"kind": "behind", "hq_seq": 9, "local_seq": 2,
                                 "terminal_id": "T1", "store_id": "S1"})  # fmt: skip
        else:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                (K_BACKUP, json_.dumps({"made_at": "2026-01-14T00:00:00Z", "last_seq": 2})),
            )
    with pytest.raises(StaleLedger):
        ledger.use_coupon(coupon.code)
    assert ledger.check_coupon(coupon.code).status == "issued"


# -- a PIN lock an admin can lift (the message said "ask an admin": none could) -------


def test_an_admin_lifts_a_pin_lock_and_nobody_else_can(till: Till) -> None:
    till.ok("staff", "add", "boss", "--role", "admin", stdin="8642\n")
    till.ok("staff", "add", "sup2", "--role", "supervisor", stdin="7531\n")
    for _ in range(5):
        status, body = till.pos("adjust", PHONE, "5", "--reason", "guess", "--approver", "sup",
                                stdin="0000\n")  # fmt: skip
        assert status == REFUSED, body
    status, body = till.pos("adjust", PHONE, "5", "--reason", "x", "--approver", "sup",
                            stdin=PIN + "\n")  # fmt: skip
    assert body["error"]["code"] == "staff_locked", body
    assert "pos staff unlock sup --approver" in body["error"]["message"]
    # Another supervisor (or the locked one's accomplice) cannot lift it.
    status, body = till.pos("staff", "unlock", "sup", "--approver", "sup2", stdin="7531\n")
    assert (status, body["error"]["code"]) == (REFUSED, "not_permitted"), body
    status, body = till.pos("staff", "unlock", "sup", "--approver", "boss", stdin="1111\n")
    assert (status, body["error"]["code"]) == (REFUSED, "wrong_pin"), body
    status, body = till.pos("staff", "unlock", "nobody", "--approver", "boss", stdin="8642\n")
    assert (status, body["error"]["code"]) == (NOT_FOUND, "staff_not_found"), body
    assert till.ok("staff", "unlock", "sup", "--approver", "boss", stdin="8642\n")["unlocked"]
    done = till.ok("adjust", PHONE, "5", "--reason", "ok", "--approver", "sup", stdin=PIN + "\n")
    assert done["balance"] == 205


def test_a_number_thousands_of_digits_long_is_refused_not_a_crash(till: Till) -> None:
    long = "1" * 5000  # past Python's 4,300-digit int conversion limit
    cases = [
        (["earn", PHONE, long, "--ref", "L1"], "invalid_amount"),
        (["redeem", PHONE, "--points", long, "--ref", "L2"], "invalid_input"),
        (["adjust", PHONE, "-" + long, "--reason", "x", "--approver", "sup"], "invalid_input"),
    ]
    for command, code in cases:
        status, body = till.pos(*command, stdin=PIN + "\n")
        assert (status, body["error"]["code"]) == (REFUSED, code), body
        assert len(body["error"]["message"]) < 300  # not echoed back 5,000 digits long
    assert till.ok("member", "show", PHONE)["balance"] == 200


def test_bytes_that_are_not_utf8_and_overlong_names_get_a_message(till: Till) -> None:
    """Found by feeding every command odd arguments: these were 'Unexpected error'."""
    odd = os.fsdecode(b"\x1b[2J\x9b\xff")  # as Python holds undecodable argv bytes
    for command in (["print", "reprint", odd], ["coupon", "use", odd],
                    ["join", "http://127.0.0.1:9/", odd]):  # fmt: skip
        status, body = till.pos(*command)
        assert (status, body["error"]["code"]) == (USAGE, "usage"), body
        assert "not valid UTF-8" in body["error"]["message"]
    # A PIN piped in with such bytes: refused before it is counted as a guess.
    done = subprocess.run(
        [POS, "adjust", PHONE, "5", "--reason", "x", "--approver", "sup", "--db",
         str(till.db), "--json"],
        input=b"\xff\xfe\n", capture_output=True, env=till.env(), timeout=60,
    )  # fmt: skip
    body = json.loads(done.stdout)
    assert (done.returncode, body["error"]["code"]) == (USAGE, "usage"), body
    # A backup file name longer than the file system allows.
    status, body = till.pos("ledger", "backup", str(till.home / ("9" * 5000)))
    assert (status, body["error"]["code"]) == (USAGE, "backup_error"), body
    assert "name another file" in body["error"]["message"]
    assert till.ok("member", "show", PHONE)["balance"] == 200


def test_a_db_path_too_long_for_the_file_system_is_a_message(till: Till) -> None:
    status, body = till.pos("member", "show", PHONE, db=till.home / ("9" * 5000))
    assert (status, body["error"]["code"]) == (USAGE, "file_error"), body
    assert "File name too long" in body["error"]["message"]
    assert len(body["error"]["message"]) < 400


def test_a_config_that_is_a_pipe_is_refused_not_waited_on(till: Till) -> None:
    """``--config`` naming a FIFO waited forever (and /dev/zero was read until the
    kernel killed the process for memory: not run here, it would hurt the machine)."""
    fifo = till.home / "settings.toml"
    os.mkfifo(fifo)
    status, body = till.pos("member", "show", PHONE, "--config", str(fifo))
    assert (status, body["error"]["code"]) == (USAGE, "config_error"), body
    assert (
        str(fifo) in body["error"]["message"] and "not a settings file" in body["error"]["message"]
    )


def test_a_secrets_file_that_is_a_pipe_is_refused_by_every_reader(ledger: Any) -> None:
    """``pos join`` and ``verify`` read the secrets file without the CLI's check:
    a FIFO there blocked them for ever (and /dev/zero would exhaust memory)."""
    from ledger.errors import SecretsError
    from ledger.replica import Replica

    ledger.secrets_path.unlink()
    os.mkfifo(ledger.secrets_path, 0o600)
    with pytest.raises(SecretsError, match="not a plain file"):
        Replica(ledger).token()
