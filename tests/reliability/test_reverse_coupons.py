"""Reversing a sale whose points bought a coupon at another terminal (issue 11,
item 4): only the terminal that issued a coupon may void it, so the till that
reverses the sale refuses to void it and can still keep it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ledger.errors import CouponChoiceRequired, NotReversible
from tests.conftest import SUPERVISOR

PHONE = "081-234-5678"


def test_a_coupon_issued_elsewhere_is_kept_never_voided_here(
    joined: Callable[..., Any], sync: Callable[..., dict[str, Any]]
) -> None:
    a, b = joined("A"), joined("B")
    for book in (a, b):
        book.add_staff("sup", "supervisor", "2468", "Supervisor")
    a.enroll(PHONE)
    sale = a.earn(PHONE, "2500.00", "A-1")  # 100 points
    sync(a)
    sync(b)
    coupon = b.redeem(PHONE, ref="B-1", reward_id="COFFEE").coupon  # spends them at B
    assert coupon is not None
    sync(b)
    sync(a)
    assert a.member(PHONE).balance == 0
    assert [c.terminal_id for c in a.reversal_preview(sale.entry_id).coupons] == ["B"]
    with pytest.raises(CouponChoiceRequired):
        a.reverse(sale.entry_id, "wrong member", SUPERVISOR)
    with pytest.raises(NotReversible, match="terminal B"):
        a.reverse(sale.entry_id, "wrong member", SUPERVISOR, coupons="void")
    assert a.member(PHONE).balance == 0
    done = a.reverse(sale.entry_id, "wrong member", SUPERVISOR, coupons="keep")
    assert done.rules_applied["coupons"] == "kept"
    assert a.member(PHONE).balance == -100
    assert a.verify(quick=True) == []
    pushed = sync(a)
    # Head office takes the reversal and flags the negative balance for review.
    assert (pushed["pushed"], pushed["refused"]) == (1, [])
    assert any("-100 points" in n for n in pushed["conflict_notices"])
