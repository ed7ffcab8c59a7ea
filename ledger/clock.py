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


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the ledger stores UTC only")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


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
