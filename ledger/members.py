"""Members: enrolling a phone, finding a member, the member card, the tier.

A member is found by phone (E.164, normalized here) or by id; the card is
everything the counter shows, read in a handful of indexed statements.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ledger import journal, lots, page_tokens
from ledger.clock import iso, uuid7
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import InvalidInput, MemberNotFound, NotPermitted
from ledger.models import Entry, Member, MemberCard, Receipt, TierProgress
from ledger.money import to_minor
from ledger.phone import mask_phone, normalize_phone
from ledger.rules import next_tier, tier_for
from ledger.text import clean_text

_MEMBER = (
    "SELECT m.member_id, m.phone, m.name, m.wallet_id, m.consent_at, m.enrolled_at, "
    "w.balance FROM members m JOIN wallets w USING (wallet_id) "
)
YEAR = timedelta(days=365)
NAME_LIMIT = 80
HISTORY_PAGE_LIMIT = 500
SEARCH_LIMIT = 50
# What a yes at enrolment covers today: points, and receipts sent to the phone.
# A new wording of the offer gets a new id; stored ids keep their meaning.
CONSENT_SCOPE = "points-receipts-phone/1"


def normalize(core: Core, phone: str) -> str:
    return normalize_phone(phone, core.region)


def mask(core: Core, e164: str) -> str:
    return mask_phone(e164, core.region)


def enroll(core: Core, phone: str, name: str | None, consent: bool) -> tuple[Member, bool]:
    """A new member, with their answer about consent recorded beside them (a no
    too: the CLI may enroll without one). The counter asks consent first and
    stores nothing without it. An existing member is returned as they are."""
    e164 = normalize(core, phone)
    name = clean_text(name, "name", required=False, limit=NAME_LIMIT)
    _, terminal_id = core.terminal()
    with transaction(core.conn) as conn:
        if conn.execute("SELECT 1 FROM members WHERE phone = ?", (e164,)).fetchone():
            created = False
        else:
            now = iso(core.clock())
            wallet_id, member_id = uuid7(), uuid7()
            conn.execute(
                "INSERT INTO wallets (wallet_id, kind, balance, created_at) "
                "VALUES (?, 'member', 0, ?)",
                (wallet_id, now),
            )
            conn.execute(
                "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, "
                "enrolled_at, terminal_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (member_id, e164, name, wallet_id, now if consent else None, now, terminal_id),
            )
            conn.execute(
                "INSERT INTO consents (member_id, given, scope, at, terminal_id) "
                "VALUES (?, ?, ?, ?, ?)",
                (member_id, int(consent), CONSENT_SCOPE if consent else None, now, terminal_id),
            )
            created = True
    return by_phone(core, e164), created


# A member merged into another one (ledger.merge) keeps its phone, which finds
# the member it counts as: one probe of wallet_merges' primary key, in the same
# statement, for a phone that was never merged.
_BY_PHONE = (
    "SELECT wm.member_id, m.member_id, m.phone, m.name, m.wallet_id, m.consent_at, "
    "m.enrolled_at, w.balance FROM members m JOIN wallets w USING (wallet_id) "
    "LEFT JOIN wallet_merges wm ON wm.merged_wallet_id = m.wallet_id "
    "AND wm.member_id != m.member_id WHERE m.phone = ?"
)


def row_by_phone(core: Core, e164: str) -> tuple[Any, ...]:
    """(member_id, phone, name, wallet_id, consent_at, enrolled_at, balance) of
    the member the phone finds: the member merged into, if it was merged."""
    row = core.conn.execute(_BY_PHONE, (e164,)).fetchone()
    if row is None:
        raise MemberNotFound(
            f"No member with phone {mask(core, e164)}: enroll them first.", phone=e164
        )
    if row[0] is not None:
        kept = core.conn.execute(_MEMBER + "WHERE m.member_id = ?", (row[0],)).fetchone()
        if kept is not None and kept[1] is not None:
            return tuple(kept)
    return tuple(row[1:])


def spend_12m(core: Core, wallet_id: str, now: datetime | None = None) -> int:
    """``now``: a sale passes its entry's time (already checked by the clock
    guard), so the guard is not asked twice per sale."""
    return journal.spend_since(core.conn, wallet_id, (now or core.now()) - YEAR)


def _member(core: Core, row: tuple[Any, ...], now: datetime | None = None) -> Member:
    member_id, phone, name, wallet_id, consent_at, enrolled_at, balance = row
    spend = spend_12m(core, wallet_id, now)
    # Read here, not joined into row_by_phone: the sale path needs no consent
    # (nor the old system's number and the birthday, ledger.imports).
    given, scope, external_id, birthday = core.conn.execute(
        "SELECT c.given, c.scope, m.external_id, m.birthday FROM members m LEFT JOIN "
        "(SELECT given, scope FROM consents WHERE member_id = ?1 "
        " ORDER BY consent_id DESC LIMIT 1) c WHERE m.member_id = ?1",
        (member_id,),
    ).fetchone() or (None, None, None, None)
    return Member(
        member_id, phone, name, wallet_id, consent_at, enrolled_at, balance,
        tier=tier_for(spend, core.tiers).id, spend_12m_minor=spend,
        consent_given=None if given is None else bool(given),
        consent_scope=scope, external_id=external_id, birthday=birthday,
    )  # fmt: skip


def by_phone(core: Core, e164: str) -> Member:
    return _member(core, row_by_phone(core, e164))


def by_id(core: Core, member_id: str) -> Member:
    row = core.conn.execute(_MEMBER + "WHERE m.member_id = ?", (member_id,)).fetchone()
    if row is None or row[1] is None:
        raise MemberNotFound(f"No member with id {member_id}.")
    return _member(core, tuple(row))


def card(core: Core, phone: str, recent: int) -> MemberCard:
    """Everything the member card needs, in a handful of indexed reads."""
    now = core.now()
    member = _member(core, row_by_phone(core, normalize(core, phone)), now)
    tier = tier_for(member.spend_12m_minor, core.tiers)
    upper = next_tier(tier, core.tiers)
    progress = TierProgress(
        tier.id,
        upper.id if upper else None,
        member.spend_12m_minor,
        None if upper is None else to_minor(upper.min_spend) - member.spend_12m_minor,
    )
    # As of now, whether or not 'pos expire' ran: due points are not shown.
    due, expiry = lots.due_and_next(core.conn, member.wallet_id, iso(now))
    if due:
        member = replace(member, balance=member.balance - due)
    return MemberCard(
        member,
        progress,
        expiry,
        tuple(journal.of_wallet(core.conn, member.wallet_id, recent)),
        tuple(r.id for r in core.settings.rewards if r.points <= member.balance),
    )


def history(core: Core, phone: str, limit: int) -> list[Entry]:
    if not 1 <= limit <= 10_000:
        raise InvalidInput("The limit must be between 1 and 10000.")
    wallet_id = row_by_phone(core, normalize(core, phone))[3]
    return journal.of_wallet(core.conn, wallet_id, limit)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of a wallet's entries, newest first."""

    entries: tuple[Entry, ...]
    older: tuple[str, str] | None
    """Where the next (older) page starts; None: this page reaches the first entry."""


