"""A merge's lots at one till (ledger.merge, ledger.merge_lots): each lot keeps
its expiry; past what the credit can name, the rest is one lot expiring with
the latest of them; a negative balance is refused; verify passes."""

from __future__ import annotations

import pytest

from ledger import merge_lots
from ledger.errors import InvalidInput
from ledger.models import Credentials
from ledger.service import Ledger
from tests.conftest import FakeClock

KEEP, OTHER = "081-400-0001", "081-400-0002"
SUP = Credentials("sup", "2468")


def _open_lots(ledger: Ledger, wallet_id: str) -> list[tuple[int, str]]:
    return [
        (int(r[0]), str(r[1]))
        for r in ledger.conn.execute(
            "SELECT remaining, expires_at FROM lots WHERE wallet_id = ? AND remaining > 0 "
            "ORDER BY expires_at",
            (wallet_id,),
        )
    ]


@pytest.fixture
def two(ledger: Ledger, clock: FakeClock) -> Ledger:
    ledger.enroll(KEEP)
    ledger.enroll(OTHER)
    for n in range(3):  # three lots a month apart: 10, 20, 30 points
        ledger.earn(OTHER, f"{250 * (n + 1)}.00", f"L-{n}")
        clock.advance(days=30)
    return ledger


def test_lots_past_the_named_ones_become_one_lot_expiring_with_the_latest(
    two: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(merge_lots, "NAMED_LOTS", 1)
    other = two.member(OTHER)
    before = _open_lots(two, other.wallet_id)
    done = two.merge_members(KEEP, OTHER, SUP)
    assert (done.points, done.lots) == (60, 1)
    after = _open_lots(two, two.member(KEEP).wallet_id)
    assert after == [before[0], (50, before[2][1])]
    assert two.verify() == []


def test_a_member_owing_points_is_not_merged(two: Ledger) -> None:
    two.redeem(OTHER, ref="R-1", points=60)
    earn = next(e for e in two.history(OTHER, 10) if e.ref == "L-0")
    two.reverse(earn.entry_id, "wrong member", SUP)  # spent already: -10
    with pytest.raises(InvalidInput, match="owes 10 points"):
        two.merge_members(KEEP, OTHER, SUP)
    assert two.member(OTHER).member_id != two.member(KEEP).member_id
    assert two.verify() == []
