"""Consent is stored with the member: whether they agreed, when, and to what."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from config import Settings
from ledger.db import _statements
from ledger.members import CONSENT_SCOPE
from ledger.schema import MIGRATIONS
from ledger.service import Ledger
from tests.conftest import FakeClock

PHONE = "0812345678"


def test_a_yes_is_stored_with_its_time_and_what_it_covers(ledger: Ledger) -> None:
    member, created = ledger.enroll(PHONE, consent=True)
    assert created
    assert (member.consent_given, member.consent_scope) == (True, "points-receipts-phone/1")
    assert member.consent_at == member.enrolled_at
    card = ledger.card(PHONE).member
    assert (card.consent_given, card.consent_scope, card.consent_at) == (
        True,
        CONSENT_SCOPE,
        member.consent_at,
    )
    shown = card.to_dict()
    assert shown["consent_scope"] == CONSENT_SCOPE and shown["consent_given"] is True


def test_enrolling_without_consent_records_that_none_was_given(ledger: Ledger) -> None:
    member, _ = ledger.enroll(PHONE)
    assert (member.consent_given, member.consent_scope, member.consent_at) == (False, None, None)
    rows = ledger.conn.execute("SELECT member_id, given, scope, at FROM consents").fetchall()
    assert [tuple(r) for r in rows] == [(member.member_id, 0, None, member.enrolled_at)]


def test_enrolling_again_changes_no_answer(ledger: Ledger) -> None:
    ledger.enroll(PHONE, consent=True)
    member, created = ledger.enroll(PHONE, consent=False)
    assert not created
    assert (member.consent_given, member.consent_scope) == (True, CONSENT_SCOPE)
    assert ledger.conn.execute("SELECT count(*) FROM consents").fetchone()[0] == 1


def test_members_enrolled_before_keep_what_they_agreed_to(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    """An older ledger knew only consent_at: its yes was to the old offer,
    "keep the phone for points", and says so after the upgrade."""
    path = tmp_path / "old.db"
    with Ledger.open(path, settings, clock=clock) as book:
        book.init("S1", "T1")
        yes, _ = book.enroll(PHONE, consent=True)
        no, _ = book.enroll("0898765432")
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE consents")  # back to the schema before migration 8
    conn.execute("PRAGMA user_version = 7")  # migration 8 made the consents
    conn.commit()
    conn.close()
    assert isinstance(MIGRATIONS[7], str) and _statements(MIGRATIONS[7])

    with Ledger.open(path, settings, clock=clock) as book:
        old_yes, old_no = book.member(PHONE), book.member("0898765432")
    assert (old_yes.consent_given, old_yes.consent_scope) == (True, "points-phone/0")
    assert old_yes.consent_at == yes.consent_at
    assert (old_no.consent_given, old_no.consent_scope, old_no.consent_at) == (False, None, None)
    assert no.member_id == old_no.member_id
