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

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from config import Settings
from ledger.service import Ledger

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