def history_page(
    core: Core, wallet_id: str, before: tuple[str, str] | None, limit: int
) -> HistoryPage:
    if not 1 <= limit <= HISTORY_PAGE_LIMIT:
        raise InvalidInput(f"The page size must be between 1 and {HISTORY_PAGE_LIMIT}.")
    # One more than asked: whether an older page exists, without a count.
    rows = journal.of_wallet_page(core.conn, wallet_id, before, limit + 1)
    shown = tuple(rows[:limit])
    older = (shown[-1].created_at, shown[-1].entry_id) if len(rows) > limit else None
    return HistoryPage(shown, older)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A member found by name: the list shows the name and the masked phone; the
    phone (E.164) opens the card."""

    member_id: str
    name: str
    phone: str


def _like_pattern(text: str) -> str:
    """``text`` anywhere in a name, its ``%``, ``_`` and ``\\`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Trigrams of the typed text read (spread over it), and how far each one's
# postings are counted to find the rarest: first a little way (most texts
# have a rare one), further only when all of them are common.
_GRAMS_READ = 10
_COUNTED = (500, 50_000)
_FIRST_READ = 5000  # postings of a common trigram read before counting further
_MATCH = "m.name LIKE ? ESCAPE '\\' AND m.phone IS NOT NULL LIMIT ?"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _sizes(conn: sqlite3.Connection, grams: list[str], bound: int) -> dict[str, int]:
    """How many members hold each trigram, counted up to ``bound`` (an index range)."""
    return {
        g: conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM member_grams WHERE gram = ? LIMIT ?)",
            (g, bound),
        ).fetchone()[0]
        for g in grams
    }


def _by_grams(
    conn: sqlite3.Connection, needle: str, grams: list[str], limit: int
) -> list[tuple[Any, ...]]:
    """Members holding every trigram, the rarest's postings read in turn (so a
    rare one is read whole, a common text stops at ``limit`` matches)."""
    sizes = _sizes(conn, grams, _COUNTED[0])
    if min(sizes.values()) == 0:
        return []
    if min(sizes.values()) == _COUNTED[0]:
        # Every trigram common: most likely a common name, found in the first
        # postings read; if not (common trigrams, rare together), count further.
        rows = _holding(conn, needle, grams[0], grams[1:], limit, _FIRST_READ)
        if len(rows) == limit:
            return rows
        sizes = _sizes(conn, grams, _COUNTED[1])
    driver = min(grams, key=lambda g: sizes[g])
    return _holding(conn, needle, driver, [g for g in grams if g != driver], limit, -1)


def _holding(
    conn: sqlite3.Connection, needle: str, driver: str, others: list[str], limit: int, read: int
) -> list[tuple[Any, ...]]:
    """Members among the first ``read`` (-1: all) holding ``driver`` that hold
    ``others`` too and whose name holds ``needle``."""
    holds = "".join(
        " AND EXISTS (SELECT 1 FROM member_grams o WHERE o.gram = ? "
        "AND o.member_rowid = g.member_rowid)"
        for _ in others
    )
    # CROSS JOIN: SQLite keeps this order (the driver's postings outside).
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT m.member_id, m.name, m.phone FROM "
            "(SELECT member_rowid FROM member_grams WHERE gram = ? LIMIT ?) g "
            f"CROSS JOIN members m ON m.rowid = g.member_rowid WHERE 1{holds} "
            f"AND {_MATCH}",
            (driver, read, *others, _like_pattern(needle), limit),
        ).fetchall()
    ]


def search_by_name(core: Core, text: str, limit: int) -> list[NameMatch]:
    """Members whose name holds ``text`` (case-insensitive for Latin letters;
    Thai has no case), at most ``limit``, by name. Members without a phone (erased,
    or merged into another) are not offered: the card is opened by phone.

    Three letters or more read the trigram index (member_grams, migration 10):
    the members holding the rarest of the text's trigrams, in turn, each kept
    if it holds the others too and its name matches LIKE, until ``limit``. A
    common name stops after a few members, a rare one reads a few postings.
    One or two letters scan the names, stopped by LIMIT (they are in many).
    Measured over 1,000,000 named members on a busy 2-core machine: a name
    nobody has took 0.45-0.6 s scanned, 0.2 ms by the index; a common name
    under 1 ms; the worst seen, common trigrams rare together ("chai som"),
    about 35 ms."""
    needle = (text or "").strip()
    if not needle:
        return []
    if not 1 <= limit <= SEARCH_LIMIT:
        raise InvalidInput(f"The number of results must be between 1 and {SEARCH_LIMIT}.")
    conn = core.conn
    folded = needle.translate(_ASCII_LOWER)
    if len(folded) < 3:
        rows = conn.execute(
            f"SELECT m.member_id, m.name, m.phone FROM members m WHERE {_MATCH}",
            (_like_pattern(needle), limit),
        ).fetchall()
    else:
        last = len(folded) - 3
        spread = sorted({last * n // max(1, _GRAMS_READ - 1) for n in range(_GRAMS_READ)})
        grams = list(dict.fromkeys(folded[i : i + 3] for i in spread))
        rows = _by_grams(conn, needle, grams, limit)
    found = [NameMatch(str(r[0]), str(r[1]), str(r[2])) for r in rows]
    return sorted(found, key=lambda m: (m.name.casefold(), m.phone))


def rename(core: Core, member_id: str, name: str | None) -> Member:
    """A new name for a member enrolled at this terminal (empty: no name), in one
    transaction. Sent to head office at the next sync, which passes it to the
    other tills.

    Head office takes a member's details only from the terminal that enrolled it
    (DESIGN.md, "Trust boundaries"), and refuses the whole push otherwise: so a
    member enrolled elsewhere, or sharing their phone with a member of another
    terminal after a merge, is refused here, with where to change the name."""
    cleaned = clean_text(name, "name", required=False, limit=NAME_LIMIT)
    _, own = core.terminal()
    with transaction(core.conn) as conn:
        row = conn.execute(
            "SELECT terminal_id, phone, name FROM members WHERE member_id = ?", (member_id,)
        ).fetchone()
        if row is None or row[1] is None:
            raise MemberNotFound(f"No member with id {member_id}.")
        enrolled_at = row[0]
        if enrolled_at is not None and enrolled_at != own:
            raise NotPermitted(key="not_permitted.rename_elsewhere", terminal_id=enrolled_at)
        shared = conn.execute(
            "SELECT 1 FROM wallet_merges wm JOIN members m ON m.member_id = wm.merged_member_id "
            "WHERE wm.merged_member_id != wm.member_id AND (wm.merged_member_id = ?1 "
            "OR (wm.member_id = ?1 AND m.terminal_id IS NOT ?2)) LIMIT 1",
            (member_id, own),
        ).fetchone()
        if shared is not None:
            raise NotPermitted(key="not_permitted.rename_merged")
        if cleaned != row[2]:
            # members.rowid is the push order (ledger.outbox): the member moves
            # to the end, so the next sync sends it again, with the new name.
            conn.execute(
                "UPDATE members SET name = ?, rowid = (SELECT max(rowid) + 1 FROM members) "
                "WHERE member_id = ?",
                (cleaned, member_id),
            )
    return by_id(core, member_id)


def receipt(core: Core, entry: Entry) -> Receipt:
    """What a slip for ``entry`` shows about its member, as of now."""
    row = core.conn.execute(_MEMBER + "WHERE m.member_id = ?", (entry.member_id,)).fetchone()
    if row is None:
        raise MemberNotFound(f"No member with id {entry.member_id}.")
    now = core.now()
    member = _member(core, tuple(row), now)
    _, expiry = lots.due_and_next(core.conn, member.wallet_id, iso(now))
    cashier = None
    if entry.cashier_id:
        found = core.conn.execute(
            "SELECT coalesce(name, staff_id) FROM staff WHERE staff_id = ?", (entry.cashier_id,)
        ).fetchone()
        cashier = str(found[0]) if found else entry.cashier_id
    return Receipt(
        entry, member, expiry, cashier, page_tokens.page_url(core.conn, member.member_id)
    )
