"""What each layout says, independent of the printer."""

from __future__ import annotations

from datetime import datetime

import pytest

from printers import CouponSlip, DaySummary, SaleSlip, blocks_for, default_columns
from printers.blocks import Cut, Line, Qr
from printers.labels import money_text, points_text
from tests.printers.conftest import COUPON_PAYLOAD, MEMBER_URL, coupon_slip, day_summary, sale_slip


def texts(slip: SaleSlip | CouponSlip | DaySummary, columns: int = 42) -> list[str]:
    return [b.text for b in blocks_for(slip, columns) if isinstance(b, Line)]


@pytest.mark.parametrize("make", [sale_slip, coupon_slip])
@pytest.mark.parametrize("language", ["th", "en"])
def test_reprints_say_copy(make: object, language: str) -> None:
    original = texts(make(language))  # type: ignore[operator]
    reprint = texts(make(language, copy=True))  # type: ignore[operator]
    assert not any("COPY" in t or "สำเนา" in t for t in original)
    marks = [t for t in reprint if "COPY" in t and "สำเนา" in t]
    assert len(marks) == 2  # top and bottom


def test_sale_slip_content() -> None:
    blocks = blocks_for(sale_slip("en"), 42)
    lines = texts(sale_slip("en"))
    assert "Points earned +62" in lines and "Balance 1,234" in lines
    assert "Member 08x-xxx-5678" in lines
    assert any(t.strip() == "Somchai J." for t in lines)
    assert "  Base 1 pt / 25.00" in lines
    assert blocks.count(Qr(MEMBER_URL)) == 1
    assert blocks[-1] == Cut()
    assert Qr(MEMBER_URL) not in blocks_for(sale_slip("en", member_url=None), 42)
    no_expiry = texts(sale_slip("en", next_expiry_points=None, next_expiry_date=None))
    assert not any("expire" in t for t in no_expiry)


@pytest.mark.parametrize(
    ("language", "title", "redeemed", "ref", "amount"),
    [
        ("en", "Points redeemed", "Points redeemed -300", "Ref R-1", "Amount"),
        ("th", "ใบแลกแต้ม", "แต้มที่แลก -300", "เลขที่อ้างอิง R-1", "ยอดซื้อ"),
    ],
)
def test_points_redeemed_by_number_print_on_the_sale_layout(
    language: str, title: str, redeemed: str, ref: str, amount: str
) -> None:
    line = "Redeemed 300 points" if language == "en" else "แลก 300 แต้ม"
    slip = sale_slip(language, points=-300, amount_minor=0, sale_ref="R-1", rules=(line,),
                     balance=700)  # fmt: skip
    lines = texts(slip)
    assert title in [t.strip() for t in lines]
    assert redeemed in lines and f"  {line}" in lines and ref in lines
    assert not any(t.startswith(amount) for t in lines)  # no sale, no amount
    assert not any("+" in t for t in lines if t.startswith(("Points", "แต้ม")))


def test_coupon_content() -> None:
    blocks = blocks_for(coupon_slip("th"), 32)
    big = [b for b in blocks if isinstance(b, Line) and b.big]
    assert Line("K7QM-2XPA", align="center", bold=True, big=True) in big
    assert Line("คูปอง", align="center", bold=True, big=True) in big
    assert Qr(COUPON_PAYLOAD) in blocks
    lines = texts(coupon_slip("th"), 32)
    assert lines.index("กาแฟเย็นฟรี 1 แก้ว") < lines.index("Free iced coffee")
    lines_en = texts(coupon_slip("en"), 32)
    assert lines_en.index("Free iced coffee") < lines_en.index("กาแฟเย็นฟรี 1 แก้ว")
    assert "Valid until 30 Jun 2026" in lines_en


def test_day_summary_content() -> None:
    lines = texts(day_summary("en"))
    assert any(t.startswith("Earn") and t.endswith("42  +2,610") for t in lines)
    assert any(t.startswith("Total") and t.endswith("46  +2,148") for t in lines)
    assert "cash1" in lines and "cash2" in lines
    empty = DaySummary("Shop", "T1", day_summary().day, (), (), "en")
    assert "No entries" in texts(empty)


@pytest.mark.parametrize(
    ("minor", "currency", "language", "text"),
    [
        (125_050, "THB", "th", "1,250.50 บาท"),
        (125_050, "THB", "en", "THB 1,250.50"),
        (-500, "THB", "en", "THB -5.00"),
        (1200, "JPY", "en", "JPY 1,200"),
        (7, "USD", "th", "USD 0.07"),
    ],
)
def test_money(minor: int, currency: str, language: str, text: str) -> None:
    assert money_text(minor, currency, language) == text  # type: ignore[arg-type]


def test_points() -> None:
    assert points_text(1234) == "1,234"
    assert points_text(62, signed=True) == "+62"
    assert points_text(-450, signed=True) == "-450"


def test_slips_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="aware"):
        sale_slip("en", created_at=datetime(2026, 1, 15, 10, 3))
    with pytest.raises(ValueError, match="language"):
        sale_slip("fr")
    with pytest.raises(ValueError, match="payload"):
        coupon_slip("en", payload="")
    with pytest.raises(ValueError, match="columns"):
        blocks_for(sale_slip("en"), 20)


@pytest.mark.parametrize(
    ("paper_mm", "profile", "columns"),
    [
        (58, "POS-5890", 32),
        (58, "TM-T88V", 32),
        (80, "TM-T88V", 42),
        (80, "TM-T20II", 48),
        (80, "TM-P80", 42),
    ],
)
def test_default_columns(paper_mm: int, profile: str, columns: int) -> None:
    assert default_columns(paper_mm, profile) == columns
