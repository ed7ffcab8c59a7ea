"""Drawing lines and QR codes as 1-bit images at printer dots.

One cell is one printer column (12 dots for font A); a line is 2.5 cells high,
about the printer's default line spacing. The same drawing serves the raster
Thai lines sent to printers without a Thai code page and the PNG preview, so
the preview shows what those printers get.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from printers.blocks import Line, line_columns
from printers.text import compose, width
from printers.thai import FontFiles

CELL = 12  # dots per column: font A on Epson-like printers
QUIET = 4  # QR quiet zone, in modules


def cell_for(paper_dots: int | None, columns: int) -> int:
    """Dots per column: font A's 12, or less when the paper is too narrow for it."""
    if not paper_dots:
        return CELL
    return max(6, min(CELL, paper_dots // columns))


def line_height(cell: int, big: bool = False) -> int:
    """32 dots a line at 12 per column: room for Thai marks above and below."""
    return (cell * 8 // 3) * (2 if big else 1)


@lru_cache(maxsize=64)
def _font(path: Path, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def _size(step: int, thai: bool) -> float:
    """Font size for a column ``step`` dots wide: monospace digits one column wide;
    the proportional Thai font a little smaller, so a Thai line fits its columns."""
    return step * (19 / 12 if thai else 5 / 3)


def _draw_line(
    draw: ImageDraw.ImageDraw, line: Line, top: int, columns: int, cell: int, fonts: FontFiles
) -> None:
    cols = line_columns(line, columns)
    step = cell * (2 if line.big else 1)
    room = cols * step
    path, thai = fonts.pick(line.text, line.bold)
    size = _size(step, thai)
    font = _font(path, size)
    text = line.left.lstrip(" ")
    indent = (width(line.left) - width(text)) * step
    length = font.getlength(text)
    used = indent + length + (font.getlength(line.right) + step if line.right else 0)
    if used > room:  # a proportional font ran wider than its columns: shrink this line
        font = _font(path, max(6.0, int(size * (room - indent) / (used - indent) * 2) / 2))
        length = font.getlength(text)
    if line.right or line.align == "left":
        start = indent
    elif not thai:  # monospace: the same columns as the printer's own text
        start = (width(compose(line.left, "", line.align, cols)) - width(text)) * step
    elif line.align == "center":
        start = max(0, int(room - length) // 2)
    else:
        start = max(0, int(room - length))
    ascent, descent = font.getmetrics()
    baseline = top + (line_height(cell, line.big) - ascent - descent) // 2 + ascent
    draw.text((start, baseline), text, font=font, fill=0, anchor="ls")
    if line.right:
        draw.text((room, baseline), line.right, font=font, fill=0, anchor="rs")


def render_lines(lines: Sequence[Line], columns: int, cell: int, fonts: FontFiles) -> Image.Image:
    """Lines as one white 1-bit image ``columns * cell`` dots wide."""
    heights = [line_height(cell, line.big) for line in lines]
    image = Image.new("1", (columns * cell, sum(heights)), 1)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    top = 0
    for line, height in zip(lines, heights, strict=True):
        _draw_line(draw, line, top, columns, cell, fonts)
        top += height
    return image


# -- QR -------------------------------------------------------------------------

# Byte-mode capacity at error correction M, versions 1..20.
_CAPACITY_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504)


def qr_module(payload: str, paper_dots: int) -> int:
    """Dots per QR module: as big as fits 3/5 of the paper, 3 to 8 dots."""
    size = len(payload.encode("utf-8"))
    version = next((v for v, cap in enumerate(_CAPACITY_M, 1) if size <= cap), 20)
    modules = 17 + 4 * version + 2 * QUIET
    return max(3, min(8, (paper_dots * 3 // 5) // modules))


@lru_cache(maxsize=64)
def _qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return tuple(tuple(row) for row in matrix)


def qr_image(payload: str, paper_dots: int, module: int | None = None) -> Image.Image:
    """The QR code (quiet zone included), centred on a white strip ``paper_dots`` wide."""
    matrix = _qr_matrix(payload)
    module = module or qr_module(payload, paper_dots)
    side = len(matrix)
    small = Image.new("1", (side, side), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    code = small.resize((side * module, side * module), Image.Resampling.NEAREST)
    if code.width > paper_dots:
        raise ValueError(f"QR code of {code.width} dots does not fit {paper_dots} dots")
    strip = Image.new("1", (paper_dots, code.height), 1)
    strip.paste(code, ((paper_dots - code.width) // 2, 0))
    return strip


def cut_mark(paper_dots: int, cell: int) -> Image.Image:
    """A dashed line where the cutter cuts (preview only)."""
    image = Image.new("1", (paper_dots, cell), 1)
    draw = ImageDraw.Draw(image)
    for x in range(0, paper_dots, cell):
        draw.line((x, cell // 2, x + cell // 2, cell // 2), fill=0)
    return image


def stack(parts: Sequence[Image.Image], paper_dots: int, margin: int = 0) -> Image.Image:
    """Parts one under the other on white paper, with ``margin`` dots around."""
    total = sum(part.height for part in parts)
    page = Image.new("1", (paper_dots + 2 * margin, total + 2 * margin), 1)
    top = margin
    for part in parts:
        page.paste(part, (margin, top))
        top += part.height
    return page
