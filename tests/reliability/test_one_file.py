"""Break 1: a second open of the ledger in one process must not drop the
first connection's locks.

POSIX advisory locks belong to the process, not to the file descriptor:
closing *any* descriptor of the ledger file drops every lock the process
holds on it (SQLite's "How To Corrupt An SQLite Database File", 2.2). The
ledger used to read the file header with Python's ``open()``, so a process
holding a connection (the app) that opened a second one (its background sync)
lost its shared lock; another process (``pos earn`` from a script) then saw
itself as the last user, checkpointed and deleted the WAL under the app, and
the app's next acknowledged sales went to a deleted file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from config import Settings
from ledger.service import Ledger
from tests.sync.conftest import HQServer

POS = str(Path(sys.executable).with_name("pos"))
PHONE = "0812345678"

# The app's process: one long-lived connection earning, and a second Ledger
# opened and closed beside it (what every background sync did).
_APP = textwrap.dedent(
    """
    import sys
    from config import load_settings
    from ledger.service import Ledger

    path = sys.argv[1]
    settings = load_settings(env={})
    book = Ledger.open(path, settings)
    book.earn("0812345678", "100", "A0")
    Ledger.open(path, settings).close()
    print("OPENED-TWICE", flush=True)
    for n in range(1, 11):
        sys.stdin.readline()  # a script's earn ran and exited meanwhile
        book.earn("0812345678", "100", f"A{n}")
        print(f"ACK A{n}", flush=True)
    book.close()
    """
)


def test_a_second_open_in_one_process_loses_no_acknowledged_sale(
    tmp_path: Path, settings: Settings
) -> None:
    db = tmp_path / "ledger.db"
    env = {**os.environ, "POS_DB": str(db)}
    subprocess.run([POS, "init", "--store", "S1", "--terminal", "T1"], env=env, check=True)
    subprocess.run([POS, "member", "enroll", PHONE, "--consent"], env=env, check=True)

    app = subprocess.Popen(
        [sys.executable, "-c", _APP, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert app.stdout is not None and app.stdin is not None
    assert app.stdout.readline().strip() == "OPENED-TWICE"
    acked = ["A0"]
    for n in range(1, 11):  # the app and a script's earns take turns
        script = subprocess.run([POS, "earn", PHONE, "100", "--ref", f"B{n}"], env=env)
        assert script.returncode == 0
        acked.append(f"B{n}")
        app.stdin.write("go\n")
        app.stdin.flush()
        acked.append(app.stdout.readline().split()[1])
    assert app.wait(timeout=60) == 0

    with Ledger.open(db, settings) as book:
        refs = {entry.ref for entry in book.all_entries()}
        problems = book.verify()
    assert len(acked) == 21
    assert set(acked) <= refs, f"acknowledged but lost: {sorted(set(acked) - refs)}"
    assert problems == []


def test_verify_notices_entries_missing_below_what_head_office_acknowledged(
    tmp_path: Path, settings: Settings
) -> None:
    """The lost-WAL run lost the entries and the chain head together, so the
    chain looked intact; the number head office acknowledged does not lie."""
    with Ledger.open(tmp_path / "ledger.db", settings) as book:
        book.init("S1", "T1")
        book.enroll(PHONE)
        for n in range(3):
            book.earn(PHONE, "100", f"B{n}")
        assert book.verify() == []
        book.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('sync.acked_seq', '5')"
        )  # head office holds 5 of ours; 2 are gone here
        (problem,) = book.verify()
    assert problem.check == "sequence"
    assert "acknowledged entries up to 5" in problem.message
    assert "ends at 3" in problem.message


def test_verify_on_a_joined_till_compares_every_entry_with_head_office(
    hq: HQServer, add_terminal: Callable[[str, str], str], tmp_path: Path
) -> None:
    """A copy of the till taken yesterday and sold on is intact on its own:
    only head office's copy shows that its entry 2 is not the history."""
    till, copy = tmp_path / "till" / "ledger.db", tmp_path / "copy" / "ledger.db"
    env = {**os.environ, "POS_DB": str(till)}

    def pos(*args: str, db: Path = till) -> subprocess.CompletedProcess[str]:
        return subprocess.run([POS, *args, "--db", str(db), "--json"], env=env,
                              capture_output=True, text=True)  # fmt: skip

    assert pos("join", hq.url, add_terminal("S1", "T1")).returncode == 0
    assert pos("member", "enroll", PHONE, "--consent").returncode == 0
    assert pos("earn", PHONE, "100", "--ref", "B1").returncode == 0
    assert pos("sync").returncode == 0
    copy.parent.mkdir()
    for suffix in ("", ".secrets"):  # no process has the till open now
        shutil.copy2(f"{till}{suffix}", f"{copy}{suffix}")
    assert pos("earn", PHONE, "100", "--ref", "B2").returncode == 0
    assert pos("sync").returncode == 0

    checked = pos("ledger", "verify")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["head_office"] == "compared"

    assert pos("earn", PHONE, "250", "--ref", "B3", db=copy).returncode == 0
    local = pos("ledger", "verify", "--local", db=copy)
    assert local.returncode == 0  # on its own the copy looks fine
    found = pos("ledger", "verify", db=copy)
    assert found.returncode == 1
    (problem,) = json.loads(found.stdout)["problems"]
    assert problem["check"] == "head_office"
    assert "entry 2 differs from head office's copy" in problem["message"]


def test_verify_says_when_head_office_could_not_be_asked(
    hq: HQServer, add_terminal: Callable[[str, str], str], tmp_path: Path
) -> None:
    till = tmp_path / "ledger.db"
    env = {**os.environ, "POS_DB": str(till)}
    subprocess.run([POS, "join", hq.url, add_terminal("S1", "T1")], env=env, check=True)
    hq.stop()
    checked = subprocess.run([POS, "ledger", "verify"], env=env, capture_output=True, text=True)
    assert checked.returncode == 0
    assert "no problems" in checked.stdout
    assert "Not compared with head office's copy" in checked.stdout
