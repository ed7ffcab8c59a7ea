"""The end-of-day close (Z report) slip: money, new members and each
cashier, with a Thai name, on every profile family: Thai as CP874 text or
as a raster image, never '?', every line within the paper, down to the cut."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from printers import DaySummary, blocks_for, build_bytes
from printers.blocks import Line
from tests.printers.conftest import BANGKOK, day_summary
from tests.printers.escpos_decode import decode
from tests.printers.test_bytes import cells, check_common, code_pages

THAI_NAME = "สมชาย ใจดีมีน้ำใจเป็นที่รักของทุกคน (cash1)"


def close(language: str) -> DaySummary:
    return dataclasses.replace(
        day_summary(language),
        currency="THB",
        sales=12,
        sales_reversed=1,
        amount_minor=1_234_550,
        enrolled=3,
        staff=((THAI_NAME, 9, 1_000_000, 400), ("-", 0, 0, -25)),
        printed_at=datetime(2026, 1, 15, 23, 5, tzinfo=BANGKOK),
    )


def test_what_the_close_says_in_english() -> None:
    lines = [b.text for b in blocks_for(close("en"), 42) if isinstance(b, Line)]
    joined = "\n".join(lines)
    for words in ("Day close", "Sales 12", "Sales reversed 1", "Net sales THB 12,345.50",
                  "New members 3", "Printed 15 Jan 2026 23:05", "No cashier",
                  "THB 10,000.00", "Points -25"):  # fmt: skip
        assert words in joined, words
    assert "ใจดี" in joined  # the name, whole, wrapped if need be
    plain = DaySummary("Shop", "T1", close("en").day, (), (), "en")
    assert not any("Net sales" in b.text for b in blocks_for(plain, 42) if isinstance(b, Line))


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_close_prints_on_every_profile(
    profile_case: tuple[str, int, bool, bool], language: str
) -> None:
    profile, columns, thai_page, _ = profile_case
    data = build_bytes(close(language), profile, columns)
    decoded = decode(data, code_pages(profile))
    check_common(data, decoded, profile, thai=True)  # the cashier's name is Thai
    if thai_page:
        assert "สมชาย" in decoded.text
    if language == "en":
        assert "Net sales" in decoded.text and "12,345.50" in decoded.text
    elif thai_page:
        assert "ยอดขายสุทธิ" in decoded.text and "12,345.50 บาท" in decoded.text
    assert all(cells(line) <= columns for line in decoded.lines)
