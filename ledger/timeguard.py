"""Time in a till's journal never goes backwards, and a wrong clock never
expires points.

A flat clock battery puts a till back to 2000-01-01: a sale dated 2000 would
expire at the member's next visit. So:

* An entry whose clock time is earlier than the terminal's last entry is
  stamped with the last entry's time (not refused: the shop keeps selling),
  and :func:`warning` tells the cashier to set the clock.
* Expiry never runs on a clock earlier than the journal's last entry (the
  stamped time is used, which is the same rule).
* A clock more than :data:`AHEAD_LIMIT` past everything the ledger knows (its
  terminals' last entries, the last expiry run, a supervisor's confirmation)
  is taken as wrong: entries and expiry are refused with :class:`ClockWrong`
  until the clock is set, or a supervisor confirms it is right
  (:func:`confirm`). Accepting such an entry would date the journal in, say,
  2030 for good, and expiry would then take every point earned before 2029.
  Below that limit the ledger cannot tell a wrong clock from a shop that was
  closed a while; head office's clock (``sync.clock_skew_s``) is then what
  warns.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from ledger.clock import iso, parse_iso
from ledger.errors import LedgerError


class ClockWrong(LedgerError):
    """The till's clock is too far ahead to date an entry or expire points."""

    code = "clock_wrong"


AHEAD_LIMIT = timedelta(days=730)
CLOCK_SKEW_WARN_S = 300  # as sync.protocol.CLOCK_SKEW_WARN_S (the ledger imports no sync)
BEHIND_SLACK = timedelta(minutes=5)  # processes racing for the write lock differ by ms
K_TRUSTED = "clock.trusted_at"

_LAST_OWN = (
    "SELECT e.created_at FROM terminals t JOIN entries e "
    "ON e.terminal_id = t.terminal_id AND e.seq = t.last_seq WHERE t.terminal_id = ?"
)
_LAST_OTHERS = (
    "SELECT max(e.created_at) FROM terminals t JOIN entries e "
    "ON e.terminal_id = t.terminal_id AND e.seq = t.last_seq WHERE t.terminal_id != ?"
)
# As ledger.replica writes them at each sync (not imported: replica imports more).
_K_LAST_SYNC = "sync.last_sync_at"
_K_SKEW = "sync.clock_skew_s"


def last_entry_time(conn: sqlite3.Connection, terminal_id: str) -> datetime | None:
    """The time of the terminal's last entry (one index lookup)."""
    row = conn.execute(_LAST_OWN, (terminal_id,)).fetchone()
    return None if row is None else parse_iso(row[0])


def known_time(conn: sqlite3.Connection) -> datetime | None:
    """The latest time the ledger can vouch for: this terminal's last entry,
    the latest time an expiry run was accepted, a supervisor's
    confirmation, and other terminals' entries up to head office's time at
    the last sync. Other terminals' clocks are not this till's to trust: one
    pulled entry dated 2099 (a wrong or hostile till) would otherwise vouch
    for any clock up to 2099, and a till set to 2030 would expire everything."""
    meta = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('terminal_id', ?, ?, ?)",
            (K_TRUSTED, _K_LAST_SYNC, _K_SKEW),
        ).fetchall()
    )
    own = meta.get("terminal_id", "")
    if K_TRUSTED in meta:
        latest = last_entry_time(conn, own)
    else:
        # A journal from before this rule may end in 2000 after years of 2026:
        # its latest time, not its last entry's, is what it vouches for.
        # One scan, until the first entry records the time.
        (text,) = conn.execute(
            "SELECT max(created_at) FROM entries WHERE terminal_id = ?", (own,)
        ).fetchone()
        latest = parse_iso(text) if text else None
    found = [t for t in (latest, _parse(meta.get(K_TRUSTED))) if t is not None]
    hq_time = _head_office_time(meta)
    if hq_time is not None:
        (text,) = conn.execute(_LAST_OTHERS, (own,)).fetchone()
        others = _parse(text)  # another till's text: never a crash here
        if others is not None:
            found.append(min(others, hq_time))
    return max(found) if found else None


def _head_office_time(meta: dict[str, str]) -> datetime | None:
    """Head office's clock at the last sync (this till's reading plus the skew)."""
    synced = _parse(meta.get(_K_LAST_SYNC))
    if synced is None:
        return None
    try:
        skew = int(meta.get(_K_SKEW, "0"))
    except ValueError:
        return None
    return synced + timedelta(seconds=skew) + BEHIND_SLACK


