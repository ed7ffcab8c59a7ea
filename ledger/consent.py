"""A member's consent after enrolment: given again, or withdrawn.

Each answer is a new row of ``consents`` (migration 8): the latest is the
member's consent; ``members.consent_at`` mirrors the latest yes and is empty
while the latest answer is a no. That column is what head office and the
other tills learn (``WireMember.consent_at``): the change moves the member to
the end of ``members.rowid`` (the push order, ledger.outbox), as a new name
does, so the next sync sends it again.

What a withdrawal means on this till: the member is kept as far as the
ledger needs, so the balance stays and can be redeemed, and a sale still earns
(the member who gives their phone at the counter asks for the points; the card
says their consent is withdrawn, so the cashier can ask whether they agree
again). The till's reports are totals and list no member, so nothing else
changes here. Head office learns of it through ``consent_at`` (empty while
withdrawn); leaving those members out of its own lists and campaigns is its
part of the work (``pos-hq report balances`` still lists them).

Head office takes a member's details only from the terminal that enrolled it
(DESIGN.md, "Trust boundaries") and refuses the whole push otherwise: a member
enrolled elsewhere is refused here, with where to change the answer.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ledger import members
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import NotPermitted
from ledger.members import CONSENT_SCOPE
from ledger.models import Member


@dataclass(frozen=True, slots=True)
class ConsentAnswer:
    """One answer: yes or no, to what (a yes's scope), when, at which terminal."""

    given: bool
    scope: str | None
    at: str
    terminal_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "given": self.given,
            "scope": self.scope,
            "at": self.at,
            "terminal_id": self.terminal_id,
        }


@dataclass(frozen=True, slots=True)
class ConsentChange:
    member: Member
    answer: ConsentAnswer
    """The member's answer now (the one just recorded, or the same one before)."""
    changed: bool
    """False: the member had already answered this (nothing recorded, nothing sent)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "member": self.member.to_dict(),
            "consent": self.answer.to_dict(),
            "changed": self.changed,
        }


def latest(conn: sqlite3.Connection, member_id: str) -> ConsentAnswer | None:
    row = conn.execute(
        "SELECT given, scope, at, terminal_id FROM consents WHERE member_id = ? "
        "ORDER BY consent_id DESC LIMIT 1",
        (member_id,),
    ).fetchone()
    return None if row is None else ConsentAnswer(bool(row[0]), row[1], row[2], row[3])


def withdrawn_at(core: Core, member_id: str) -> str | None:
    """When the member withdrew consent, if their latest answer is a no that
    follows a yes; None otherwise (consent given, or never asked for: a member
    the CLI enrolled without consent was never in reports or campaigns)."""
    row = core.conn.execute(
        "SELECT c.at FROM consents c WHERE c.consent_id = (SELECT max(consent_id) FROM "
        "consents WHERE member_id = ?1) AND c.given = 0 AND EXISTS (SELECT 1 FROM consents "
        "y WHERE y.member_id = ?1 AND y.given = 1 AND y.consent_id < c.consent_id)",
        (member_id,),
    ).fetchone()
    return None if row is None else str(row[0])


def change(core: Core, phone: str, give: bool) -> ConsentChange:
    """Record the member's answer (``give``: yes to today's offer, CONSENT_SCOPE;
    else a withdrawal) with its time and this terminal, in one transaction.

    The same answer again changes nothing; a yes given to an older offer is
    asked again and recorded as a yes to today's."""
    e164 = members.normalize(core, phone)
    _, own = core.terminal()
    with transaction(core.conn) as conn:
        member_id = members.row_by_phone(core, e164)[0]
        (enrolled_by,) = conn.execute(
            "SELECT terminal_id FROM members WHERE member_id = ?", (member_id,)
        ).fetchone()
        if enrolled_by is not None and enrolled_by != own:
            raise NotPermitted(key="not_permitted.consent_elsewhere", terminal_id=enrolled_by)
        before = latest(conn, member_id)
        if (
            before is not None
            and before.given == give
            and (not give or before.scope == CONSENT_SCOPE)
        ):
            return ConsentChange(members.by_id(core, member_id), before, changed=False)
        now = iso(core.clock())
        answer = ConsentAnswer(give, CONSENT_SCOPE if give else None, now, own)
        conn.execute(
            "INSERT INTO consents (member_id, given, scope, at, terminal_id) "
            "VALUES (?, ?, ?, ?, ?)",
            (member_id, int(give), answer.scope, now, own),
        )
        # members.rowid is the push order (ledger.outbox): the member moves to
        # the end, so the next sync sends it again with its new consent_at.
        conn.execute(
            "UPDATE members SET consent_at = ?, rowid = (SELECT max(rowid) + 1 FROM members) "
            "WHERE member_id = ?",
            (now if give else None, member_id),
        )
    return ConsentChange(members.by_id(core, member_id), answer, changed=True)


def record_pulled(
    conn: sqlite3.Connection,
    member_id: str,
    before: str | None,
    after: str | None,
    terminal_id: str | None,
    now: str,
) -> None:
    """A member's consent as head office sent it (``members.consent_at``, from
    the enrolling terminal) when it differs from what this till held: recorded
    as an answer here too, so this till's card says "Consent withdrawn on DATE"
    as the enrolling one does. The wire has the date of a yes only: a no is
    dated when it arrived, and a yes is to today's offer."""
    if before == after:
        return
    conn.execute(
        "INSERT INTO consents (member_id, given, scope, at, terminal_id) VALUES (?, ?, ?, ?, ?)",
        (member_id, int(after is not None), None if after is None else CONSENT_SCOPE,
         after or now, terminal_id),
    )  # fmt: skip
