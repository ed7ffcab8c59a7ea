"""Break 16: a till restored from a backup, and cloned tills.

* ``pos ledger backup FILE`` copies the ledger through SQLite's backup API
  while other processes keep selling; the copy and its secrets are private.
* A till restored from an old copy that sold on it: head office already holds
  other entries under the same numbers. Its sync says so, the till stops
  selling, and ``pos ledger restore`` rebuilds the journal from head office's
  copy and carries the stranded sales over as new entries.
* A cloned till (one disk image on two machines): its first sync finds the
  fork, it stops selling under the shared identity, and
  ``pos ledger restore --as-new-terminal CODE`` gives it its own terminal id
  and carries its sales over.

End to end: real head office (PostgreSQL + HTTP), real ledger files, the real
``pos`` command in its own process.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from config import Settings
from hq.db import Conn
from hq.entries.audit import verify as hq_verify
from ledger.errors import LedgerError
from ledger.replica import Replica
from ledger.service import Ledger
from sync.client import SyncError
from tests.sync.conftest import hq_balances

POS = str(Path(sys.executable).with_name("pos"))
PHONE = "0812345678"
OTHER = "0898765432"


def pos(*args: str, db: Path, stdin: str = "") -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [POS, *args, "--db", str(db), "--json"],
        input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def image(book: Ledger, to: Path) -> Path:
    """A disk image of the till as it is now (no 'pos ledger backup' mark): the
    database through SQLite, the secrets file beside it."""
    target = sqlite3.connect(to)
    book.conn.backup(target)
    target.close()
    shutil.copy2(book.secrets_path, to.with_name(to.name + ".secrets"))
    return to


def hq_entries(conn: Conn, terminal_id: str) -> list[tuple[int, str | None, int]]:
    rows = conn.execute(
        "SELECT seq, ref, points FROM entries WHERE terminal_id = %s ORDER BY seq", (terminal_id,)
    ).fetchall()
    return [(int(s), r, int(p)) for s, r, p in rows]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# The counter app's process: a long-lived connection that sells when asked.
_APP = textwrap.dedent(
    """
    import sys
    from config import load_settings
    from ledger.errors import LedgerError
    from ledger.service import Ledger

    book = Ledger.open(sys.argv[1], load_settings(env={}))
    print("READY", flush=True)
    for line in sys.stdin:
        try:
            entry = book.earn("0812345678", "250", line.strip())
            print(f"SOLD {entry.seq} {entry.balance_after}", flush=True)
        except LedgerError as exc:
            print(f"REFUSED {exc.message}", flush=True)
    """
)


class App:
    """The app, open on a ledger in its own process the whole time."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _APP, str(db)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None and self.process.stdin is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        assert self.stdout.readline().strip() == "READY"

    def sell(self, ref: str) -> str:
        self.stdin.write(ref + "\n")
        self.stdin.flush()
        return self.stdout.readline().strip()

    def close(self) -> None:
        self.stdin.close()
        assert self.process.wait(timeout=60) == 0


# -- pos ledger backup --------------------------------------------------------------

_EARNER = textwrap.dedent(
    """
    import sys
    from config import load_settings
    from ledger.service import Ledger

    book = Ledger.open(sys.argv[1], load_settings(env={}))
    for n in range(int(sys.argv[2])):
        book.earn("0812345678", "100", f"E{n}")
        print(f"ACK E{n}", flush=True)
    book.close()
    """
)


