"""The ESC/POS back end: printable blocks -> calls on any ``escpos.Escpos``.

Text goes through ``p.text`` (python-escpos's magic encoding picks the code
page from the profile, so Thai becomes CP874 after ``ESC t`` where the profile
has it). Lines the profile cannot encode are drawn with the Thai font and sent
as one raster image per run of such lines (``GS v 0``), never as '?'.
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from typing import Any

from printers import _escpos, qr
from printers.blocks import Block, Cut, Feed, Line, Qr, line_columns
from printers.raster import cell_for, render_lines
from printers.text import compose
from printers.thai import find_font, has_thai, printable, require_printable


def paper_dots(profile: Any, columns: int) -> int:
    """Printable dots for ``columns`` of font A: the profile's width when it knows it."""
    try:
        dots = int(profile.profile_data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError):
        dots = 0
    return columns * cell_for(dots or None, columns)


def emit(
    p: Any,
    blocks: Iterable[Block],
    columns: int,
    *,
    font_path: str | PathLike[str] | None = None,
) -> None:
    """Draw ``blocks`` on the printer ``p`` (any ``escpos.Escpos``), starting with ``ESC @``."""
    profile = p.profile
    dots = paper_dots(profile, columns)
    cell = dots // columns
    p.hw("INIT")
    p.magic.encoding = None  # ESC @ reset the printer's code page: let magic re-send ESC t
    style: tuple[bool, bool] = (False, False)  # (bold, big) after ESC @
    raster: list[Line] = []

    def flush() -> None:
        if raster:
            fonts = find_font(font_path, need_thai=any(has_thai(x.text) for x in raster))
            _escpos.send_image(p, render_lines(raster, columns, cell, fonts))
            raster.clear()

    for block in blocks:
        if isinstance(block, Line):
            if not printable(profile, block.text):
                raster.append(block)
                continue
            flush()
            wanted = (block.bold, block.big)
            if wanted != style:
                p.set(
                    bold=block.bold,
                    double_width=block.big,
                    double_height=block.big,
                    normal_textsize=not block.big,
                )
                style = wanted
            text = compose(block.left, block.right, block.align, line_columns(block, columns))
            require_printable(profile, text)
            p.text(text + "\n")
            continue
        flush()
        if style != (False, False):
            p.set(bold=False, normal_textsize=True)
            style = (False, False)
        if isinstance(block, Qr):
            qr.print_qr(p, block.payload, dots)
        elif isinstance(block, Feed):
            p.text("\n" * block.lines)
        elif isinstance(block, Cut):
            p.cut()
    flush()
