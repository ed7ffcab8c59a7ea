"""Every layout on every profile family, checked byte by byte.

The bytes come from ``build_bytes`` (python-escpos ``Dummy``) and are read
back with the independent decoder in ``escpos_decode``: Thai must arrive as
CP874 text after ``ESC t`` with the profile's CP874 slot, or as a raster image
- never as '?' - the QR must hold the exact payload, and the slip must end
with the cut.
"""

from __future__ import annotations

from typing import Any

import pytest
import zxingcpp

from printers import build_bytes, print_sale_slip
from printers._escpos import dummy
from printers.errors import UnprintableText
from printers.text import wrap
from printers.thai import require_printable
from tests.printers.conftest import (
    COUPON_PAYLOAD,
    MEMBER_URL,
    PROFILES,
    coupon_slip,
    day_summary,
    sale_slip,
)
from tests.printers.escpos_decode import CutPaper, Decoded, Text, decode

CUT = b"\x1dV\x00"
# Thai nonspacing marks (above/below vowels, tone marks): no column of their own
_MARKS = {0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)}


def cells(line: str) -> int:
    return sum(0 if ord(ch) in _MARKS else 1 for ch in line)


def _capabilities() -> Any:
    dummy(None)  # python-escpos loaded the way the app loads it
    from escpos.capabilities import CAPABILITIES

    return CAPABILITIES


def code_pages(profile: str) -> dict[int, str]:
    """ESC t number -> Python codec, straight from python-escpos's printer database."""
    caps = _capabilities()
    pages = caps["profiles"][profile]["codePages"]
    encodings = caps["encodings"]
    return {
        int(slot): encodings[name]["python_encode"]
        for slot, name in pages.items()
        if "python_encode" in encodings.get(name, {})
    }


def cp874_slot(profile: str) -> int | None:
    pages = _capabilities()["profiles"][profile]["codePages"]
    return next((int(slot) for slot, name in pages.items() if name == "CP874"), None)


def has_cutter(profile: str) -> bool:
    features = _capabilities()["profiles"][profile]["features"]
    return bool(features.get("paperFullCut") or features.get("paperPartCut"))


def has_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def scan(decoded: Decoded) -> list[str]:
    """Payloads of the QR codes: native ones as stored, raster ones scanned."""
    found = [data.decode("utf-8") for data in decoded.qr]
    for image in decoded.images:
        found += [r.text for r in zxingcpp.read_barcodes(image) if r.format.name == "QRCode"]
    return found


def check_common(data: bytes, decoded: Decoded, profile: str, thai: bool) -> None:
    assert data.startswith(b"\x1b@"), "every slip starts with ESC @"
    if has_cutter(profile):
        assert data.endswith(CUT), "the cut is the last command"
        assert isinstance(decoded.items[-1], CutPaper)
    else:  # no cutter (Sunmi V2, POS-5890): feed past the tear bar
        assert data.endswith(b"\x1bd\x06")
        assert not any(isinstance(item, CutPaper) for item in decoded.items)
    assert "?" not in decoded.text, "a '?' was printed"
    assert "\ufffd" not in decoded.text
    slot = cp874_slot(profile)
    for item in decoded.items:
        if isinstance(item, Text) and has_thai(item.line):
            assert slot is not None, f"Thai as text on {profile}, which has no CP874"
            assert item.code_pages == {slot}, f"Thai not after ESC t {slot}: {item.line!r}"
    if slot is None:
        assert not any(has_thai(line) for line in decoded.lines)
        if thai:
            assert decoded.images, "Thai on a printer without CP874 must be raster"


def test_profiles_are_what_the_tests_assume() -> None:
    caps = _capabilities()["profiles"]
    for name, _, thai, native_qr in PROFILES:
        assert (cp874_slot(name) is not None) == thai, name
        assert bool(caps[name]["features"].get("qrCode")) == native_qr, name


