"""Numbered schema migrations; ``PRAGMA user_version`` says how many ran.

Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from config.kinds import ENTRY_KINDS

_KINDS_SQL = ", ".join(f"'{k}'" for k in ENTRY_KINDS)


def _add_lots_expired(conn: sqlite3.Connection) -> None:
    """How much of a lot expired, so reversing an expired earn takes back only
    the rest. (A few development databases got the column in migration 1.)"""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(lots)")}
    if "expired" not in columns:
        conn.execute(
            "ALTER TABLE lots ADD COLUMN expired INTEGER NOT NULL DEFAULT 0 CHECK (expired >= 0)"
        )


# The PIN audit trail's kinds after migration 9: a supervisor or an admin
# acting on a staff member is on the same trail as the wrong PINs.
_PIN_EVENTS_9 = """
CREATE TABLE pin_events (
    event_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN (
        'wrong_pin', 'locked', 'unlocked', 'deactivated', 'reactivated', 'pin_reset')),
    until TEXT,
    by TEXT
) STRICT"""


def _staff_deactivation(conn: sqlite3.Connection) -> None:
    """A staff member can be deactivated (kept for the journal's names, never
    deleted), and the audit trail takes deactivations, reactivations and PIN
    resets. SQLite cannot change a CHECK: the trail is copied into a new table,
    keeping its event ids. Safe to run twice (tests set a ledger back)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(staff)")}
    if "deactivated_at" not in columns:
        conn.execute("ALTER TABLE staff ADD COLUMN deactivated_at TEXT")
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'pin_events'"
    ).fetchone()
    if "pin_reset" in sql:
        return
    conn.execute("ALTER TABLE pin_events RENAME TO pin_events_8")
    conn.execute("DROP INDEX IF EXISTS pin_events_staff")
    conn.execute("DROP INDEX IF EXISTS pin_events_at")
    conn.execute(_PIN_EVENTS_9)
    conn.execute(
        "INSERT INTO pin_events (event_id, at, staff_id, event, until, by) "
        "SELECT event_id, at, staff_id, event, until, by FROM pin_events_8"
    )
    conn.execute("DROP TABLE pin_events_8")
    conn.execute("CREATE INDEX pin_events_staff ON pin_events (staff_id, at)")
    conn.execute("CREATE INDEX pin_events_at ON pin_events (at)")


# Members found by a part of their name (ledger.members.search_by_name): every
# three letters of each name, folded as SQLite's lower() and LIKE fold (ASCII
# letters; Thai has no case), with the member's rowid. A search reads the
# postings of a few of the typed text's trigrams instead of every name (a
# name nobody has took 0.45 s over 1,000,000 members scanned; see the search).
# Kept by triggers, so every writer of members (enrolment, a rename, a pull,
# a rebuild's copy) keeps it; the positions come from json_each because a
# trigger cannot hold a WITH. rowid, not member_id: a fifth of the size, and a
# rename moves the rowid (ledger.outbox), which the update trigger follows.
# Names past NAME_GRAM_SPAN letters (only from an old head office) are found
# by their first NAME_GRAM_SPAN.
NAME_GRAM_SPAN = 256
_POSITIONS = "[" + ",".join(str(n) for n in range(1, NAME_GRAM_SPAN - 1)) + "]"


def _grams_of(row: str) -> str:
    """The SELECT of ``row``'s (``new`` or ``old``) trigrams and rowid."""
    return (
        f"SELECT substr(lower({row}.name), p.value, 3), {row}.rowid "
        f"FROM json_each('{_POSITIONS}') p WHERE p.value <= length({row}.name) - 2"
    )


_NAME_GRAMS = f"""
CREATE TABLE IF NOT EXISTS member_grams (
    gram TEXT NOT NULL,
    member_rowid INTEGER NOT NULL,
    PRIMARY KEY (gram, member_rowid)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS member_grams_insert AFTER INSERT ON members
WHEN new.name IS NOT NULL BEGIN
    INSERT OR IGNORE INTO member_grams (gram, member_rowid) {_grams_of("new")};
END;

CREATE TRIGGER IF NOT EXISTS member_grams_update AFTER UPDATE OF name ON members
WHEN old.name IS NOT new.name OR old.rowid != new.rowid BEGIN
    DELETE FROM member_grams WHERE member_rowid = old.rowid
        AND gram IN (SELECT substr(lower(old.name), p.value, 3)
                     FROM json_each('{_POSITIONS}') p WHERE p.value <= length(old.name) - 2);
    INSERT OR IGNORE INTO member_grams (gram, member_rowid)
        SELECT * FROM ({_grams_of("new")}) WHERE new.name IS NOT NULL;
END;

CREATE TRIGGER IF NOT EXISTS member_grams_delete AFTER DELETE ON members
WHEN old.name IS NOT NULL BEGIN
    DELETE FROM member_grams WHERE member_rowid = old.rowid
        AND gram IN (SELECT substr(lower(old.name), p.value, 3)
                     FROM json_each('{_POSITIONS}') p WHERE p.value <= length(old.name) - 2);
END;

-- In the index's order: appended, not inserted all over the tree.
INSERT OR IGNORE INTO member_grams (gram, member_rowid)
    SELECT substr(lower(m.name), p.value, 3), m.rowid
    FROM members m JOIN json_each('{_POSITIONS}') p ON p.value <= length(m.name) - 2
    WHERE m.name IS NOT NULL ORDER BY 1, 2;
"""

