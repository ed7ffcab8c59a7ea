"""The one number convention: money is int minor units, points are int.

``Decimal`` and strings only at the edges; a ``float`` is always refused.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ledger.errors import (
    AmountTooLarge,
    InvalidAmount,
    InvalidInput,
    NegativeAmount,
    TooManyDecimals,
    ZeroAmount,
)

MINOR_PER_UNIT = 100  # THB, USD, EUR...: two decimals

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Plain digits, or digits grouped by thousands with commas; at most 2 decimals.
_AMOUNT = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d{1,2})?$")
# Longer than any real amount or points: refused before any conversion (Python
# refuses to turn more than 4,300 digits into an int: a crash, not a message).
_MAX_CHARS = 32


def _short(text: str) -> str:
    """The value as echoed in a message: never thousands of characters."""
    return text if len(text) <= _MAX_CHARS else text[:_MAX_CHARS] + "..."


def parse_amount(value: str | Decimal | int, max_minor: int | None = None) -> int:
    """Parse a sale amount such as ``"250"`` or ``"1,250.50"`` into minor units.

    Refuses floats, negatives, zero, NaN, exponents, signs, more than two
    decimals and amounts over ``max_minor``. A refusal made from typed text
    carries it (shortened) as ``value``, for a message in any language.
    """
    if isinstance(value, (bool, float)):
        raise InvalidAmount(key="invalid_amount.float")
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidAmount(key="invalid_amount", value=str(value))
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip().translate(_THAI_DIGITS)
    else:
        raise InvalidAmount(key="invalid_amount.type")
    shown = _short(value.strip() if isinstance(value, str) else text)  # as typed
    if len(text) > _MAX_CHARS:
        raise InvalidAmount(key="invalid_amount", value=shown)
    if text.startswith("-") and _AMOUNT.match(text[1:]):
        raise NegativeAmount(key="invalid_amount.negative", value=shown)
    if re.fullmatch(r"\d+\.\d{3,}", text.replace(",", "")):
        raise TooManyDecimals(key="invalid_amount.decimals", value=shown)
    if not _AMOUNT.match(text):
        raise InvalidAmount(key="invalid_amount", value=shown)
    try:
        minor = int(Decimal(text.replace(",", "")) * MINOR_PER_UNIT)
    except InvalidOperation:  # pragma: no cover - the regex already guards this
        raise InvalidAmount(key="invalid_amount", value=shown) from None
    if minor <= 0:
        raise ZeroAmount(key="invalid_amount.zero", value=shown)
    if max_minor is not None and minor > max_minor:
        raise AmountTooLarge(
            key="invalid_amount.too_large",
            amount=format_minor(minor),
            limit=format_minor(max_minor),
            amount_minor=minor,
            max_minor=max_minor,
        )
    return minor


def to_minor(value: Decimal) -> int:
    """A config Decimal (already validated to 2 decimals) to minor units."""
    return int(value * MINOR_PER_UNIT)


def format_minor(minor: int) -> str:
    """``25050`` -> ``"250.50"``; thousands separated: ``"1,000,000.00"``."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), MINOR_PER_UNIT)
    return f"{sign}{units:,}.{cents:02d}"


def parse_points(value: str | int, *, allow_negative: bool = False) -> int:
    """Points are whole numbers: ``"120"`` -> 120; refuses ``"1.5"``, floats, zero."""
    if isinstance(value, (bool, float)):
        raise InvalidInput(key="invalid_points.float")
    if isinstance(value, str):
        text = value.strip().translate(_THAI_DIGITS)
        if len(text) > _MAX_CHARS or not re.fullmatch(r"[+-]?\d+", text):
            raise InvalidInput(key="invalid_points", value=_short(value))
        value = int(text)
    if value == 0:
        raise InvalidInput(key="invalid_points.zero")
    if value < 0 and not allow_negative:
        raise InvalidInput(key="invalid_points.negative", value=value)
    if abs(value) > 1_000_000_000:
        raise InvalidInput(key="invalid_points.range", value=value)
    return value
