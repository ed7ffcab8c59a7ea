"""Thai code pages from the profile, and the Thai font lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers import ThaiFontMissing, build_bytes, render_png, thai
from printers._escpos import profile
from printers.thai import find_font, printable, thai_code_page
from tests.printers.conftest import coupon_slip, sale_slip

LOMA = Path("/usr/share/fonts/truetype/tlwg/Loma.ttf")
needs_tlwg = pytest.mark.skipif(not LOMA.is_file(), reason="apt-get install fonts-thai-tlwg")


@pytest.mark.parametrize(
    ("name", "slot"),
    [
        ("TM-P80", 21),
        ("TM-T88II", 21),
        ("Sunmi-V2", 21),
        ("TH230", 11),
        ("P822D", 70),
        ("TM-T88V", None),
        ("TM-T20II", None),
        ("TM-T88IV", None),
        ("POS-5890", None),
    ],
)
def test_thai_code_page_comes_from_the_profile(name: str, slot: int | None) -> None:
    assert thai_code_page(profile(name)) == slot


def test_printable_follows_the_code_pages() -> None:
    assert printable(profile("TM-P80"), "แต้ม 1,234 ฿")
    assert not printable(profile("TM-T88V"), "แต้ม")
    assert printable(profile("TM-T88V"), "Café")  # CP850 and friends
    assert not printable(profile("TM-P80"), "王小明")  # never GB18030 behind our back


def test_cp874_slip_uses_the_profiles_slot() -> None:
    data = build_bytes(sale_slip("th"), "TH230", 48)
    assert b"\x1bt\x0b" in data  # ESC t 11 on the TH230
    assert "แต้มที่ได้รับ".encode("cp874") in data


@needs_tlwg
def test_default_font_is_from_fonts_thai_tlwg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(thai.FONT_ENV, raising=False)
    fonts = find_font()
    assert fonts.thai == LOMA
    assert fonts.thai_bold == LOMA.with_name("Loma-Bold.ttf")


@needs_tlwg
def test_font_path_and_env_win(monkeypatch: pytest.MonkeyPatch) -> None:
    garuda = LOMA.with_name("Garuda.ttf")
    assert find_font(garuda).thai == garuda
    monkeypatch.setenv(thai.FONT_ENV, str(garuda))
    assert find_font().thai == garuda


def test_missing_font_file_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(ThaiFontMissing, match="fonts-thai-tlwg") as caught:
        find_font(tmp_path / "nope.ttf")
    assert "nope.ttf" in caught.value.message


@pytest.fixture
def no_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(thai, "FONT_DIRS", (tmp_path,))
    monkeypatch.delenv(thai.FONT_ENV, raising=False)
    thai._find.cache_clear()
    yield tmp_path
    thai._find.cache_clear()


def test_no_thai_font_is_a_clear_error(no_fonts: Path) -> None:
    with pytest.raises(ThaiFontMissing) as caught:
        find_font()
    assert caught.value.message == (
        "Thai text needs a Thai font: install the Debian package fonts-thai-tlwg "
        "(apt-get install fonts-thai-tlwg) or set POS_THAI_FONT"
    )
    with pytest.raises(ThaiFontMissing):  # a raster Thai line, never '?'
        build_bytes(coupon_slip("th"), "TM-T88V", 42)
    with pytest.raises(ThaiFontMissing):
        render_png(sale_slip("th"), 42)


def test_no_font_needed_where_the_printer_has_thai(no_fonts: Path) -> None:
    data = build_bytes(sale_slip("th"), "TM-P80", 42)
    assert "แต้มที่ได้รับ".encode("cp874") in data
    assert b"\x1dv0" not in data
    assert build_bytes(sale_slip("en"), "TM-T88V", 42)  # English needs no font either


@needs_tlwg
def test_found_by_searching_the_font_folder(no_fonts: Path) -> None:
    target = no_fonts / "truetype" / "thai-tlwg" / "Garuda.ttf"
    target.parent.mkdir(parents=True)
    target.write_bytes(LOMA.with_name("Garuda.ttf").read_bytes())
    (no_fonts / "TlwgMono.ttf").write_bytes(b"not picked: a terminal font")
    assert find_font().thai == target
