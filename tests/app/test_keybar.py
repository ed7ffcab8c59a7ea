"""The key bar never cuts a key off: keys that do not fit on one line go on a
second one, each key with its word (a cashier at 80 columns sees F9 too)."""

from __future__ import annotations

from textual.content import Content

from pos.widgets.keybar import key_lines


def keys(*texts: str) -> list[Content]:
    return [Content(text) for text in texts]


def test_keys_that_fit_stay_on_one_line() -> None:
    lines = key_lines(keys("F2 Redeem", "Esc Back", "F5 ไทย"), 78)
    assert [line.plain for line in lines] == ["F2 Redeem  Esc Back  F5 ไทย"]


def test_a_key_that_would_pass_the_edge_starts_the_next_line_whole() -> None:
    card = keys("F2 Redeem", "F3 Sale ref", "F4 History", "F7 Name", "Esc Back",
                "Ctrl+Q Quit", "F5 ไทย", "F9 Supervisor")  # fmt: skip
    lines = [line.plain for line in key_lines(card, 78)]
    assert lines == [
        "F2 Redeem  F3 Sale ref  F4 History  F7 Name  Esc Back  Ctrl+Q Quit  F5 ไทย",
        "F9 Supervisor",
    ]
    assert all(len(line) <= 78 for line in lines)


def test_thai_words_are_measured_in_cells_not_characters() -> None:
    # "หัวหน้า" is 7 characters but 5 cells (two marks sit on their letters).
    lines = key_lines(keys("F5 English", "F9 หัวหน้า"), len("F5 English  F9 หัวหน้า") - 2)
    assert [line.plain for line in lines] == ["F5 English  F9 หัวหน้า"]
