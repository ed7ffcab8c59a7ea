"""Golden previews in docs/slips/: a layout change shows up as a failing test.

To accept a deliberate change, regenerate and look at the images:
``UPDATE_GOLDEN=1 .venv/bin/pytest tests/printers/test_golden.py``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from printers import render_png
from printers.slips import Slip
from printers.thai import find_font
from tests.printers.conftest import COUPON_PAYLOAD, MEMBER_URL, coupon_slip, sale_slip

DOCS = Path(__file__).resolve().parents[2] / "docs" / "slips"
TOLERANCE = 0.002  # share of pixels that may differ (FreeType versions)
FONTS = ("Loma.ttf", "DejaVuSansMono.ttf")

CASES = {
    "sale-th": (sale_slip("th"), 42, MEMBER_URL),
    "coupon-th": (coupon_slip("th", copy=True), 32, COUPON_PAYLOAD),
}


@pytest.fixture(autouse=True)
def _golden_fonts() -> None:
    fonts = find_font()
    names = (fonts.thai.name if fonts.thai else "", fonts.mono.name if fonts.mono else "")
    if names != FONTS:
        pytest.skip(f"golden images are drawn with {FONTS}, found {names}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_preview_matches_golden(name: str) -> None:
    slip, columns, _ = CASES[name]
    fresh = Image.open(io.BytesIO(render_png(slip, columns)))
    path = DOCS / f"{name}.png"
    if os.environ.get("UPDATE_GOLDEN"):
        DOCS.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_png(slip, columns))
    golden = Image.open(path)
    assert fresh.size == golden.size, f"{path.name}: size {golden.size} -> {fresh.size}"
    diff = ImageChops.difference(fresh.convert("L"), golden.convert("L"))
    changed = fresh.width * fresh.height - diff.histogram()[0]
    assert changed <= TOLERANCE * fresh.width * fresh.height, (
        f"{path.name}: {changed} pixels changed; if intended, run with UPDATE_GOLDEN=1"
    )
    assert fresh.width == columns * 12 + 32


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_qr_scans(name: str) -> None:
    _, _, payload = CASES[name]
    image = Image.open(DOCS / f"{name}.png")
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [payload]


def test_render_png_is_deterministic() -> None:
    slip: Slip = sale_slip("en")
    assert render_png(slip, 48) == render_png(slip, 48)
