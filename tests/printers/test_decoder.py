"""The test decoder itself, on bytes written by hand from the command reference."""

from __future__ import annotations

import pytest

from tests.printers.escpos_decode import CutPaper, DecodeError, QrData, Raster, Text, decode


def test_text_code_pages_raster_qr_and_cut() -> None:
    qr_store = b"\x1d(k" + bytes([3 + 5, 0]) + b"1P0" + b"hello"
    qr_print = b"\x1d(k\x03\x001Q0"
    raster = b"\x1dv0\x00" + bytes([1, 0, 2, 0]) + bytes([0b10000000, 0b00000001])
    data = (
        b"\x1b@\x1bt\x00Hi\n"
        + b"\x1bt\x15"
        + "ไทย".encode("cp874")
        + b"\n"
        + qr_store
        + qr_print
        + raster
        + b"\x1bE\x01\x1b!\x30Big\n\x1bd\x06\x1dV\x00"
    )
    out = decode(data, {0: "cp437", 21: "cp874"})
    assert out.items[0] == Text("Hi", frozenset())
    assert out.items[1] == Text("ไทย", frozenset({21}))
    assert out.items[2] == QrData(b"hello", printed=True)
    image = out.items[3]
    assert isinstance(image, Raster)
    assert image.image.size == (8, 2)
    assert image.image.getpixel((0, 0)) == 0 and image.image.getpixel((7, 0)) != 0
    assert image.image.getpixel((7, 1)) == 0
    assert out.items[4] == Text("Big", frozenset())
    assert out.items[5] == CutPaper(partial=False)
    assert out.code_page_switches == [0, 21]


def test_unknown_command_is_an_error() -> None:
    with pytest.raises(DecodeError):
        decode(b"\x1b\x99", {})
    with pytest.raises(DecodeError):
        decode(b"\x07", {})
