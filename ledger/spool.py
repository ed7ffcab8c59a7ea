"""The print spool inside the ledger database.

A job row is written in the same transaction as the entry it prints, so a
sale is never committed without its slip queued, and a slip never exists for
a sale that was rolled back. Printing happens after commit, elsewhere; this
module only keeps the jobs' states honest:

queued -> printing -> printed, or back to queued with the reason it failed.
A job still 'printing' long after it was claimed was cut off mid-print and
may have come out: it becomes 'uncertain' and is never retried by itself.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ledger.clock import Clock, iso, uuid7
from ledger.db import transaction
from ledger.errors import InvalidInput, LedgerError, NotFound

OPEN = ("queued", "printing", "uncertain")
# Far longer than a printer's connect + write timeouts (3 s + 5 s).
STALE_CLAIM = timedelta(minutes=2)
_COLS = "job_id, entry_id, kind, copy, status, attempts, last_error, created_at, printed_at"


class JobNotFound(NotFound):
    code = "print_job_not_found"


class NothingToPrint(LedgerError):
    code = "nothing_to_print"


@dataclass(frozen=True, slots=True)
class PrintJob:
    job_id: str
    entry_id: str
    kind: str  # sale | coupon
    copy: bool
    status: str
    attempts: int
    last_error: str | None
    created_at: str
    printed_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "entry_id": self.entry_id,
            "kind": self.kind,
            "copy": self.copy,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "created_at": self.created_at,
            "printed_at": self.printed_at,
        }


def enqueue(conn: sqlite3.Connection, entry_id: str, kind: str, now: str, copy: bool) -> str:
    """Add a job inside the caller's open transaction."""
    job_id = uuid7()
    conn.execute(
        "INSERT INTO print_jobs (job_id, entry_id, kind, copy, status, created_at) "
        "VALUES (?, ?, ?, ?, 'queued', ?)",
        (job_id, entry_id, kind, int(copy), now),
    )
    return job_id


class PrintSpool:
    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock, clock: Clock) -> None:
        self._conn = conn
        self._lock = lock
        self._clock = clock

    def _recover(self) -> None:
        """A claim older than any printer timeout was cut off (crash, kill)."""
        stale = iso(self._clock() - STALE_CLAIM)
        cut_off = self._conn.execute(
            "SELECT 1 FROM print_jobs WHERE status = 'printing' AND claimed_at < ? LIMIT 1",
            (stale,),
        )
        if cut_off.fetchone() is None:
            return
        with transaction(self._conn) as conn:
            conn.execute(
                "UPDATE print_jobs SET status = 'uncertain', last_error = ? "
                "WHERE status = 'printing' AND claimed_at < ?",
                ("cut off while printing: check the printer, then reprint if it is missing",
                 stale),
            )  # fmt: skip

    def _row(self, job_id: str) -> PrintJob:
        row = self._conn.execute(
            f"SELECT {_COLS} FROM print_jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
        if row is None:
            raise JobNotFound(key="job_not_found", job_id=job_id)
        return _job(row)

    def jobs(self, statuses: tuple[str, ...] = OPEN, limit: int = 100) -> list[PrintJob]:
        marks = ", ".join("?" * len(statuses))
        with self._lock:
            self._recover()
            rows = self._conn.execute(
                f"SELECT {_COLS} FROM print_jobs WHERE status IN ({marks}) "
                "ORDER BY created_at, job_id LIMIT ?",
                (*statuses, limit),
            ).fetchall()
        return [_job(r) for r in rows]

    def job(self, job_id: str) -> PrintJob:
        with self._lock:
            return self._row(job_id)

    def last(self) -> PrintJob | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLS} FROM print_jobs ORDER BY created_at DESC, job_id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else _job(row)

    def claim(self, job_id: str) -> PrintJob | None:
        """Take a queued job for printing; None if someone else has it or it is done."""
        with self._lock, transaction(self._conn) as conn:
            changed = conn.execute(
                "UPDATE print_jobs SET status = 'printing', attempts = attempts + 1, "
                "claimed_at = ? WHERE job_id = ? AND status = 'queued'",
                (iso(self._clock()), job_id),
            ).rowcount
            return self._row(job_id) if changed else None

    def finish(self, job_id: str, error: str | None = None, *, uncertain: bool = False) -> PrintJob:
        """Printed (no ``error``), or back to queued with the reason; ``uncertain``:
        the printer stopped during the slip, which may have come out, so a person
        looks before it is printed again."""
        status = "uncertain" if uncertain else "queued"
        with self._lock, transaction(self._conn) as conn:
            if error is None:
                conn.execute(
                    "UPDATE print_jobs SET status = 'printed', printed_at = ?, last_error = NULL "
                    "WHERE job_id = ? AND status = 'printing'",
                    (iso(self._clock()), job_id),
                )
            else:
                conn.execute(
                    "UPDATE print_jobs SET status = ?, last_error = ? "
                    "WHERE job_id = ? AND status = 'printing'",
                    (status, error, job_id),
                )
            return self._row(job_id)

    def retry(self, job_id: str) -> PrintJob:
        """A person asks again for an 'uncertain' job (or a queued one)."""
        with self._lock, transaction(self._conn) as conn:
            job = self._row(job_id)
            if job.status not in ("queued", "uncertain"):
                raise InvalidInput(key="invalid_input.job_done", job_id=job_id, status=job.status)
            conn.execute("UPDATE print_jobs SET status = 'queued' WHERE job_id = ?", (job_id,))
            return self._row(job_id)

    def reprint(self, entry_id: str) -> PrintJob:
        """Queue a copy (marked COPY) of what an entry printed."""
        with self._lock, transaction(self._conn) as conn:
            row = conn.execute(
                "SELECT e.kind, c.code FROM entries e LEFT JOIN coupons c USING (entry_id) "
                "WHERE e.entry_id = ?",
                ((entry_id or "").strip(),),
            ).fetchone()
            if row is None:
                raise NotFound(key="entry_not_found", entry_id=entry_id)
            # A sale or a redemption of points prints the sale layout; a reward, its coupon.
            kind = "coupon" if row[1] else "sale" if row[0] in ("earn", "redeem") else None
            if kind is None:
                raise NothingToPrint(key="nothing_to_print", entry_id=entry_id, kind=row[0])
            job_id = enqueue(conn, entry_id.strip(), kind, iso(self._clock()), copy=True)
            return self._row(job_id)


def _job(row: tuple[Any, ...]) -> PrintJob:
    job_id, entry_id, kind, copy, status, attempts, error, created, printed = row
    return PrintJob(job_id, entry_id, kind, bool(copy), status, attempts, error, created, printed)
