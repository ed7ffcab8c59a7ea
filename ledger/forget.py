"""``pos member forget``: a member's phone and name erased at their request
(PDPA, like the GDPR's right to erasure); the member stays as a pseudonym.

What stays: the member id (a random UUID), the wallet, its entries and lots,
coupons and consents. None of them holds a phone or a name (entries name
wallets and member ids), so balances and the hash chains stay valid and
``pos ledger verify`` passes. What goes: ``members.phone`` and ``name`` (and
``consent_at``) of the member and of the members head office merged into it
(the same phone enrolled again), the name index rows (``member_grams``, by
their trigger), and the phone from the list of phones waiting for head office.

Erased means erased in the file too: every connection runs with
``secure_delete`` (ledger.db), so the old rows are zeroed rather than left in
free pages, and :func:`scrub_wal` truncates the WAL, which still holds the
pages as they were. Slips printed to preview files are removed by the app
(pos.spool_files) from the list :func:`take_erased` hands over.

Head office takes a member's details only from the terminal that enrolled it
(DESIGN.md, "Trust boundaries"): a member enrolled elsewhere is refused here,
with where it can be done. The erasure reaches head office at the next sync
(the member is pushed with no phone) and, from there, every till
(ledger.apply). The phone is free: it can enrol again as a new member.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ledger import members, meta, page_tokens, staff
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import NotPermitted
from ledger.meta import K_ERASED, K_UNRESOLVED_PHONES, K_WAL_SCRUB
from ledger.models import Credentials


@dataclass(frozen=True, slots=True)
class Forgotten:
    member_id: str
    wallet_id: str
    balance: int
    """Points left in the wallet: nobody can find the member to spend them now."""
    merged: tuple[str, ...]
    """Members merged into this one (the same phone enrolled again), erased too."""
    approver_id: str
    at: str
    wal_truncated: bool
    """False: another process was reading; the app's checkpointer finishes it."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "wallet_id": self.wallet_id,
            "balance": self.balance,
            "merged_member_ids": list(self.merged),
            "approver_id": self.approver_id,
            "at": self.at,
            "wal_truncated": self.wal_truncated,
        }


def forget(core: Core, phone: str, approval: Credentials) -> Forgotten:
    """Erase the member with ``phone`` in one transaction; a supervisor (or
    admin) approves with their PIN first."""
    e164 = members.normalize(core, phone)
    _, own = core.terminal()
    approver = staff.approver(core, approval)
    with transaction(core.conn) as conn:
        member_id, _, _, wallet_id, _, _, balance = members.row_by_phone(core, e164)
        check_own(conn, member_id, own, "forget")
        merged = tuple(
            r[0]
            for r in conn.execute(
                "SELECT merged_member_id FROM wallet_merges WHERE member_id = ? "
                "AND merged_member_id != member_id ORDER BY merged_member_id",
                (member_id,),
            )
        )
        now = iso(core.clock())
        erase_rows(conn, [member_id, *merged], [e164])
        # members.rowid is the push order (ledger.outbox): the member moves to
        # the end, so the next sync sends it again, with no phone.
        conn.execute(
            "UPDATE members SET rowid = (SELECT max(rowid) + 1 FROM members) WHERE member_id = ?",
            (member_id,),
        )
        conn.execute(
            "INSERT INTO consents (member_id, given, scope, at, terminal_id) "
            "VALUES (?, 0, NULL, ?, ?)",
            (member_id, now, own),
        )
        conn.execute(
            "INSERT INTO member_events (member_id, event, at, terminal_id, approver_id) "
            "VALUES (?, 'forgotten', ?, ?, ?)",
            (member_id, now, own, approver.staff_id),
        )
    truncated = scrub_wal(core.conn)
    return Forgotten(member_id, wallet_id, int(balance), merged, approver.staff_id, now, truncated)


def check_own(conn: sqlite3.Connection, member_id: str, own: str, what: str) -> None:
    """Only the enrolling terminal changes a member's phone (head office refuses
    anyone else's push), and not while another terminal's member counts as this
    one, nor on a member merged into another: their phone is shared."""
    (enrolled_by,) = conn.execute(
        "SELECT terminal_id FROM members WHERE member_id = ?", (member_id,)
    ).fetchone()
    if enrolled_by is not None and enrolled_by != own:
        if what == "forget":
            raise NotPermitted(key="not_permitted.forget_elsewhere", terminal_id=enrolled_by)
        raise NotPermitted(key="not_permitted.phone_elsewhere", terminal_id=enrolled_by)
    shared = conn.execute(
        "SELECT 1 FROM wallet_merges wm JOIN members m ON m.member_id = wm.merged_member_id "
        "WHERE wm.merged_member_id != wm.member_id AND (wm.merged_member_id = ?1 "
        "OR (wm.member_id = ?1 AND m.terminal_id IS NOT ?2)) LIMIT 1",
        (member_id, own),
    ).fetchone()
    if shared is not None:
        if what == "forget":
            raise NotPermitted(key="not_permitted.forget_merged")
        raise NotPermitted(key="not_permitted.phone_merged")


def erase_rows(conn: sqlite3.Connection, member_ids: list[str], phones: list[str]) -> None:
    """Inside the caller's transaction: no phone, name, consent date, birthday
    or old system's number (``pos import``) for ``member_ids``; their spool
    files to remove; ``phones`` off the waiting list."""
    ids = json.dumps(member_ids)
    conn.execute(
        "UPDATE members SET phone = NULL, name = NULL, consent_at = NULL, birthday = NULL, "
        "external_id = NULL "
        "WHERE member_id IN (SELECT value FROM json_each(?))",
        (ids,),
    )
    page_tokens.erase(conn, member_ids)  # their page at head office: no QR to it any more
    pending = json.loads(meta.get(conn, K_ERASED) or "[]")
    meta.put(conn, K_ERASED, json.dumps(sorted(set(pending) | set(member_ids))))
    waiting = json.loads(meta.get(conn, K_UNRESOLVED_PHONES) or "[]")
    if set(phones) & set(waiting):
        meta.put(conn, K_UNRESOLVED_PHONES, json.dumps([p for p in waiting if p not in phones]))
    meta.put(conn, K_WAL_SCRUB, "1")


def scrub_wal(conn: sqlite3.Connection) -> bool:
    """Copy the WAL into the database and truncate it to nothing: it holds the
    pages as they were before an erasure. Waits for readers (busy_timeout);
    False if one still holds it (the flag stays for the checkpointer)."""
    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        return False
    with transaction(conn):
        conn.execute("DELETE FROM meta WHERE key = ?", (K_WAL_SCRUB,))
    # The delete itself went to the (now empty) WAL: truncate once more.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return True


def take_erased(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The print jobs (kind, job id) of members erased since the last call,
    whose slip files are to go; the list is cleared."""
    with transaction(conn):
        ids = meta.get(conn, K_ERASED)
        if ids is None:
            return []
        jobs = conn.execute(
            "SELECT p.kind, p.job_id FROM print_jobs p JOIN entries e USING (entry_id) "
            "WHERE e.member_id IN (SELECT value FROM json_each(?)) ORDER BY p.job_id",
            (ids,),
        ).fetchall()
        conn.execute("DELETE FROM meta WHERE key = ?", (K_ERASED,))
    return [(str(k), str(j)) for k, j in jobs]
