"""Consent given again or withdrawn after enrolment (``pos member consent``):
each answer is a new row with its time, scope and terminal; members.consent_at
follows the latest; the member is queued for head office; a withdrawal keeps
the points redeemable."""

from __future__ import annotations

import pytest

from ledger.errors import MemberNotFound, NotPermitted
from ledger.members import CONSENT_SCOPE
from ledger.replica import Replica
from ledger.service import Ledger
from tests.conftest import FakeClock

PHONE = "0812345678"


def _answers(ledger: Ledger, member_id: str) -> list[tuple[object, ...]]:
    rows = ledger.conn.execute(
        "SELECT given, scope, at, terminal_id FROM consents WHERE member_id = ? "
        "ORDER BY consent_id",
        (member_id,),
    ).fetchall()
    return [tuple(r) for r in rows]


def _pending(ledger: Ledger) -> list[str]:
    return [m["member_id"] for m in Replica(ledger).outbox().members]


def _pushed(ledger: Ledger) -> None:
    """As if head office stored everything pending."""
    box = Replica(ledger).outbox()
    last = box.entries[-1]["seq"] if box.entries else Replica(ledger).last_seq()
    Replica(ledger).acknowledge(last, box.members_upto, box.events_upto)


def test_a_withdrawal_is_recorded_with_its_time_and_terminal_and_the_points_stay(
    ledger: Ledger, clock: FakeClock
) -> None:
    member, _ = ledger.enroll(PHONE, name="Anan", consent=True)
    ledger.earn(PHONE, "250.00", "B-1")  # 10 points
    _pushed(ledger)
    assert _pending(ledger) == []
    clock.advance(days=3)

    done = ledger.change_consent(PHONE, give=False)

    assert done.changed
    when = done.answer.at
    assert when.startswith("2026-01-18")
    assert _answers(ledger, member.member_id) == [
        (1, CONSENT_SCOPE, member.enrolled_at, "T1"),
        (0, None, when, "T1"),
    ]
    after = ledger.member(PHONE)
    assert (after.consent_given, after.consent_scope, after.consent_at) == (False, None, None)
    assert ledger.consent_withdrawn_at(member.member_id) == when
    assert _pending(ledger) == [member.member_id]  # head office hears of it at the next sync
    wire = Replica(ledger).outbox().members[0]
    assert wire["consent_at"] is None and wire["name"] == "Anan"

    # Kept as far as the ledger needs: the balance is redeemable, and a sale
    # still earns (the card tells the cashier the consent is withdrawn).
    spent = ledger.redeem(PHONE, ref="R-1", points=10)
    assert spent.entry.balance_after == 0
    assert ledger.earn(PHONE, "50.00", "B-2").balance_after == 2
    assert ledger.verify() == []


def test_consent_given_again_is_a_new_yes_to_todays_offer(ledger: Ledger, clock: FakeClock) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    ledger.change_consent(PHONE, give=False)
    clock.advance(days=1)
    done = ledger.change_consent(PHONE, give=True)
    assert done.changed and done.answer.given and done.answer.scope == CONSENT_SCOPE
    now = ledger.member(PHONE)
    assert (now.consent_given, now.consent_at) == (True, done.answer.at)
    assert ledger.consent_withdrawn_at(member.member_id) is None
    assert [a[0] for a in _answers(ledger, member.member_id)] == [1, 0, 1]


def test_the_same_answer_again_records_nothing_and_sends_nothing(ledger: Ledger) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    _pushed(ledger)
    again = ledger.change_consent(PHONE, give=True)
    assert not again.changed and again.answer.at == member.enrolled_at
    assert len(_answers(ledger, member.member_id)) == 1
    assert _pending(ledger) == []

    ledger.change_consent(PHONE, give=False)
    twice = ledger.change_consent(PHONE, give=False)
    assert not twice.changed
    assert len(_answers(ledger, member.member_id)) == 2


def test_a_member_who_never_agreed_is_not_said_to_have_withdrawn(ledger: Ledger) -> None:
    """Enrolled by the CLI without consent: never in reports or campaigns, and
    not 'withdrawn' (there was nothing to withdraw)."""
    member, _ = ledger.enroll(PHONE)
    assert not ledger.change_consent(PHONE, give=False).changed
    assert ledger.consent_withdrawn_at(member.member_id) is None
    assert ledger.change_consent(PHONE, give=True).changed
    assert ledger.member(PHONE).consent_given is True


def test_a_yes_to_an_older_offer_is_asked_again_for_todays(ledger: Ledger) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    ledger.conn.execute(  # as migration 8 left a member of an older ledger
        "UPDATE consents SET scope = 'points-phone/0' WHERE member_id = ?", (member.member_id,)
    )
    done = ledger.change_consent(PHONE, give=True)
    assert done.changed and done.answer.scope == CONSENT_SCOPE
    assert [a[1] for a in _answers(ledger, member.member_id)] == ["points-phone/0", CONSENT_SCOPE]


def test_another_terminals_member_is_refused_in_both_languages_and_nothing_changes(
    ledger: Ledger,
) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    # As a member pulled from head office arrives: enrolled at terminal T9.
    ledger.conn.execute("UPDATE members SET terminal_id = 'T9' WHERE member_id = ?",
                        (member.member_id,))  # fmt: skip
    rowid = ledger.conn.execute(
        "SELECT rowid FROM members WHERE member_id = ?", (member.member_id,)
    ).fetchone()[0]
    with pytest.raises(NotPermitted) as refused:
        ledger.change_consent(PHONE, give=False)
    assert refused.value.key == "not_permitted.consent_elsewhere"
    assert "terminal T9" in refused.value.message and "head office" in refused.value.message
    thai = refused.value.text("th")
    assert "T9" in thai and "สำนักงานใหญ่" in thai
    assert len(_answers(ledger, member.member_id)) == 1
    assert ledger.member(PHONE).consent_at == member.consent_at
    assert (
        ledger.conn.execute(
            "SELECT rowid FROM members WHERE member_id = ?", (member.member_id,)
        ).fetchone()[0]
        == rowid
    )


def test_an_unknown_phone_is_not_found_and_nothing_is_recorded(ledger: Ledger) -> None:
    with pytest.raises(MemberNotFound):
        ledger.change_consent("0899999999", give=True)
    assert ledger.conn.execute("SELECT count(*) FROM consents").fetchone()[0] == 0
