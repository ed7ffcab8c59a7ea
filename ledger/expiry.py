"""Points expiry: lots first in, first out, and the nightly ``pos expire``.

Invariant: a wallet's lots' remaining points add up to max(balance, 0).
"""

from __future__ import annotations

from datetime import datetime

from ledger import lots, timeguard
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import ApprovalRequired
from ledger.journal import Writer
from ledger.models import Credentials, Entry
from ledger.staff import approver

_NAMED_LOTS = 40


def expire_due(
    writer: Writer,
    wallet_id: str,
    member_id: str | None,
    cutoff: datetime,
    approver_id: str | None = None,
) -> Entry | None:
    """One expiry entry for the wallet's lots due by ``cutoff``, if any."""
    _, next_expiry = writer.wallet(wallet_id)
    if next_expiry is None or next_expiry > iso(cutoff):
        return None  # nothing due: the usual sale
    # Only lots this terminal created: another terminal's lots are expired
    # there, and a second expiry here would take the points twice.
    due = writer.conn.execute(
        "SELECT l.entry_id, l.remaining FROM lots l JOIN entries e USING (entry_id) "
        "WHERE l.wallet_id = ? AND l.remaining > 0 AND l.expires_at <= ? "
        "AND e.terminal_id = ? ORDER BY l.expires_at, l.entry_id",
        (wallet_id, iso(cutoff), writer.terminal_id),
    ).fetchall()
    if not due:
        return None
    total = sum(r for _, r in due)
    entry = writer.append(
        wallet_id=wallet_id,
        member_id=member_id,
        kind="expire",
        points=-total,
        approver_id=approver_id,
        # The lots are named (so other terminals expire the same ones) while
        # the entry stays small enough for head office's 4,000-character rules.
        rules={"as_of": iso(cutoff), "lots_count": len(due)}
        | ({"lots": dict(due)} if len(due) <= _NAMED_LOTS else {}),
    )
    writer.conn.executemany(
        "UPDATE lots SET expired = expired + remaining, remaining = 0 WHERE entry_id = ?",
        [(e,) for e, _ in due],
    )
    return entry


def credit(core: Core, writer: Writer, entry: Entry) -> None:
    """The entry's points become a lot that expires after the shop's period."""
    lots.credit(writer.conn, entry, iso(writer.now + core.expiry))


def expire(core: Core, as_of: datetime | None, approval: Credentials | None) -> list[Entry]:
    """Expire every lot due by ``as_of`` (default now): one entry and one
    transaction per wallet, so an interrupted run simply continues. An
    ``as_of`` after today takes points before their date: a supervisor
    approves it (and is named on the entries)."""
    _, terminal_id = core.terminal()
    # Never on a clock behind the journal, nor one years ahead of it.
    now = timeguard.journal_time(core.conn, terminal_id, core.clock())
    cutoff, early = timeguard.expiry_cutoff(now, as_of)
    approver_id = approver(core, approval).staff_id if approval is not None else None
    if early and approver_id is None:
        raise ApprovalRequired(
            key="approval_required.early_expiry", **timeguard.early_expiry(cutoff, now)
        )
    due = core.conn.execute(
        "SELECT DISTINCT l.wallet_id, m.member_id FROM lots l "
        "JOIN entries e USING (entry_id) LEFT JOIN members m ON m.wallet_id = l.wallet_id "
        "WHERE l.remaining > 0 AND l.expires_at <= ? AND e.terminal_id = ?",
        (iso(cutoff), terminal_id),
    ).fetchall()
    made: list[Entry] = []
    for wallet_id, member_id in due:
        with transaction(core.conn) as conn:
            entry = expire_due(core.writer(conn), wallet_id, member_id, cutoff, approver_id)
        if entry is not None:
            made.append(entry)
    if as_of is None:
        with transaction(core.conn) as conn:
            timeguard.seen(conn, cutoff)
    return made


def clock_warning(core: Core) -> timeguard.ClockWrong | None:
    _, terminal_id = core.terminal()
    return timeguard.warning(core.conn, terminal_id, core.clock())


def confirm_clock(core: Core, approval: Credentials) -> None:
    core.terminal()
    approver(core, approval)
    with transaction(core.conn) as conn:
        timeguard.confirm(conn, core.clock())
