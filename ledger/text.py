"""Cleaning what a person typed: ids, names and reasons."""

from __future__ import annotations

import re

from ledger.errors import InvalidInput

# Store and terminal ids: short codes a person reads off a label and types at
# head office, not the shop's name (that is its own setting).
CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
CODE_EXAMPLES = {"store": "BKK01", "terminal": "T1"}


def clean_id(value: str, what: str) -> str:
    """An id someone typed (``what``: ``staff_id`` or ``ref``)."""
    text = (value or "").strip()
    if not text or len(text) > 64 or not text.isprintable():
        raise InvalidInput(key=f"invalid_input.{what}")
    return text


def clean_code(value: str, field: str) -> str:
    """A new store or terminal id (``field``): letters, digits, ``-`` or ``_``,
    1 to 32 of them. ``details`` name the field and its example, so a screen
    can say it in its own language and focus the field."""
    text = (value or "").strip()
    if not CODE.fullmatch(text):
        example = CODE_EXAMPLES[field]
        raise InvalidInput(
            key=f"invalid_input.{field}_id", value=text, field=field, example=example
        )
    return text


def clean_text(value: str | None, what: str, *, required: bool, limit: int = 200) -> str | None:
    """A name or a reason someone typed (``what``: ``name`` or ``reason``)."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(key=f"invalid_input.{what}_required")
        return None
    if len(text) > limit or not text.isprintable():
        raise InvalidInput(key=f"invalid_input.{what}_too_long", limit=limit)
    return text