def test_backup_is_a_consistent_private_copy_while_another_process_earns(
    tmp_path: Path, settings: Settings
) -> None:
    db = tmp_path / "till" / "ledger.db"
    db.parent.mkdir()
    assert pos("init", "--store", "S1", "--terminal", "T1", db=db)[0] == 0
    assert pos("member", "enroll", PHONE, "--consent", db=db)[0] == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    copy = folder / "monday.db"

    earner = subprocess.Popen(
        [sys.executable, "-c", _EARNER, str(db), "300"], stdout=subprocess.PIPE, text=True
    )
    assert earner.stdout is not None
    acked = []
    for line in earner.stdout:
        acked.append(line.split()[1])
        if len(acked) == 20:
            break
    status, body = pos("ledger", "backup", str(copy), db=db)
    acked += [line.split()[1] for line in earner.stdout]
    assert earner.wait(timeout=120) == 0
    assert status == 0, body
    assert len(acked) == 300

    secrets = copy.with_name("monday.db.secrets")
    assert mode(copy) == 0o600 and mode(secrets) == 0o600
    assert secrets.read_bytes() == Path(f"{db}.secrets").read_bytes()
    with Ledger.open(db, settings) as live:
        journal = [(e.seq, e.hash) for e in live.all_entries()]
        assert {e.ref for e in live.all_entries()} == set(acked)  # the earner lost nothing
    with Ledger.open(copy, settings, secrets_path=secrets) as backup:
        copied = [(e.seq, e.hash) for e in backup.all_entries()]
        assert backup.verify() == []
    assert len(copied) >= 20 and copied == journal[: len(copied)]  # a moment of the journal
    assert body["entries"] == len(copied)

    # An existing file is kept unless --force; a missing folder is named.
    before = copy.read_bytes()
    status, body = pos("ledger", "backup", str(copy), db=db)
    assert status == 2 and "already exists" in body["error"]["message"]
    assert "--force" in body["error"]["message"] and copy.read_bytes() == before
    assert pos("ledger", "backup", str(copy), "--force", db=db)[0] == 0
    status, body = pos("ledger", "backup", str(tmp_path / "nowhere" / "x.db"), db=db)
    assert status == 2 and "nowhere" in body["error"]["message"]
    assert not (tmp_path / "nowhere").exists()
    status, body = pos("ledger", "backup", str(db), "--force", db=db)
    assert status == 2 and "the ledger itself" in body["error"]["message"]


def test_a_backup_put_back_sells_only_once_head_office_agrees(
    joined: Callable[..., Ledger], sync: Callable[..., dict[str, Any]], tmp_path: Path,
    settings: Settings,
) -> None:  # fmt: skip
    till = joined("A")
    till.enroll(PHONE, consent=True)
    till.earn(PHONE, "250", "B1")
    sync(till)
    copy = tmp_path / "copy.db"
    assert pos("ledger", "backup", str(copy), db=till.path)[0] == 0

    with Ledger.open(copy, settings, secrets_path=f"{copy}.secrets") as restored:
        with pytest.raises(LedgerError, match="pos sync") as caught:
            restored.earn(PHONE, "250", "B2")
        assert "backup" in caught.value.message
        assert sync(restored)["pushed"] == 0  # head office holds what the copy holds
        assert restored.earn(PHONE, "250", "B2").balance_after == 20


# -- a till restored from an old copy ---------------------------------------------------


@pytest.mark.parametrize("copied_after", [1, 2])
def test_a_till_restored_from_an_old_copy_gets_its_way_back(
    copied_after: int,
    joined: Callable[..., Ledger],
    sync: Callable[..., dict[str, Any]],
    hq_db: Conn,
    tmp_path: Path,
    settings: Settings,
) -> None:
    till = joined("A")
    till.enroll(PHONE, consent=True)
    copy = tmp_path / "yesterday.db"
    for n, amount in enumerate(("250", "500", "750"), start=1):  # 10, 20, 30 points
        till.earn(PHONE, amount, f"B{n}")
        sync(till)
        if n == copied_after:
            image(till, copy)
    till.close()  # the disk fails; yesterday's copy goes back in

    restored = Ledger.open(copy, settings)
    restored.earn(PHONE, "1000", "B9")  # 40 points sold on the stale copy
    app = App(copy)  # the app stays open on the till throughout
    with pytest.raises(SyncError) as caught:
        sync(restored)
    assert "pos ledger restore" in caught.value.message
    with pytest.raises(LedgerError, match="pos ledger restore"):  # no more sales on it
        restored.earn(PHONE, "250", "B10")
    assert app.sell("B10").startswith("REFUSED") and "pos ledger restore" in app.sell("B10")
    restored.close()

    status, body = pos("ledger", "restore", db=copy)
    assert status == 0, body
    assert body["carried_over"] == 1 and body["head_office_entries"] == 3
    # The app's open connection sees the rebuilt journal: its next sale follows it.
    assert app.sell("B10") == "SOLD 5 110"
    app.close()

    with Ledger.open(copy, settings) as till:
        sync(till)
        assert till.member(PHONE).balance == 110
        assert till.verify() == []
        assert till.earn(PHONE, "250", "B11").balance_after == 120  # selling again
        assert sync(till)["pushed"] == 1
    refs = [ref for _, ref, _ in hq_entries(hq_db, "A")]
    assert sorted(refs) == ["B1", "B10", "B11", "B2", "B3", "B9"]  # each sale once
    assert sorted(hq_balances(hq_db).values()) == [120]
    assert hq_verify(hq_db)["problems"] == []

    status, body = pos("ledger", "restore", db=copy)  # nothing split: nothing to do
    assert status == 1 and body["error"]["code"] == "nothing_to_restore"