@pytest.mark.parametrize("language", ["th", "en"])
def test_sale_slip(profile_case: tuple[str, int, bool, bool], language: str) -> None:
    profile, columns, thai_page, native_qr = profile_case
    slip = sale_slip(language)
    data = build_bytes(slip, profile, columns)
    decoded = decode(data, code_pages(profile))
    check_common(data, decoded, profile, language == "th")

    text = decoded.text
    assert "Base 1 pt / 25.00" in text and "Silver x1.25" in text
    if language == "en" or thai_page:
        assert "S-000123" in text and "T1" in text
    if language == "en":
        for expected in ("Doi Chang Coffee", "Points earned", "+62", "1,234", "THB 1,250.50"):
            assert expected in text
        assert "08x-xxx-5678" in text and "Somchai J." in text
        assert "120 pts expire on 30 Jun 2026" in text
    elif thai_page:
        for expected in ("ร้านกาแฟดอยช้าง", "สาขาสีลม", "แต้มที่ได้รับ", "คุณสมชาย ใจดี"):
            assert expected in text
        assert "1,250.50 บาท" in text
        assert "แต้ม 120 จะหมดอายุ 30 มิ.ย. 2569" in text
    else:  # Thai labels on every pair: those lines are one raster image per run
        line_dots = 32  # 2 2/3 columns of 12 dots
        text_images = [im for im in decoded.images if not zxingcpp.read_barcodes(im)]
        assert text_images and all(im.height % line_dots == 0 for im in text_images)
        assert sum(im.height for im in text_images) // line_dots >= 14

    assert scan(decoded) == [MEMBER_URL]
    if native_qr:
        assert decoded.qr == [MEMBER_URL.encode()], "native QR stores the exact payload"
    else:
        assert decoded.qr == []


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("copy", [False, True])
def test_coupon(profile_case: tuple[str, int, bool, bool], language: str, copy: bool) -> None:
    profile, columns, thai_page, native_qr = profile_case
    slip = coupon_slip(language, copy=copy)
    data = build_bytes(slip, profile, columns)
    decoded = decode(data, code_pages(profile))
    check_common(data, decoded, profile, True)

    code_line = b" " * ((columns // 2 - 9) // 2) + b"K7QM-2XPA\n"
    at = data.index(code_line)
    last_mode = data.rindex(b"\x1b!", 0, at)
    assert data[last_mode + 2] == 0x30, "the code is double width and height, centred"
    assert "Free iced coffee" in decoded.text
    if language == "en":
        assert "Valid until" in decoded.text and "30 Jun 2026" in decoded.text
        assert "One use only. Not exchangeable for cash." in " ".join(decoded.lines)
    if thai_page:
        assert "กาแฟเย็นฟรี 1 แก้ว" in decoded.text
        assert ("สำเนา" in decoded.text) == copy
        assert ("COPY" in decoded.text) == copy
    elif copy:
        # The copy mark has Thai, so it is an image: one more than without it.
        plain = decode(build_bytes(coupon_slip(language), profile, columns), code_pages(profile))
        assert len(decoded.images) > len(plain.images)

    assert scan(decoded) == [COUPON_PAYLOAD]
    assert decoded.qr == ([COUPON_PAYLOAD.encode()] if native_qr else [])


@pytest.mark.parametrize("language", ["th", "en"])
def test_day_summary(profile_case: tuple[str, int, bool, bool], language: str) -> None:
    profile, columns, thai_page, _ = profile_case
    data = build_bytes(day_summary(language), profile, columns)
    decoded = decode(data, code_pages(profile))
    check_common(data, decoded, profile, language == "th")
    assert "cash1" in decoded.text and "cash2" in decoded.text
    if language == "en" or thai_page:
        assert "+2,148" in decoded.text  # net points of the day
    if language == "en":
        assert "Day summary" in decoded.text
        assert any(line.startswith("Earn") and line.endswith("+2,610") for line in decoded.lines)
    elif thai_page:
        assert "สรุปประจำวัน" in decoded.text and "สะสมแต้ม" in decoded.text
    assert all(cells(line) <= columns for line in decoded.lines)


def test_lines_fit_the_paper(profile_case: tuple[str, int, bool, bool]) -> None:
    profile, columns, _, _ = profile_case
    long_name = "คุณสมชายผู้ใหญ่บ้านใจดีมีน้ำใจเป็นที่รักของทุกคนในหมู่บ้านเชียงใหม่"
    slip = sale_slip("th", member_name=long_name, store_name="Doi Chang " * 8)
    decoded = decode(build_bytes(slip, profile, columns), code_pages(profile))
    for line in decoded.lines:
        assert cells(line) <= columns, line
    if cp874_slot(profile) is not None:
        assert "".join(decoded.text.split()).count(long_name) == 1
        assert wrap(long_name, columns)[0] in decoded.lines


def test_python_escpos_alone_prints_question_marks() -> None:
    """The trap this package exists to avoid, kept visible."""
    p = dummy("TM-T88V")
    p.text("ไทย\n")
    assert p.output.endswith(b"???\n")


def test_thai_never_reaches_the_text_path_unencoded() -> None:
    p = dummy("TM-T88V")
    print_sale_slip(p, sale_slip("th"), 42)
    assert b"?" not in p.output.split(b"\x1dv0")[0]
    with pytest.raises(UnprintableText, match="Thai"):
        require_printable(p.profile, "แต้ม 120")
    require_printable(dummy("TM-P80").profile, "แต้ม 120")  # fine where CP874 exists


def test_profile_without_paper_width_keeps_stdout_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """python-escpos print()s a notice per image when the profile has no width."""
    data = build_bytes(sale_slip("th"), "simple", 42)
    assert b"\x1dv0" in data
    assert capsys.readouterr().out == ""
