"""Refusals as a cashier reads them: the words of the catalogue, in Thai or
English, with what the cashier knows (a sale's ref, a time in the shop's zone),
never an entry's internal id; scripts still get the ids in ``details``."""

from __future__ import annotations

import re

import pytest

from ledger.errors import InsufficientPoints, NotReversible
from ledger.service import Ledger
from tests.conftest import SUPERVISOR

PHONE = "0812345678"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def test_reversing_twice_names_the_sale_and_when_not_its_ids(ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    sale = ledger.earn(PHONE, "250.00", "B1001")
    ledger.reverse(sale.entry_id, "wrong member", SUPERVISOR)
    with pytest.raises(NotReversible) as refused:
        ledger.reverse(sale.entry_id, "again", SUPERVISOR)
    error = refused.value
    for language in ("en", "th"):
        text = error.text(language)
        assert "B1001" in text
        assert not UUID.search(text), text
    assert "ถูกยกเลิกไปแล้ว" in error.text("th")
    assert error.details["entry_id"] == sale.entry_id  # for scripts


def test_not_enough_points_reads_in_thai_with_the_numbers(ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Nok")
    ledger.earn(PHONE, "250.00", "B1")
    with pytest.raises(InsufficientPoints) as refused:
        ledger.redeem(PHONE, points=500, ref="R1")
    balance = ledger.member(PHONE).balance
    assert refused.value.text("th") == f"แต้มไม่พอ: Nok มี {balance} แต้ม ต้องใช้ 500 แต้ม"
    assert refused.value.message == f"Not enough points: Nok has {balance} points, 500 needed."
