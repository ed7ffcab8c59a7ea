"""What a cashier types for phones, amounts and points, and what the ledger makes of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import InvalidAmount, InvalidInput, InvalidPhone
from ledger.money import format_minor, parse_amount, parse_points
from ledger.phone import mask_phone, normalize_phone

MAX_SALE = 100_000_000  # 1,000,000.00 in satang, the shipped earn.max_sale


@pytest.mark.parametrize(
    "typed",
    [
        "0812345678",
        "081-234-5678",
        "(081) 234 5678",
        "081 234 5678",
        "+66812345678",
        "+66 81 234 5678",
        "66812345678",
        "0066812345678",
        "๐๘๑๒๓๔๕๖๗๘",
        "  081.234.5678  ",
    ],
)
def test_every_spelling_of_one_phone_lands_on_the_same_e164(typed: str) -> None:
    assert normalize_phone(typed, "TH") == "+66812345678"


@pytest.mark.parametrize(
    "typed",
    ["12345", "", "abc", "08123", "081234567890123", "0812345678x", "+999 123", "   "],
)
def test_a_bad_phone_is_refused_with_a_message_that_says_why(typed: str) -> None:
    with pytest.raises(InvalidPhone) as info:
        normalize_phone(typed, "TH")
    message = info.value.message
    if typed.strip():
        # The cashier sees what they typed, so they can spot the slip.
        assert f"'{typed.strip()}'" in message
        assert "not a valid" in message or "not a phone number" in message
    else:
        assert "phone number" in message
    assert info.value.code == "invalid_phone"


def test_a_phone_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(812345678, "TH")  # type: ignore[arg-type]


def test_mask_keeps_two_leading_and_four_trailing_digits() -> None:
    assert mask_phone("+66812345678", "TH") == "08x-xxx-5678"


def test_mask_of_a_foreign_number_shows_its_country_code() -> None:
    masked = mask_phone("+6591234567", "TH")
    assert masked.startswith("+65 ")
    assert masked.endswith("4567")
    assert "1234567" not in masked


@pytest.mark.parametrize(
    ("typed", "minor"),
    [
        ("250", 25000),
        ("250.50", 25050),
        ("250.5", 25050),
        ("1,000.00", 100000),
        ("1,000", 100000),
        ("123,456.7", 12345670),
        (" 250.50 ", 25050),
        ("0.01", 1),
        ("๒๕๐", 25000),
        ("๒๕๐.๕๐", 25050),
        ("๑,๐๐๐.๐๐", 100000),
        (Decimal("250.50"), 25050),
        (Decimal("250.5"), 25050),
        (250, 25000),
        ("1000000.00", MAX_SALE),
    ],
)
def test_amounts_parse_to_minor_units(typed: str | Decimal | int, minor: int) -> None:
    assert parse_amount(typed, max_minor=MAX_SALE) == minor


@pytest.mark.parametrize(
    "typed",
    [
        "-5",
        "-0.01",
        "0",
        "0.00",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e3",
        "250.505",
        "250.",
        ".50",
        "1000000.01",
        "",
        " ",
        "1,00",
        "1,0000.00",
        "25 0",
        "250 baht",
        "0x10",
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-1"),
        Decimal("0"),
        Decimal("250.505"),
        0,
        -3,
    ],
)
def test_bad_amounts_are_refused(typed: str | Decimal | int) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(typed, max_minor=MAX_SALE)


@pytest.mark.parametrize("typed", [250.0, 0.1, float("nan"), float("inf"), True])
def test_a_float_is_refused_even_when_it_looks_exact(typed: float) -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount(typed, max_minor=MAX_SALE)
    assert "float" in info.value.message


def test_the_largest_sale_message_names_the_limit() -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount("1000000.01", max_minor=MAX_SALE)
    assert "1,000,000.00" in info.value.message


@pytest.mark.parametrize(
    ("minor", "shown"),
    [
        (1, "0.01"),
        (25050, "250.50"),
        (100000, "1,000.00"),
        (MAX_SALE, "1,000,000.00"),
        (-5, "-0.05"),
    ],
)
def test_format_minor(minor: int, shown: str) -> None:
    assert format_minor(minor) == shown


@given(st.integers(min_value=1, max_value=10**8))
def test_format_then_parse_gives_back_the_same_amount(minor: int) -> None:
    assert parse_amount(format_minor(minor)) == minor
    assert parse_amount(format_minor(minor).replace(",", ""), max_minor=MAX_SALE) == minor


@pytest.mark.parametrize(
    ("typed", "points"),
    [("120", 120), (" 120 ", 120), ("๑๒๐", 120), (120, 120), ("+5", 5), ("1000000000", 10**9)],
)
def test_points_parse_as_whole_numbers(typed: str | int, points: int) -> None:
    assert parse_points(typed) == points


@pytest.mark.parametrize(
    "typed", ["1.5", "", "abc", "0", 0, "-5", -5, "1e3", 1.0, True, "1000000001", 10**9 + 1]
)
def test_bad_points_are_refused(typed: str | int | float) -> None:
    with pytest.raises(InvalidInput):
        parse_points(typed)  # type: ignore[arg-type]


def test_negative_points_only_when_allowed() -> None:
    assert parse_points("-40", allow_negative=True) == -40
    assert parse_points(-40, allow_negative=True) == -40
    with pytest.raises(InvalidInput):
        parse_points("0", allow_negative=True)
