"""Column arithmetic for monospace slips: Thai marks take no column.

Thai above/below vowels and tone marks (U+0E31, U+0E34-0E3A, U+0E47-0E4E) are
nonspacing marks (category Mn): printers with a Thai code page and Thai fonts
stack them on the previous character, so they do not advance the line. Wide
East Asian characters take two columns. U+200B (zero width space) is a place
where a long Thai phrase may break; it is never printed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ZWSP = "\u200b"


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    if " " <= ch < "\x7f":
        return 1
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def width(text: str) -> int:
    """Columns that ``text`` takes on the paper."""
    if text.isascii():
        return len(text)
    return sum(char_width(ch) for ch in text)


def clean(text: str) -> str:
    """One printable line: control characters (newlines, tabs, ESC) become spaces."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == ZWSP else " " for ch in text)


def clusters(text: str) -> list[str]:
    """Split into base characters each followed by its marks; never split a mark off."""
    out: list[str] = []
    for ch in text:
        if out and char_width(ch) == 0:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _break_word(word: str, columns: int) -> list[str]:
    pieces: list[str] = []
    current, used = "", 0
    for cluster in clusters(word):
        w = width(cluster)
        if current and used + w > columns:
            pieces.append(current)
            current, used = "", 0
        current += cluster
        used += w
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, columns: int) -> list[str]:
    """Greedy word wrap by display width; words longer than a line break between
    characters (whole clusters). Always returns at least one line."""
    if columns < 1:
        raise ValueError("columns must be positive")
    tokens: list[tuple[str, str]] = []  # (glue before, word): a ZWSP glues without a space
    for chunk in clean(text).split():
        parts = [part for part in chunk.split(ZWSP) if part]
        tokens += [(" " if i == 0 else "", part) for i, part in enumerate(parts)]
    lines: list[str] = []
    current, used = "", 0
    for glue, word in tokens:
        w = width(word)
        sep = glue if current else ""
        if used + width(sep) + w <= columns:
            current += sep + word
            used += width(sep) + w
            continue
        if current:
            lines.append(current)
        if w <= columns:
            current, used = word, w
        else:
            *full, current = _break_word(word, columns)
            lines += full
            used = width(current)
    lines.append(current)
    return lines


def pad_left(text: str, columns: int) -> str:
    return " " * max(0, columns - width(text)) + text


def compose(left: str, right: str, align: str, columns: int) -> str:
    """The full line as it sits on ``columns``: left + gap + right, or aligned."""
    if right:
        gap = max(1, columns - width(left) - width(right))
        return left + " " * gap + right
    if align == "center":
        return " " * max(0, (columns - width(left)) // 2) + left
    if align == "right":
        return pad_left(left, columns)
    return left
