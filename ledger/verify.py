"""``verify``: a list of small checks over the whole ledger.

Each check returns problems instead of raising, and names the first bad entry
(in terminal and sequence order) with a count of how many more there are.
A damaged file is a problem too, never a crash: "integrity" (SQLite found
damaged pages, or a check could not read them) and "text" (bytes that are not
valid UTF-8), both naming the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from hashlib import sha256
from urllib.parse import quote

from ledger.chain import GENESIS, HASHED
from ledger.models import ENTRY_COLUMNS, Problem

Check = Callable[[sqlite3.Connection], list[Problem]]


_RESTORE = "restore the ledger from a backup, or call head office"


def check_integrity(conn: sqlite3.Connection, quick: bool = False) -> list[Problem]:
    # quick_check skips matching every index against its table: about 4x faster.
    pragma = "PRAGMA quick_check" if quick else "PRAGMA integrity_check"
    try:
        rows = [str(r[0]) for r in conn.execute(pragma)]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows == ["ok"]:
        return []
    found = "; ".join(row.replace("\n", " ") for row in rows[:3])
    return [
        Problem(
            "integrity",
            f"the ledger file {_file(conn)} is damaged (SQLite integrity_check: {found}): "
            + _RESTORE,
        )
    ]


def check_balances(conn: sqlite3.Connection) -> list[Problem]:
    """Stored balances equal the sums of the entries; lots hold what is spendable."""
    # NOT INDEXED: one sequential scan beats walking an index and fetching
    # every row (about 4x on a million entries).
    sums: dict[str, int] = {}
    spend: dict[str, int] = {}
    for wallet, points, amount in conn.execute(
        "SELECT wallet_id, sum(points), sum(amount_minor) FILTER (WHERE kind IN "
        "('earn', 'reverse')) FROM entries NOT INDEXED GROUP BY wallet_id"
    ):
        sums[wallet] = points
        if amount:
            spend[wallet] = amount
    # The daily totals the tiers read (kept by a trigger) add up to the sales.
    kept = dict(
        conn.execute(
            "SELECT wallet_id, sum(amount_minor) FROM spend_days GROUP BY wallet_id "
            "HAVING sum(amount_minor) != 0"
        )
    )
    off = sorted(w for w in spend.keys() | kept.keys() if spend.get(w, 0) != kept.get(w, 0))
    remaining = dict(
        conn.execute("SELECT wallet_id, sum(remaining) FROM lots NOT INDEXED GROUP BY wallet_id")
    )
    wrong: list[tuple[str, int, int]] = []
    short: list[tuple[str, int, int]] = []
    for wallet, stored in conn.execute("SELECT wallet_id, balance FROM wallets ORDER BY 1"):
        total = sums.pop(wallet, 0)
        if stored != total:
            wrong.append((wallet, stored, total))
        if remaining.get(wallet, 0) != max(stored, 0):
            short.append((wallet, stored, remaining.get(wallet, 0)))
    problems: list[Problem] = []
    if wrong:
        wallet, stored, total = wrong[0]
        problems.append(
            Problem(
                "balances",
                f"wallet {wallet} says {stored} points but its entries add up to {total}"
                + _more(len(wrong)),
                _last_entry(conn, wallet),
            )
        )
    if sums:  # entries whose wallet does not exist
        orphan = conn.execute(
            f"SELECT entry_id FROM entries WHERE wallet_id IN ({', '.join('?' * len(sums))}) "
            "ORDER BY terminal_id, seq LIMIT 1",
            list(sums),
        ).fetchone()
        problems.append(
            Problem("balances", "entry for an unknown wallet" + _more(len(sums)), orphan[0])
        )
    if off:
        problems.append(
            Problem(
                "spend",
                f"wallet {off[0]}: the spend kept for its tier ({kept.get(off[0], 0)}) is not "
                f"its sales ({spend.get(off[0], 0)}, in minor units)"
                + _more(len(off))
                + ": tiers would be wrong; restore the ledger from a backup, or call head office",
                _last_entry(conn, off[0]),
            )
        )
    if short:
        wallet, stored, left = short[0]
        problems.append(
            Problem(
                "lots",
                f"wallet {wallet} holds {stored} points but its unexpired lots hold {left}"
                + _more(len(short)),
            )
        )
    return problems


def _last_entry(conn: sqlite3.Connection, wallet: str) -> str | None:
    row = conn.execute(
        "SELECT entry_id FROM entries WHERE wallet_id = ? ORDER BY created_at DESC, seq DESC "
        "LIMIT 1",
        (wallet,),
    ).fetchone()
    return None if row is None else str(row[0])


# The text ledger.chain.entry_hash hashes, built by SQLite in C: a million
# rows verify in a few seconds instead of most of the budget going to Python
# string building. STRICT tables keep INTEGER columns integers, so CAST gives
# exactly Python's str(); NULL becomes a lone NUL as in entry_hash.
_CANONICAL = " || char(31) || ".join(
    f"coalesce(CAST({column} AS TEXT), char(0))" for column in ENTRY_COLUMNS[:HASHED]
)


def check_chains(conn: sqlite3.Connection) -> list[Problem]:
    """Sequence numbers without gaps and an intact hash chain, per terminal."""
    gap: Problem | None = None
    broken: Problem | None = None
    gaps = breaks = 0
    heads: dict[str, tuple[int, str]] = {}
    terminal, expected_seq, prev = None, 1, GENESIS
    damaged: Problem | None = None
    damages = 0
    # As bytes: hashed as stored (what entry_hash hashed, UTF-8), and text
    # that is not UTF-8 is a problem to report rather than a crash.
    # Time never goes backwards within a terminal's chain: checked on the same pass.
    backwards: list[Problem] = []
    last_time = ""
    cursor = conn.execute(
        f"SELECT entry_id, terminal_id, seq, prev_hash, hash, created_at, "
        f"CAST({_CANONICAL} AS BLOB) FROM entries ORDER BY terminal_id, seq"
    )
    for entry_id, term, seq, prev_hash, stored, created, text in cursor:
        try:
            text.decode()
        except UnicodeDecodeError:
            damages += 1
            damaged = damaged or _damaged_text(conn, f"terminal {term}: entry {seq}", entry_id)
        if term != terminal:
            terminal, expected_seq, prev, last_time = term, 1, GENESIS, ""
        if created < last_time:
            backwards.append(_backwards(term, seq, created, last_time, entry_id))
        last_time = created
        if seq != expected_seq:
            gaps += 1
            gap = gap or Problem(
                "sequence",
                f"terminal {term}: expected sequence {expected_seq}, found {seq}",
                entry_id,
            )
        if prev_hash != prev or sha256(text).hexdigest() != stored:
            breaks += 1
            what = "links to the wrong previous entry" if prev_hash != prev else "was altered"
            broken = broken or Problem(
                "chain", f"terminal {term}: entry {seq} {what} (hash mismatch)", entry_id
            )
        heads[term] = (seq, stored)
        expected_seq, prev = seq + 1, stored
    for term, last_seq, last_hash in conn.execute(
        "SELECT terminal_id, last_seq, last_hash FROM terminals ORDER BY terminal_id"
    ):
        seen = heads.get(term, (0, GENESIS))
        if seen != (last_seq, last_hash):
            gaps += 1
            gap = gap or Problem(
                "sequence",
                f"terminal {term}: the journal ends at sequence {seen[0]} but the terminal "
                f"recorded {last_seq} (entries missing at the end)",
            )
    problems = []
    if damaged:
        problems.append(Problem("text", damaged.message + _more(damages), damaged.entry_id))
    if gap:
        problems.append(Problem(gap.check, gap.message + _more(gaps), gap.entry_id))
    if broken:
        problems.append(Problem(broken.check, broken.message + _more(breaks), broken.entry_id))
    if backwards:
        first = backwards[0]
        problems.append(Problem(first.check, first.message + _more(len(backwards)), first.entry_id))
    return problems


def _backwards(terminal: str, seq: int, created: str, before: str, entry_id: str) -> Problem:
    return Problem(
        "time",
        f"terminal {terminal}: entry {seq} is dated {created[:19]}Z, before the entry it "
        f"follows ({before[:19]}Z): the till's clock went backwards",
        entry_id,
    )


def check_acknowledged(conn: sqlite3.Connection) -> list[Problem]:
    """Nothing missing below what head office acknowledged: a journal that ends
    before that number lost entries together with its chain head (a WAL
    deleted under a connection, a restored copy), which the chain alone
    cannot show."""
    meta = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('terminal_id', 'sync.acked_seq')"
        ).fetchall()
    )
    terminal, acked = meta.get("terminal_id"), int(meta.get("sync.acked_seq") or 0)
    if terminal is None or not acked:
        return []
    (top,) = conn.execute(
        "SELECT coalesce(max(seq), 0) FROM entries WHERE terminal_id = ?", (terminal,)
    ).fetchone()
    if top >= acked:
        return []
    return [
        Problem(
            "sequence",
            f"terminal {terminal}: head office acknowledged entries up to {acked} but the "
            f"journal ends at {top}: {acked - top} acknowledged entries are missing here "
            "(a restored or damaged copy): do not sell; run 'pos ledger restore'",
        )
    ]


_APPROVAL_RULES = (
    ("kind IN ('reverse', 'adjust') AND approver_id IS NULL", "a {kind} without an approver"),
    (
        "kind = 'redeem' AND approver_id IS NULL "
        "AND -points > coalesce(json_extract(rules, '$.approval_threshold'), 0)",
        "a redemption above the approval threshold without an approver",
    ),
    (
        "points < 0 AND balance_after < 0 AND approver_id IS NULL",
        "a {kind} that took the balance below zero without an approver",
    ),
)


def check_approvals(conn: sqlite3.Connection) -> list[Problem]:
    problems = []
    for where, text in _APPROVAL_RULES:
        rows = conn.execute(
            f"SELECT entry_id, kind FROM entries WHERE {where} ORDER BY terminal_id, seq"
        ).fetchall()
        if rows:
            problems.append(
                Problem("approvals", text.format(kind=rows[0][1]) + _more(len(rows)), rows[0][0])
            )
    return problems


def check_coupons(conn: sqlite3.Connection) -> list[Problem]:
    rows = conn.execute(
        "SELECT c.code FROM coupons c LEFT JOIN entries e USING (entry_id) "
        "WHERE e.entry_id IS NULL OR e.kind != 'redeem' ORDER BY c.code"
    ).fetchall()
    if not rows:
        return []
    return [Problem("coupons", f"coupon {rows[0][0]} has no redemption entry" + _more(len(rows)))]


CHECKS: tuple[Check, ...] = (
    check_integrity,
    check_balances,
    check_chains,
    check_acknowledged,
    check_approvals,
    check_coupons,
)


def run_checks(conn: sqlite3.Connection, quick: bool = False) -> list[Problem]:
    """Every check. SQLite's integrity check (the longest, all of it in C) runs
    on a second connection in a thread while this one runs the others: on two
    cores verify takes about as long as the longer of the two halves."""
    second = _second_connection(conn)
    if second is None:
        problems = check_integrity(conn, quick)
        return problems + [problem for check in CHECKS[1:] for problem in _guarded(check, conn)]
    with closing(second), ThreadPoolExecutor(max_workers=1) as pool:
        integrity = pool.submit(check_integrity, second, quick)
        rest = [problem for check in CHECKS[1:] for problem in _guarded(check, conn)]
        return integrity.result() + rest


def _second_connection(conn: sqlite3.Connection) -> sqlite3.Connection | None:
    """A read-only connection to the same file (SQLite's own: safe beside the
    first, unlike any other open of the file), or None for a database in memory."""
    path = _file(conn)
    if path in ("", "(unknown)"):
        return None
    try:
        second = sqlite3.connect(
            f"file:{quote(path)}?mode=ro",
            uri=True,
            check_same_thread=False,
        )
        second.execute("PRAGMA busy_timeout = 10000")
    except sqlite3.Error:
        return None  # the checks on the first connection say what is wrong
    return second


def _guarded(check: Check, conn: sqlite3.Connection) -> list[Problem]:
    """A check that cannot read the file reports that, and the others still run."""
    try:
        return check(conn)
    except sqlite3.DatabaseError as exc:
        if str(exc).startswith("Could not decode"):
            return [_damaged_text(conn, "a row", None)]
        name = str(getattr(exc, "sqlite_errorname", "") or "")
        if type(exc) is sqlite3.DatabaseError or name.startswith(
            ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR")
        ):
            return [_unreadable(conn, check, exc)]
        raise  # busy, full, read-only: not damage; the caller says what it is


def _unreadable(conn: sqlite3.Connection, check: Check, exc: sqlite3.Error) -> Problem:
    name = check.__name__.removeprefix("check_")
    return Problem(
        "integrity",
        f"the ledger file {_file(conn)} is damaged: the {name} check could not read it "
        f"({exc}): {_RESTORE}",
    )


def _damaged_text(conn: sqlite3.Connection, where: str, entry_id: str | None) -> Problem:
    return Problem(
        "text",
        f"the ledger file {_file(conn)} is damaged: {where} holds bytes that are not valid "
        f"text (UTF-8): {_RESTORE}",
        entry_id,
    )


def _file(conn: sqlite3.Connection) -> str:
    try:
        for _, name, file in conn.execute("PRAGMA database_list"):
            if name == "main":
                return str(file)
    except sqlite3.Error:
        pass
    return "(unknown)"


def _more(count: int) -> str:
    return f" ({count - 1} more like it)" if count > 1 else ""