# What a shop brings from its old system (ledger.imports, ``pos import``): the
# member's number there, birthday and when the import brought them (NULL:
# enrolled at a till), and its sales as history. A sale of the
# old system is no journal entry (the chain's time only moves forward, and it
# earns nothing): it is a row here, dated by its own day, which the tiers'
# 12-month spend reads beside spend_days (ledger.journal.spend_since).
# ``sale_key``: "ref:" and the old bill number, else "row:" and a hash of the
# row (ledger.imports), so importing the same file again adds nothing.
_IMPORTED_SALES = """
CREATE TABLE IF NOT EXISTS imported_sales (
    terminal_id TEXT NOT NULL,
    sale_key TEXT NOT NULL,
    member_id TEXT NOT NULL,
    wallet_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    ref TEXT,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (terminal_id, sale_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS imported_sales_wallet
    ON imported_sales (wallet_id, created_at, amount_minor);
CREATE INDEX IF NOT EXISTS imported_sales_member ON imported_sales (member_id, created_at);
CREATE UNIQUE INDEX IF NOT EXISTS members_external_id ON members (external_id)
    WHERE external_id IS NOT NULL;
"""


def _imports_12(conn: sqlite3.Connection) -> None:
    """The columns and table of an import. Safe to run twice (tests set a ledger back)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(members)")}
    for column in ("external_id", "birthday", "imported_at"):
        if column not in columns:
            conn.execute(f"ALTER TABLE members ADD COLUMN {column} TEXT")
    for statement in _IMPORTED_SALES.split(";"):
        if statement.strip():
            conn.execute(statement)


# Each migration is SQL text, or a function for what SQL cannot say.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE wallets (
    wallet_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('member', 'company')),
    balance INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE members (
    member_id TEXT PRIMARY KEY,
    phone TEXT UNIQUE,
    name TEXT,
    wallet_id TEXT NOT NULL REFERENCES wallets (wallet_id),
    consent_at TEXT,
    enrolled_at TEXT NOT NULL,
    terminal_id TEXT
) STRICT;

CREATE TABLE terminals (
    terminal_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL
) STRICT;

CREATE TABLE entries (
    entry_id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL REFERENCES wallets (wallet_id),
    member_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ({_KINDS_SQL})),
    points INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    amount_minor INTEGER,
    currency TEXT,
    ref TEXT,
    terminal_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    cashier_id TEXT,
    approver_id TEXT,
    reason TEXT,
    reverses TEXT,
    rules TEXT,
    created_at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (terminal_id, seq)
) STRICT;

-- Idempotency: one earn and one redeem per (terminal, sale reference).
CREATE UNIQUE INDEX entries_ref ON entries (terminal_id, kind, ref)
    WHERE ref IS NOT NULL AND kind IN ('earn', 'redeem');
-- An entry is reversed at most once.
CREATE UNIQUE INDEX entries_reverses ON entries (reverses) WHERE reverses IS NOT NULL;
CREATE INDEX entries_wallet_time ON entries (wallet_id, created_at);

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only: record a reversal or an adjustment');
END;

CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only: record a reversal or an adjustment');
END;

-- Points lots for FIFO expiry; derived from the journal, kept in the same
-- transaction as the entry that changes them.
CREATE TABLE lots (
    entry_id TEXT PRIMARY KEY REFERENCES entries (entry_id),
    wallet_id TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points > 0),
    remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= points),
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX lots_open ON lots (wallet_id, expires_at) WHERE remaining > 0;
CREATE INDEX lots_due ON lots (expires_at) WHERE remaining > 0;

CREATE TABLE coupons (
    code TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL UNIQUE REFERENCES entries (entry_id),
    reward_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'used', 'void')),
    used_at TEXT,
    used_terminal TEXT,
    used_by TEXT
) STRICT;

CREATE TABLE staff (
    staff_id TEXT PRIMARY KEY,
    name TEXT,
    role TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'admin')),
    pin_hash TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locks INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
) STRICT;
""",
    """
-- The print spool: a job is written in the same transaction as the entry it
-- prints; printing happens after commit. A job left 'printing' long after its
-- claim was cut off and becomes 'uncertain' (it may have come out): never
-- retried by itself.
CREATE TABLE print_jobs (
    job_id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES entries (entry_id),
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'coupon')),
    copy INTEGER NOT NULL DEFAULT 0 CHECK (copy IN (0, 1)),
    status TEXT NOT NULL
        CHECK (status IN ('queued', 'printing', 'printed', 'uncertain', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    claimed_at TEXT,
    printed_at TEXT
) STRICT;
CREATE INDEX print_jobs_open ON print_jobs (status, created_at)
    WHERE status IN ('queued', 'printing', 'uncertain');
""",
    """
-- Sync: coupon status changes to push (written with the change itself), and
-- wallets head office merged into another (the same phone enrolled twice).
CREATE TABLE coupon_events (
    event_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'used', 'void')),
    at TEXT NOT NULL,
    terminal_id TEXT NOT NULL
) STRICT;

CREATE TABLE wallet_merges (
    merged_wallet_id TEXT PRIMARY KEY,
    merged_member_id TEXT NOT NULL,
    wallet_id TEXT NOT NULL,
    member_id TEXT NOT NULL
) STRICT;
""",
    _add_lots_expired,
    """
-- The same entry reversed at two offline terminals: both reversals are real
-- journal entries and must be storable; each terminal refuses a second one
-- of its own.
DROP INDEX entries_reverses;
CREATE UNIQUE INDEX entries_reverses ON entries (terminal_id, reverses)
    WHERE reverses IS NOT NULL;
CREATE INDEX entries_reversed ON entries (reverses) WHERE reverses IS NOT NULL;
""",
    """
-- Each wallet's sales per UTC day, kept by the journal's own insert: the
-- tiers' rolling 12-month spend reads a year of days, not a year of entries.
CREATE TABLE spend_days (
    wallet_id TEXT NOT NULL,
    day TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (wallet_id, day)
) STRICT, WITHOUT ROWID;

INSERT INTO spend_days (wallet_id, day, amount_minor)
    SELECT wallet_id, substr(created_at, 1, 10), sum(amount_minor) FROM entries
    WHERE kind IN ('earn', 'reverse') AND amount_minor IS NOT NULL
    GROUP BY 1, 2;

CREATE TRIGGER entries_spend AFTER INSERT ON entries
WHEN NEW.amount_minor IS NOT NULL AND NEW.kind IN ('earn', 'reverse')
BEGIN
    INSERT INTO spend_days (wallet_id, day, amount_minor)
    VALUES (NEW.wallet_id, substr(NEW.created_at, 1, 10), NEW.amount_minor)
    ON CONFLICT (wallet_id, day) DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;
""",
    """
-- The PIN audit trail: each wrong PIN, lock and unlock, written in the same
-- transaction as the attempt count (ledger.staffauth). ``until``: a lock's
-- end; ``by``: the admin who lifted one. IF NOT EXISTS: a ledger set back to
-- an older schema by hand (tests do) keeps its trail.
CREATE TABLE IF NOT EXISTS pin_events (
    event_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('wrong_pin', 'locked', 'unlocked')),
    until TEXT,
    by TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS pin_events_staff ON pin_events (staff_id, at);
CREATE INDEX IF NOT EXISTS pin_events_at ON pin_events (at);
""",
    """
-- What each member was asked and answered about their data, and when: one row
-- per answer, the latest is the member's consent. ``scope``: what a "yes"
-- covers, a versioned id (a new wording is a new id, so an old yes keeps
-- meaning what the customer agreed to). A later withdrawal or a late yes is a
-- new row, never an edit. Members enrolled before this knew only consent_at:
-- their yes was to the old offer, "keep the phone for points" (points-phone/0).
-- IF NOT EXISTS and NOT IN: a ledger set back to an older schema by hand
-- (tests do) keeps its answers, once each.
CREATE TABLE IF NOT EXISTS consents (
    consent_id INTEGER PRIMARY KEY,
    member_id TEXT NOT NULL,
    given INTEGER NOT NULL CHECK (given IN (0, 1)),
    scope TEXT,
    at TEXT NOT NULL,
    terminal_id TEXT,
    CHECK (given = 0 OR scope IS NOT NULL)
) STRICT;
CREATE INDEX IF NOT EXISTS consents_member ON consents (member_id, consent_id);

INSERT INTO consents (member_id, given, scope, at, terminal_id)
    SELECT member_id, consent_at IS NOT NULL,
           CASE WHEN consent_at IS NOT NULL THEN 'points-phone/0' END,
           coalesce(consent_at, enrolled_at), terminal_id
    FROM members WHERE member_id NOT IN (SELECT member_id FROM consents)
    ORDER BY enrolled_at;
""",
    _staff_deactivation,
    _NAME_GRAMS,
    """
-- A member's data requests done at this till, for the audit: who approved
-- which change of a member, and when. No phone, no name: an erased member
-- leaves only this row and their pseudonymous id.
CREATE TABLE IF NOT EXISTS member_events (
    event_id INTEGER PRIMARY KEY,
    member_id TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('forgotten', 'phone_changed')),
    at TEXT NOT NULL,
    terminal_id TEXT,
    approver_id TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS member_events_member ON member_events (member_id, event_id);
""",
    _imports_12,
    """
-- Each member's page at head office (issue 13): the token head office issued,
-- printed in the sale slip's QR (GET <head office>/m/<token>). Its own table,
-- keyed by member id and not tied to members: a token may arrive before the
-- member does (head office sends it to every till), and a member enrolled here
-- offline has none until head office has it. Replaced on rotation, deleted when
-- the member is forgotten (ledger.forget.erase_rows).
CREATE TABLE IF NOT EXISTS member_pages (
    member_id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
""",
]
