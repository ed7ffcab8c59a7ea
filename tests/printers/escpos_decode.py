"""A small, strict ESC/POS decoder for tests, written from the command reference.

It shares no code with ``printers``: it walks the bytes the way a printer
would, keeps the active code page from ``ESC t n`` (reset by ``ESC @``), and
collects what would come out of the printer in order: text lines (decoded
with the code page active when their bytes arrived), raster images
(``GS v 0``, as PIL images, black = 0), QR data stored with ``GS ( k``
(cn=49 fn=80) and cuts (``GS V``). An unknown command is an error, so a
stray byte cannot hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, DLE, LF, CR, HT = 0x1B, 0x1D, 0x10, 0x0A, 0x0D, 0x09

# ESC commands with a fixed number of parameter bytes
_ESC_ARGS = {
    ord("!"): 1,  # print mode
    ord("-"): 1,  # underline
    ord("2"): 0,  # default line spacing
    ord("3"): 1,  # line spacing
    ord("E"): 1,  # emphasized
    ord("G"): 1,  # double strike
    ord("J"): 1,  # print and feed n dots
    ord("M"): 1,  # character font
    ord("a"): 1,  # justification
    ord("d"): 1,  # print and feed n lines
    ord("p"): 3,  # drawer pulse
    ord("r"): 1,  # colour
    ord("t"): 1,  # character code table
    ord("{"): 1,  # upside down
}
# GS commands with a fixed number of parameter bytes
_GS_ARGS = {
    ord("!"): 1,  # character size
    ord("B"): 1,  # reverse
    ord("b"): 1,  # smoothing
    ord("H"): 1,  # HRI position
    ord("f"): 1,  # HRI font
    ord("h"): 1,  # bar code height
    ord("w"): 1,  # bar code width
}


@dataclass(frozen=True)
class Text:
    line: str
    code_pages: frozenset[int]  # the tables active while its non-ASCII bytes arrived


@dataclass(frozen=True)
class Raster:
    image: Image.Image


@dataclass(frozen=True)
class QrData:
    data: bytes
    printed: bool


@dataclass(frozen=True)
class CutPaper:
    partial: bool


Item = Text | Raster | QrData | CutPaper


@dataclass
class Decoded:
    items: list[Item] = field(default_factory=list)
    code_page_switches: list[int] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [item.line for item in self.items if isinstance(item, Text)]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def images(self) -> list[Image.Image]:
        return [item.image for item in self.items if isinstance(item, Raster)]

    @property
    def qr(self) -> list[bytes]:
        return [item.data for item in self.items if isinstance(item, QrData) and item.printed]


class DecodeError(ValueError):
    pass


def _raster(data: bytes, at: int) -> tuple[Image.Image, int]:
    """GS v 0 m xL xH yL yH d1...dk; ``at`` points at m."""
    x_bytes = data[at + 1] + 256 * data[at + 2]
    height = data[at + 3] + 256 * data[at + 4]
    start = at + 5
    end = start + x_bytes * height
    if end > len(data):
        raise DecodeError(f"raster image at {at} runs past the end")
    bits = Image.frombytes("1", (x_bytes * 8, height), data[start:end])
    # ESC/POS: bit 1 = black dot; PIL '1': 1 = white. Flip.
    image = bits.convert("L").point(lambda v: 255 - v).convert("1")
    return image, end


def decode(data: bytes, code_pages: dict[int, str]) -> Decoded:
    """Decode ``data``; ``code_pages`` maps ESC t numbers to Python codecs."""
    out = Decoded()
    page = 0
    line: list[str] = []
    pages_in_line: set[int] = set()
    pending_qr: bytes | None = None

    def end_line() -> None:
        out.items.append(Text("".join(line), frozenset(pages_in_line)))
        line.clear()
        pages_in_line.clear()

    i = 0
    while i < len(data):
        b = data[i]
        if b == LF:
            end_line()
            i += 1
        elif b == CR:
            i += 1
        elif b == HT:
            line.append("\t")
            i += 1
        elif b == ESC:
            cmd = data[i + 1]
            if cmd == ord("@"):  # initialize: code page 0, buffer cleared
                page = 0
                line.clear()
                pages_in_line.clear()
                i += 2
            elif cmd == ord("t"):
                page = data[i + 2]
                out.code_page_switches.append(page)
                i += 3
            elif cmd == ord("d"):
                if line:
                    end_line()
                i += 3
            elif cmd in _ESC_ARGS:
                i += 2 + _ESC_ARGS[cmd]
            else:
                raise DecodeError(f"unknown ESC command {data[i : i + 4]!r} at {i}")
        elif b == GS:
            cmd = data[i + 1]
            if cmd == ord("V"):
                m = data[i + 2]
                if m in (0, 1, 48, 49):
                    i += 3
                elif m in (65, 66):
                    i += 4
                else:
                    raise DecodeError(f"bad cut mode {m} at {i}")
                out.items.append(CutPaper(partial=m in (1, 49, 66)))
            elif cmd == ord("v") and data[i + 2] == ord("0"):
                image, i = _raster(data, i + 3)
                out.items.append(Raster(image))
            elif cmd == ord("(") and data[i + 2] in (ord("k"), ord("L")):
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5 : i + 5 + size]
                if len(body) != size:
                    raise DecodeError(f"GS ( at {i} runs past the end")
                if data[i + 2] == ord("k") and body[0] == 49:  # cn = 49: QR Code
                    fn = body[1]
                    if fn == 80:  # store data: m=48, then the data
                        pending_qr = bytes(body[3:])
                    elif fn == 81 and pending_qr is not None:  # print the stored symbol
                        out.items.append(QrData(pending_qr, printed=True))
                i += 5 + size
            elif cmd in _GS_ARGS:
                i += 2 + _GS_ARGS[cmd]
            else:
                raise DecodeError(f"unknown GS command {data[i : i + 4]!r} at {i}")
        elif b == DLE:
            if data[i + 1] == 0x04:  # DLE EOT n: real-time status request
                i += 3
            else:
                raise DecodeError(f"unknown DLE command {data[i : i + 3]!r} at {i}")
        elif b < 0x20:
            raise DecodeError(f"unexpected control byte {b:#04x} at {i}")
        elif b < 0x80:
            line.append(chr(b))
            i += 1
        else:
            codec = code_pages.get(page)
            line.append(bytes([b]).decode(codec, errors="replace") if codec else "\ufffd")
            pages_in_line.add(page)
            i += 1
    if line:
        end_line()
    return out