def test_restore_carries_redemptions_coupons_and_a_member_enrolled_twice(
    joined: Callable[..., Ledger],
    sync: Callable[..., dict[str, Any]],
    hq_db: Conn,
    tmp_path: Path,
    settings: Settings,
) -> None:
    till = joined("A")
    till.add_staff("sup", "supervisor", "2468")
    till.enroll(PHONE, consent=True)
    till.earn(PHONE, "2500", "B1")  # 100 points
    sync(till)
    copy = image(till, tmp_path / "yesterday.db")
    till.redeem(PHONE, reward_id="COFFEE", ref="R1")  # the member spends them
    till.enroll(OTHER, consent=True)
    till.earn(OTHER, "250", "B2")  # 10 points for a member the copy never saw
    sync(till)
    till.close()

    restored = Ledger.open(copy, settings)
    coupon = restored.redeem(PHONE, reward_id="COFFEE", ref="R9").coupon  # and again here
    assert coupon is not None
    restored.enroll(OTHER, consent=True)  # a second member id for the same phone
    restored.earn(OTHER, "500", "B3")  # 20 points
    with pytest.raises(SyncError):
        sync(restored)
    restored.close()

    # The second coffee takes the member below zero: a supervisor approves it.
    status, body = pos("ledger", "restore", db=copy)
    assert status == 1 and body["error"]["code"] == "approval_required"
    assert "--approver" in body["error"]["message"]
    status, body = pos("ledger", "restore", "--approver", "sup", db=copy, stdin="2468\n")
    assert status == 0, body
    assert body["carried_over"] == 2

    with Ledger.open(copy, settings) as till:
        sync(till)
        assert till.member(PHONE).balance == -100
        assert till.member(OTHER).balance == 30  # one member, both sales
        assert till.check_coupon(coupon.payload).status == "issued"  # still good to use
        assert till.verify() == []
        carried = till.entry(body["carried"][0]["entry_id"])
    assert carried.approver_id == "sup" and carried.ref == "R9"
    row = hq_db.execute("SELECT entry_id FROM coupons WHERE code = %s", (coupon.code,)).fetchone()
    assert row is not None and row[0] == carried.entry_id
    assert sorted(hq_balances(hq_db).values()) == [-100, 30]
    assert hq_verify(hq_db)["problems"] == []


# -- a cloned till ----------------------------------------------------------------


