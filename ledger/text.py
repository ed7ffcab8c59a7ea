"""Cleaning what a person typed: ids, names and reasons."""

from __future__ import annotations

import re

from ledger.errors import InvalidInput

# Store and terminal ids: short codes a person reads off a label and types at
# head office, not the shop's name (that is its own setting).
CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
CODE_EXAMPLES = {"store": "BKK01", "terminal": "T1"}


def clean_id(value: str, what: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > 64 or not text.isprintable():
        raise InvalidInput(f"{what} must be 1 to 64 printable characters.")
    return text


def clean_code(value: str, field: str) -> str:
    """A new store or terminal id (``field``): letters, digits, ``-`` or ``_``,
    1 to 32 of them. ``details`` name the field and its example, so a screen
    can say it in its own language and focus the field."""
    text = (value or "").strip()
    if not CODE.fullmatch(text):
        example = CODE_EXAMPLES[field]
        raise InvalidInput(
            f"The {field} id {text!r} is not a code: use 1 to 32 letters, digits, - or _, "
            f"e.g. {example} (the shop's name is set separately).",
            field=field,
            example=example,
        )
    return text


def clean_text(value: str | None, what: str, *, required: bool, limit: int = 200) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"A {what} is required: say why, in a few words.")
        return None
    if len(text) > limit or not text.isprintable():
        raise InvalidInput(f"The {what} must be at most {limit} printable characters.")
    return text
