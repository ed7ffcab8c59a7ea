"""UTC time and ids. Stored timestamps are fixed-width ISO strings in UTC, so
they sort as text."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the ledger stores UTC only")
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # isoformat pads the year, strftime does not: keep the old text
        return utc.strftime(_FORMAT)
    # isoformat is a few times faster than strftime; a sale formats several times.
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def parse_iso(text: str) -> datetime:
    # The fixed-width form the ledger writes: fromisoformat reads it (and its Z
    # as UTC) about 30 times faster than strptime, which a sale calls twice.
    if len(text) == 27 and text[10] == "T" and text[26] == "Z":
        return datetime.fromisoformat(text)
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


def uuid7(moment: datetime | None = None) -> str:
    """A time-ordered UUIDv7 (RFC 9562): entries sort by creation in indexes.

    Python 3.11 has no ``uuid.uuid7``; this is the RFC layout: 48-bit Unix
    milliseconds, version, 74 random bits.
    """
    ms = int(moment.timestamp() * 1000) if moment else time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))