def test_a_cloned_till_stops_and_recovers_with_its_own_identity(
    joined: Callable[..., Ledger],
    add_terminal: Callable[[str, str], str],
    sync: Callable[..., dict[str, Any]],
    hq_db: Conn,
    tmp_path: Path,
    settings: Settings,
) -> None:
    till = joined("A")
    till.add_staff("sup", "supervisor", "2468")
    till.enroll(PHONE, consent=True)
    sync(till)
    clone = Ledger.open(image(till, tmp_path / "clone.db"), settings)
    app = App(clone.path)

    till.earn(PHONE, "250", "A1")  # seq 1 at both: head office keeps the first
    sync(till)
    clone.earn(PHONE, "500", "C1")
    with pytest.raises(SyncError) as caught:
        sync(clone)
    message = caught.value.message
    assert "another till" in message and "--as-new-terminal" in message
    with pytest.raises(LedgerError, match="--as-new-terminal"):
        clone.earn(PHONE, "250", "C2")
    assert "--as-new-terminal" in app.sell("C2")
    clone.close()

    status, body = pos("ledger", "restore", "--as-new-terminal", "K7QM-2XPA", db=clone.path)
    assert status != 0 and "setup code" in body["error"]["message"]  # a wrong code
    with Ledger.open(clone.path, settings) as unchanged:
        assert unchanged.terminal() == ("S1", "A")
        assert [e.ref for e in unchanged.all_entries()] == ["C1"]

    code = add_terminal("S1", "B")
    status, body = pos("ledger", "restore", "--as-new-terminal", code, db=clone.path)
    assert status == 0, body
    assert body["terminal_id"] == "B" and body["carried_over"] == 1
    # The app still holds terminal A in memory: it must not sell as A any more.
    assert "close it and start it again" in app.sell("C9")
    app.close()

    with Ledger.open(clone.path, settings) as clone:
        sync(clone)
        sync(till)
        sync(clone)
        assert clone.terminal() == ("S1", "B")
        assert clone.authenticate("sup", "2468").role == "supervisor"  # same staff, same PINs
        assert clone.member(PHONE).balance == till.member(PHONE).balance == 30
        assert clone.verify() == [] and till.verify() == []
        assert clone.earn(PHONE, "250", "C2").balance_after == 40
        assert sync(clone)["pushed"] == 1
    assert [ref for _, ref, _ in hq_entries(hq_db, "A")] == ["A1"]
    assert [ref for _, ref, _ in hq_entries(hq_db, "B")] == ["C1", "C2"]
    assert sorted(hq_balances(hq_db).values()) == [40]
    assert hq_verify(hq_db)["problems"] == []


def test_a_journal_that_ends_below_what_head_office_acknowledged_does_not_sell(
    ledger: Ledger,
) -> None:
    """Entries head office acknowledged are gone from the file (a restored or damaged
    copy): the ledger refuses to sell before any sync says so."""
    ledger.enroll(PHONE, consent=True)
    ledger.earn(PHONE, "250", "B1")
    ledger.conn.execute("INSERT INTO meta (key, value) VALUES ('sync.acked_seq', '5')")
    with pytest.raises(LedgerError, match="up to number 5, this ledger ends at 1") as caught:
        ledger.earn(PHONE, "250", "B2")
    assert "pos ledger restore" in caught.value.message
    assert [e.ref for e in ledger.all_entries()] == ["B1"]


def test_restore_says_what_is_wrong_and_changes_nothing(
    joined: Callable[..., Ledger], hq: Any, tmp_path: Path
) -> None:
    alone = tmp_path / "alone.db"
    assert pos("init", "--store", "S1", "--terminal", "Z", db=alone)[0] == 0
    status, body = pos("ledger", "restore", db=alone)
    assert status == 2 and "pos join" in body["error"]["message"]

    till = joined("A")
    till.enroll(PHONE, consent=True)
    till.earn(PHONE, "250", "B1")
    hq.stop()  # head office unreachable
    status, body = pos("ledger", "restore", db=till.path)
    assert status == 75 and "head office" in body["error"]["message"]
    assert [e.ref for e in till.all_entries()] == ["B1"]
    assert till.earn(PHONE, "250", "B2").balance_after == 20  # still selling


def test_head_office_gives_a_terminal_only_its_own_journal(
    joined: Callable[..., Ledger], sync: Callable[..., dict[str, Any]], hq: Any
) -> None:
    a, b = joined("A"), joined("B", store="S2")
    for book, ref in ((a, "A1"), (b, "B1")):
        book.enroll(PHONE, consent=True)
        book.earn(PHONE, "250", ref)
        sync(book)
    token = Replica(a).token()
    with httpx.Client(base_url=hq.url) as http:
        assert http.get("/v1/restore").status_code == 401
        page = http.get("/v1/restore", headers={"Authorization": f"Bearer {token}"}).json()
        assert (page["store_id"], page["terminal_id"], page["acked_seq"]) == ("S1", "A", 1)
        assert [(e["terminal_id"], e["ref"]) for e in page["entries"]] == [("A", "A1")]
        assert {m["terminal_id"] for m in page["members"]} == {"A"}
        bad = http.get(
            "/v1/restore", params={"after": -1}, headers={"Authorization": f"Bearer {token}"}
        )
        assert bad.status_code == 422
