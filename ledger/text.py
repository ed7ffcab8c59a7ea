"""Cleaning what a person typed: ids, names and reasons."""

from __future__ import annotations

from ledger.errors import InvalidInput


def clean_id(value: str, what: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > 64 or not text.isprintable():
        raise InvalidInput(f"{what} must be 1 to 64 printable characters.")
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
