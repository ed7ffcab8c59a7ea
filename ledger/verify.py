"""``verify``: a list of small checks over the whole ledger.

Each check returns problems instead of raising, and names the first bad entry
(in terminal and sequence order) with a count of how many more there are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ledger.chain import GENESIS, entry_hash
from ledger.models import ENTRY_COLUMNS, Problem

Check = Callable[[sqlite3.Connection], list[Problem]]


def check_integrity(conn: sqlite3.Connection) -> list[Problem]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows == ["ok"]:
        return []
    return [Problem("integrity", f"SQLite integrity_check failed: {'; '.join(rows[:3])}")]


def check_balances(conn: sqlite3.Connection) -> list[Problem]:
    problems: list[Problem] = []
    bad = conn.execute(
        "SELECT w.wallet_id, w.balance, coalesce(s.total, 0), "
        "(SELECT entry_id FROM entries e WHERE e.wallet_id = w.wallet_id "
        " ORDER BY created_at DESC, seq DESC LIMIT 1) "
        "FROM wallets w LEFT JOIN (SELECT wallet_id, sum(points) AS total FROM entries "
        "GROUP BY wallet_id) s USING (wallet_id) WHERE w.balance != coalesce(s.total, 0) "
        "ORDER BY w.wallet_id"
    ).fetchall()
    if bad:
        wallet, stored, total, last = bad[0]
        problems.append(
            Problem(
                "balances",
                f"wallet {wallet} says {stored} points but its entries add up to {total}"
                + _more(len(bad)),
                last,
            )
        )
    orphans = conn.execute(
        "SELECT e.entry_id FROM entries e LEFT JOIN wallets w USING (wallet_id) "
        "WHERE w.wallet_id IS NULL ORDER BY e.terminal_id, e.seq"
    ).fetchall()
    if orphans:
        problems.append(
            Problem("balances", "entry for an unknown wallet" + _more(len(orphans)), orphans[0][0])
        )
    lots = conn.execute(
        "SELECT w.wallet_id, w.balance, coalesce(sum(l.remaining), 0) FROM wallets w "
        "LEFT JOIN lots l USING (wallet_id) GROUP BY w.wallet_id "
        "HAVING coalesce(sum(l.remaining), 0) != max(w.balance, 0) ORDER BY w.wallet_id"
    ).fetchall()
    if lots:
        wallet, stored, remaining = lots[0]
        problems.append(
            Problem(
                "lots",
                f"wallet {wallet} holds {stored} points but its unexpired lots hold {remaining}"
                + _more(len(lots)),
            )
        )
    return problems


def check_chains(conn: sqlite3.Connection) -> list[Problem]:
    """Sequence numbers without gaps and an intact hash chain, per terminal."""
    gap: Problem | None = None
    broken: Problem | None = None
    gaps = breaks = 0
    heads: dict[str, tuple[int, str]] = {}
    terminal, expected_seq, prev = None, 1, GENESIS
    cursor = conn.execute(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries ORDER BY terminal_id, seq"
    )
    for row in cursor:
        entry_id, term, seq, prev_hash, stored = row[0], row[9], row[17], row[18], row[19]
        if term != terminal:
            terminal, expected_seq, prev = term, 1, GENESIS
        if seq != expected_seq:
            gaps += 1
            gap = gap or Problem(
                "sequence",
                f"terminal {term}: expected sequence {expected_seq}, found {seq}",
                entry_id,
            )
        if prev_hash != prev or entry_hash(row) != stored:
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
    if gap:
        problems.append(Problem(gap.check, gap.message + _more(gaps), gap.entry_id))
    if broken:
        problems.append(Problem(broken.check, broken.message + _more(breaks), broken.entry_id))
    return problems


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
    check_approvals,
    check_coupons,
)


def run_checks(conn: sqlite3.Connection) -> list[Problem]:
    return [problem for check in CHECKS for problem in check(conn)]


def _more(count: int) -> str:
    return f" ({count - 1} more like it)" if count > 1 else ""
