"""How the counter screens show a moment: local day and time, short."""

from __future__ import annotations

from datetime import datetime


def local_time(moment_iso: str) -> str:
    """``2026-01-15T03:00:00Z`` -> ``15/01 10:00`` in the till's time zone."""
    return (
        datetime.fromisoformat(moment_iso.replace("Z", "+00:00"))
        .astimezone()
        .strftime("%d/%m %H:%M")
    )
