"""A slip as a PNG, the way the paper looks.

Renders the same blocks the printer gets: text lines in the monospace Thai
font at printer dots (12 per column, so 32/42/48 columns are 384/504/576
dots), QR codes as the printer would draw them, and a dashed line at the cut.
Used for the 'preview' printer and for the golden images in docs/slips/.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from os import PathLike

from PIL import Image

from printers.blocks import Block, Cut, Feed, Line, Qr
from printers.layout import blocks_for
from printers.raster import CELL, cut_mark, line_height, qr_image, render_lines, stack
from printers.slips import Slip
from printers.thai import find_font, has_thai

MARGIN = 16  # white paper around the printable area, in dots
CUT_FEED = 2  # blank lines shown before the cut


def render_blocks(
    blocks: Sequence[Block], columns: int, *, font_path: str | PathLike[str] | None = None
) -> Image.Image:
    dots = columns * CELL
    need_thai = any(isinstance(b, Line) and has_thai(b.text) for b in blocks)
    fonts = find_font(font_path, need_thai=need_thai)
    parts: list[Image.Image] = []
    run: list[Line] = []
    for block in blocks:
        if isinstance(block, Line):
            run.append(block)
            continue
        if run:
            parts.append(render_lines(run, columns, CELL, fonts))
            run = []
        if isinstance(block, Qr):
            parts.append(qr_image(block.payload, dots))
        elif isinstance(block, Feed):
            parts.append(Image.new("1", (dots, block.lines * line_height(CELL)), 1))
        elif isinstance(block, Cut):
            parts.append(Image.new("1", (dots, CUT_FEED * line_height(CELL)), 1))
            parts.append(cut_mark(dots, CELL))
    if run:
        parts.append(render_lines(run, columns, CELL, fonts))
    return stack(parts, dots, MARGIN)


def render_image(
    slip: Slip, columns: int, *, font_path: str | PathLike[str] | None = None
) -> Image.Image:
    """The slip as a 1-bit image, ``columns * 12`` dots wide plus a margin."""
    return render_blocks(blocks_for(slip, columns), columns, font_path=font_path)


def render_png(slip: Slip, columns: int, *, font_path: str | PathLike[str] | None = None) -> bytes:
    """The slip as PNG bytes (see ``render_image``)."""
    out = io.BytesIO()
    render_image(slip, columns, font_path=font_path).save(out, format="PNG", optimize=True)
    return out.getvalue()
