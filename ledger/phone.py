"""Phone numbers: what a cashier types -> E.164, and E.164 -> a masked form."""

from __future__ import annotations

import re

import phonenumbers

from ledger.errors import InvalidPhone

# Thai digits map to ASCII; phonenumbers handles them too, but our own "00"
# prefix check below must see ASCII digits.
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ALLOWED = re.compile(r"^\+?[0-9 ().\-]+$")


def normalize_phone(text: str, region: str = "TH") -> str:
    """Return the E.164 form of ``text`` or raise :class:`InvalidPhone`.

    Accepts spaces, dashes, dots, brackets, Thai digits, ``+66``, ``0066``,
    ``66...`` and a leading trunk 0.
    """
    if not isinstance(text, str):
        raise InvalidPhone(key="invalid_phone.type")
    raw = text.strip().translate(_THAI_DIGITS)
    if not raw:
        raise InvalidPhone(key="invalid_phone.empty")
    if not _ALLOWED.match(raw):
        raise InvalidPhone(key="invalid_phone.digits", value=text.strip())
    digits = re.sub(r"[^0-9+]", "", raw)
    # "00" is the international prefix people type everywhere, but Thailand's
    # own IDD is 001, so phonenumbers would read 0066... as a national number.
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidPhone(key="invalid_phone", value=text.strip())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str, region: str = "TH") -> str:
    """``+66812345678`` -> ``08x-xxx-5678``; keeps 2 leading and 4 trailing digits."""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == region:
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        prefix = ""
    else:
        prefix = f"+{number.country_code} "
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    total = sum(ch.isdigit() for ch in shown)
    out: list[str] = []
    seen = 0
    for ch in shown:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= 2 or seen > total - 4 else "x")
        elif ch in " -":
            out.append("-")
        # brackets and other punctuation are dropped: the mask is for reading
    return prefix + "".join(out).strip("-")


_TYPING = re.compile(r"^[+0-9 ()\-]*$")


def format_as_typed(text: str, region: str = "TH") -> str:
    """Format a partly typed number for display (``0812`` -> ``081 2``).

    Anything that is not phone-like (a scanned coupon, letters) is returned
    unchanged, so the field never fights the person typing.
    """
    raw = text.translate(_THAI_DIGITS)
    if not _TYPING.match(raw):
        return text
    formatter = phonenumbers.AsYouTypeFormatter(region)
    shown = ""
    for ch in raw:
        if ch.isdigit() or ch == "+":
            shown = formatter.input_digit(ch)
    return shown