def _parse(text: str | None) -> datetime | None:
    try:
        return parse_iso(text) if text else None
    except ValueError:
        return None


def _far_ahead(
    conn: sqlite3.Connection, now: datetime, last: datetime | None = None
) -> datetime | None:
    """The known time when ``now`` is implausibly far past it, else None.
    ``last`` (the terminal's last entry) answers the usual case without a scan."""
    if last is not None and now - last <= AHEAD_LIMIT:
        return None  # the known time is at least ``last``
    known = known_time(conn)
    return known if known is not None and now - known > AHEAD_LIMIT else None


def journal_time(conn: sqlite3.Connection, terminal_id: str, now: datetime) -> datetime:
    """The time for a new entry (and the expiry cutoff that goes with it). The
    entry itself then vouches for that time: nothing more is written per sale."""
    return journal_time_after(conn, last_entry_time(conn, terminal_id), now)


def journal_time_after(conn: sqlite3.Connection, last: datetime | None, now: datetime) -> datetime:
    """:func:`journal_time` when the caller read the terminal's last entry time."""
    if last is not None and now < last:
        return last
    known = _far_ahead(conn, now, last)
    if known is not None:
        raise ClockWrong(key="clock_wrong.ahead_refused", **_ahead(now, known))
    return now


def display_time(conn: sqlite3.Connection, terminal_id: str, now: datetime) -> datetime:
    """'Now' for showing a balance: as :func:`journal_time`, but never raises."""
    last = last_entry_time(conn, terminal_id)
    if last is not None and now < last:
        return last
    known = _far_ahead(conn, now, last)
    return known if known is not None else now


def warning(conn: sqlite3.Connection, terminal_id: str, now: datetime) -> ClockWrong | None:
    """What to tell the cashier when the clock is clearly wrong (shown, not
    raised: sales go on), else None."""
    last = last_entry_time(conn, terminal_id)
    if last is not None and now < last - BEHIND_SLACK:
        return ClockWrong(key="clock_wrong.behind", now=_show(now), last=_show(last))
    known = _far_ahead(conn, now, last)
    if known is not None:
        return ClockWrong(key="clock_wrong.ahead", **_ahead(now, known))
    return None


def expiry_cutoff(now: datetime, as_of: datetime | None) -> tuple[datetime, bool]:
    """The cutoff for an expiry run asked ``as_of`` (``now`` is the journal's
    time) and whether it is early: after today, so it would take points before
    their date (``pos expire --as-of 2099-01-01`` empties every wallet). A date
    of today means up to now; an earlier one expires less, which harms no one."""
    if as_of is None or as_of <= now:
        return as_of or now, False
    if as_of.date() <= now.date():
        return now, False
    return as_of, True


def early_expiry(as_of: datetime, now: datetime) -> dict[str, str]:
    """The values of the refusal to expire points before their date."""
    return {"as_of": f"{as_of:%Y-%m-%d}", "today": f"{now:%Y-%m-%d}"}


def seen(conn: sqlite3.Connection, now: datetime) -> None:
    """Remember a plausible clock reading (an expiry run), so a till that
    is used rarely is not taken for a clock that jumped."""
    if _far_ahead(conn, now) is None:
        _set_trusted(conn, now)


def confirm(conn: sqlite3.Connection, now: datetime) -> None:
    """A supervisor says the clock is right: trust it from now on."""
    _set_trusted(conn, now)


def _set_trusted(conn: sqlite3.Connection, now: datetime) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
        "SET value = max(value, excluded.value)",
        (K_TRUSTED, iso(now)),
    )


def _ahead(now: datetime, known: datetime) -> dict[str, str | int]:
    return {"now": _show(now), "days": (now - known).days, "known": _show(known)}


def _show(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def skew_warning(skew_s: int | None) -> str | None:
    """A sentence for the cashier when this till's clock is off by more than 5 minutes."""
    if skew_s is None or abs(skew_s) <= CLOCK_SKEW_WARN_S:
        return None
    minutes = (abs(skew_s) + 30) // 60
    way = "behind" if skew_s > 0 else "ahead of"
    return (
        f"This till's clock is {minutes} minute(s) {way} head office's: set the date and "
        "time (a flat clock battery does this), or points may be dated and expire wrongly."
    )
