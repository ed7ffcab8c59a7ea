"""Staff PINs under attack (issue 9, breaks 6 and 7).

Break 6: 16 processes guessing at once must get at most ``max_pin_attempts``
guesses compared per lock window. Break 7: a copied ledger without its
secrets file must not let anyone check a PIN offline.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from config import load_settings
from ledger import pins
from ledger.clock import parse_iso
from ledger.errors import LedgerError, StaffLocked, WrongPin
from ledger.service import Ledger
from tests.conftest import FakeClock

GUESSERS = 16


def _guess(db: str, barrier: Any, answers: Any) -> None:
    """One guessing process: its own Ledger (own connection), one wrong PIN."""
    book = Ledger.open(db, load_settings(env={}))
    try:
        barrier.wait(timeout=60)
        try:
            book.authenticate("sup", "9753")
            answers.put("accepted")
        except LedgerError as exc:
            answers.put(type(exc).__name__)
    finally:
        book.close()


@pytest.mark.slow
def test_sixteen_parallel_wrong_pins_get_at_most_five_answers(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    settings = load_settings(env={})
    with Ledger.open(db, settings) as book:
        book.init("S1", "T1")
        book.add_staff("sup", "supervisor", "2468")
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(GUESSERS)
    answers = ctx.Queue()
    procs = [ctx.Process(target=_guess, args=(str(db), barrier, answers)) for _ in range(GUESSERS)]
    for proc in procs:
        proc.start()
    got = [answers.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert sorted(set(got)) <= ["StaffLocked", "WrongPin"], got
    # Four "wrong PIN" answers, the fifth guess locks the id, the rest are locked out.
    assert got.count("WrongPin") <= settings.staff.max_pin_attempts - 1, got
    assert got.count("StaffLocked") >= GUESSERS - settings.staff.max_pin_attempts, got
    conn = sqlite3.connect(db)
    locks, until = conn.execute(
        "SELECT locks, locked_until FROM staff WHERE staff_id = 'sup'"
    ).fetchone()
    conn.close()
    assert locks == 1, "one lock window, not one per batch of racing guesses"

    # The right PIN is refused while the lock lasts, accepted once it ends.
    clock = FakeClock(parse_iso(until) - timedelta(seconds=1))
    with Ledger.open(db, settings, clock=clock) as book:
        with pytest.raises(StaffLocked):
            book.authenticate("sup", "2468")
        clock.advance(seconds=2)
        assert book.authenticate("sup", "2468").staff_id == "sup"


def test_a_right_pin_on_the_last_attempt_is_accepted(ledger: Ledger) -> None:
    for _ in range(4):
        with pytest.raises(WrongPin):
            ledger.authenticate("sup", "9753")
    assert ledger.authenticate("sup", "2468").staff_id == "sup"
    with pytest.raises(WrongPin):  # the count started again
        ledger.authenticate("sup", "9753")


# -- break 7: the pepper -------------------------------------------------------


def _offline_brute_force(db: Path, staff_id: str, extra_keys: tuple[bytes, ...] = ()) -> list[str]:
    """What a thief with only the ledger file can try: every 4-digit PIN, as
    plain scrypt and as an HMAC keyed with anything key-like in the file."""
    conn = sqlite3.connect(db)
    (stored,) = conn.execute(
        "SELECT pin_hash FROM staff WHERE staff_id = ?", (staff_id,)
    ).fetchone()
    texts = [str(v) for (v,) in conn.execute("SELECT value FROM meta")]
    conn.close()
    keys = {bytes.fromhex(t) for t in texts if re.fullmatch(r"(?:[0-9a-f]{2}){16,}", t)}
    keys |= set(extra_keys)
    _, n, r, p, salt, digest = stored.split("$")
    found = []
    for number in range(10_000):
        pin = f"{number:04d}"
        tries = [pin.encode()] + [pins._peppered(pin, key) for key in keys]
        for secret in tries:
            candidate = hashlib.scrypt(
                secret, salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
            )
            if candidate.hex() == digest:
                found.append(pin)
    return found


def _copy_ledger(db: Path, to: Path) -> Path:
    to.mkdir()
    for name in (db.name, db.name + "-wal"):
        if (db.parent / name).exists():
            shutil.copy(db.parent / name, to / name)
    return to / db.name


def test_a_copied_ledger_alone_gives_no_pin_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same search a thief would run, with scrypt made 1,000 times cheaper
    # so that all 10,000 PINs take a second here (the stored hash names its cost).
    monkeypatch.setattr(pins, "SCRYPT_N", 2**4, raising=False)
    settings = load_settings(env={})
    db = tmp_path / "till" / "ledger.db"
    with Ledger.open(db, settings) as book:
        book.init("S1", "T1")
        book.add_staff("sup", "supervisor", "4826")
    stolen = _copy_ledger(db, tmp_path / "stolen")
    assert not Path(str(stolen) + ".secrets").exists()

    assert _offline_brute_force(stolen, "sup") == []

    # The search itself works: with the till's secrets file it finds the PIN.
    pepper = pins.read_pepper(Path(str(db) + ".secrets"))
    assert pepper is not None
    assert _offline_brute_force(stolen, "sup", (pepper,)) == ["4826"]
    # And the copy cannot check the PIN either: it says what is missing.
    with Ledger.open(stolen, settings) as copy, pytest.raises(LedgerError, match="secrets file"):
        copy.authenticate("sup", "4826")


def test_an_old_unpeppered_hash_still_works_and_is_upgraded(ledger: Ledger) -> None:
    salt = bytes(range(16))
    digest = hashlib.scrypt(b"8642", salt=salt, n=2**14, r=8, p=1, dklen=32)
    legacy = f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"
    ledger.conn.execute(
        "INSERT INTO staff (staff_id, name, role, pin_hash, created_at) "
        "VALUES ('old', NULL, 'supervisor', ?, '2025-01-01T00:00:00.000000Z')",
        (legacy,),
    )
    with pytest.raises(WrongPin):
        ledger.authenticate("old", "8641")
    assert ledger.authenticate("old", "8642").staff_id == "old"
    (stored,) = ledger.conn.execute("SELECT pin_hash FROM staff WHERE staff_id = 'old'").fetchone()
    assert stored.startswith("scrypt-hmac$")
    assert ledger.authenticate("old", "8642").staff_id == "old"
    # The pepper joined the coupon key in the same secrets file, 0600.
    body = json.loads(ledger.secrets_path.read_text())
    assert {"coupon_key", "pin_pepper"} <= set(body)
    assert ledger.secrets_path.stat().st_mode & 0o077 == 0
