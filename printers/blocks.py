"""Printable blocks: what a layout produces and both back ends draw.

A slip becomes a list of blocks (one text line each, a QR code, a feed, the
cut); ``printers.device`` turns them into ESC/POS calls and
``printers.preview`` into a PNG. Lines are already wrapped to the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line: ``left`` aligned by ``align``, or ``left`` and ``right``
    at both ends. ``big`` is double width and height (half the columns)."""

    left: str
    right: str = ""
    align: Align = "left"
    bold: bool = False
    big: bool = False

    @property
    def text(self) -> str:
        return f"{self.left} {self.right}" if self.right else self.left


@dataclass(frozen=True, slots=True)
class Qr:
    payload: str


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    pass


Block = Line | Qr | Feed | Cut


def line_columns(line: Line, columns: int) -> int:
    return columns // 2 if line.big else columns
