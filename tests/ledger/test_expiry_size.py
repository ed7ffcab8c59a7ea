"""A regular's many lots expiring at once still make an entry head office
accepts (its rules text is capped at 4,000 characters)."""

from __future__ import annotations

from ledger.service import Ledger
from tests.conftest import FakeClock

PHONE = "0812345678"


def test_expiring_many_lots_keeps_the_entry_small(ledger: Ledger, clock: FakeClock) -> None:
    ledger.enroll(PHONE)
    for n in range(45):
        ledger.earn(PHONE, "100", f"B{n}")
        clock.advance(minutes=1)
    clock.advance(days=366)
    (entry,) = ledger.expire()
    assert entry.points == -180  # 45 visits x 4 points
    assert entry.rules_applied["lots_count"] == 45
    assert "lots" not in entry.rules_applied
    assert len(entry.rules or "") < 4000
    assert ledger.member(PHONE).balance == 0
    assert ledger.verify() == []
