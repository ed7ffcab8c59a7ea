"""The shop's days inside report SQL (docs/reports.md, "Days and dates").

The journal stores UTC text; every report counts the shop's local days, weeks
and months (``locale.timezone``, ledger.localday). Converting each journal row
in Python would cost seconds at 10M entries, so SQL converts it: the zone's
UTC offset is constant between its transitions, and :func:`local_date_sql`
writes one ``CASE`` branch per stretch of constant offset (a single
``date(col, '+25200 seconds')`` for Bangkok, two branches a year where clocks
change). The transitions are found by asking the zone, never assumed.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from ledger import localday
from ledger.clock import iso

# Far enough back for any shop's imported history; the journal has nothing older.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AsOf:
    """A report "as at the end of" the shop's ``day``: everything before
    ``end`` (the next local midnight, in the journal's UTC text) counts."""

    day: date
    end: str

    @classmethod
    def of(cls, day: date, zone: tzinfo) -> AsOf:
        return cls(day, localday.day_range(day, zone)[1])


def day_start(day: date, zone: tzinfo) -> str:
    """Local midnight starting ``day``, as the journal writes times."""
    return localday.day_range(day, zone)[0]


def _offset(zone: tzinfo, moment: datetime) -> int:
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


@functools.lru_cache(maxsize=64)
def offsets(zone: tzinfo, until: date) -> tuple[tuple[str | None, int], ...]:
    """The zone's UTC offsets from 1970 to ``until`` (+ a year): ((from, seconds), ...),
    ``from`` the UTC text where that offset starts (None for the first)."""
    stop = datetime.combine(until + timedelta(days=366), datetime.min.time(), tzinfo=UTC)
    moment = _EPOCH
    current = _offset(zone, moment)
    found: list[tuple[str | None, int]] = [(None, current)]
    step = timedelta(days=1)
    while moment < stop:
        following = moment + step
        seconds = _offset(zone, following)
        if seconds != current:
            lo, hi = moment, following  # the change lies in (lo, hi]: halve to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _offset(zone, mid) == current:
                    lo = mid
                else:
                    hi = mid
            found.append((iso(hi.replace(microsecond=0)), seconds))
            current = seconds
        moment = following
    return tuple(found)


def local_date_sql(column: str, zone: tzinfo, until: date) -> str:
    """SQL giving the shop's date ('YYYY-MM-DD') of the UTC text in ``column``.
    Only numbers and the ledger's own times go into the text (no user input)."""

    def shifted(seconds: int) -> str:
        return f"date({column}, '{seconds:+d} seconds')"

    stretches = offsets(zone, until)
    if len(stretches) == 1:
        return shifted(stretches[0][1])
    branches = [
        f"WHEN {column} < '{start}' THEN {shifted(before)}"
        for (_, before), (start, _) in itertools.pairwise(stretches)
    ]
    return f"(CASE {' '.join(branches)} ELSE {shifted(stretches[-1][1])} END)"


def days_between_sql(earlier: str, later: str) -> str:
    """Whole days from the date text ``earlier`` to ``later`` (SQL)."""
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def local_date(text: str | None, zone: tzinfo) -> str | None:
    """The shop's date of one journal time, in Python (for a handful of rows)."""
    if text is None:
        return None
    from ledger.clock import parse_iso

    return parse_iso(text).astimezone(zone).date().isoformat()
