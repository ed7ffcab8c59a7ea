"""Columns and wrapping: Thai marks take no column, lines fit 32/42/48."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.blocks import Line, line_columns
from printers.layout import blocks_for
from printers.text import ZWSP, clusters, compose, width, wrap
from tests.printers.conftest import coupon_slip, day_summary, sale_slip


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("", 0),
        ("Points", 6),
        ("วันที่", 3),  # ว ั น ท ี ่: mai han-akat, sara ii and mai ek stack
        ("สำเนา", 5),  # sara am is a spacing vowel
        ("น้ำ", 2),  # mai tho over no nu, then sara am
        ("ผู้ใหญ่", 4),  # sara uu below, mai tho above, mai ek above
        ("ปี่", 1),
        ("กรุงเทพฯ", 7),
        ("เกร็ด", 4),  # maitaikhu U+0E47
        ("การันต์", 5),  # thanthakhat U+0E4C
        ("Cafe\u0301", 4),  # e + combining acute
        ("日本", 4),  # wide
        ("a\u200bb", 2),  # zero width space
        ("08x-xxx-5678", 12),
    ],
)
def test_width(text: str, columns: int) -> None:
    assert width(text) == columns


def test_every_thai_mark_is_zero_width() -> None:
    marks = [0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)]
    assert all(width("ก" + chr(m)) == 1 for m in marks)
    assert all(unicodedata.category(chr(m)) == "Mn" for m in marks)


def test_clusters_keep_marks_with_their_base() -> None:
    assert clusters("ที่นี่") == ["ที่", "นี่"]
    assert clusters("น้ำ") == ["น้", "ำ"]


@pytest.mark.parametrize(
    ("text", "columns", "lines"),
    [
        ("Base 1 pt / 25.00", 32, ["Base 1 pt / 25.00"]),
        ("one two three", 7, ["one two", "three"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("ที่นี่ที่นี่", 2, ["ที่นี่", "ที่นี่"]),  # 2 columns each: marks never start a line
        ("ใช้ได้\u200bครั้งเดียว", 7, ["ใช้ได้", "ครั้งเดียว"]),  # break at ZWSP, dropped
        ("ใช้ได้\u200bครั้ง", 20, ["ใช้ได้ครั้ง"]),
        ("a\nb\tc", 10, ["a b c"]),  # control characters never reach the printer
        ("", 10, [""]),
    ],
)
def test_wrap(text: str, columns: int, lines: list[str]) -> None:
    assert wrap(text, columns) == lines


LONG_NAME = "คุณสมชายผู้ใหญ่บ้านใจดีมีน้ำใจเป็นที่รักของทุกคนในหมู่บ้านเชียงใหม่ Somchai Jaidee-Longname"


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_long_names_wrap_to_the_paper(columns: int) -> None:
    lines = wrap(LONG_NAME, columns)
    assert len(lines) > 1
    assert all(0 < width(line) <= columns for line in lines)
    assert "".join("".join(lines).split()) == "".join(LONG_NAME.split())
    assert all(unicodedata.category(line[0]) != "Mn" for line in lines)


@pytest.mark.parametrize("columns", [32, 42, 48])
@pytest.mark.parametrize(
    "slip",
    [
        sale_slip("th", member_name=LONG_NAME, store_name=LONG_NAME),
        sale_slip("en", member_name=LONG_NAME, rules=("Birthday bonus " * 6,)),
        coupon_slip("th", reward_name_th=LONG_NAME, terms=LONG_NAME * 2, copy=True),
        coupon_slip("en", value_text="A very long value text that cannot be big"),
        day_summary("th"),
    ],
    ids=["sale-th", "sale-en", "coupon-th", "coupon-en", "summary"],
)
def test_every_layout_line_fits(slip: object, columns: int) -> None:
    for block in blocks_for(slip, columns):  # type: ignore[arg-type]
        if isinstance(block, Line):
            cols = line_columns(block, columns)
            assert width(compose(block.left, block.right, block.align, cols)) <= cols, block


thai_and_latin = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0E01, 0x0E3B)]
        + [chr(c) for c in range(0x0E40, 0x0E4F)]
        + list("abcXYZ0189-/. ")
        + [ZWSP]
    ),
    max_size=120,
)


@given(text=thai_and_latin, columns=st.sampled_from([1, 5, 32, 42, 48]))
def test_wrap_never_overflows_or_loses_text(text: str, columns: int) -> None:
    lines = wrap(text, columns)
    assert all(width(line) <= columns for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.replace(ZWSP, "").split())
    for line in lines[1:]:
        # a line starts with a mark only if the word itself started with one
        if line and unicodedata.category(line[0]) == "Mn":
            assert any(word.startswith(line[0]) for word in text.replace(ZWSP, " ").split())
