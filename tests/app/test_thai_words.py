"""No English left on a Thai screen (issue 11 item 7): every Thai snapshot is
read back as the text a cashier sees, and every Latin word on it must be on a
short allow-list of what is not English but a code, a key or a unit.

The snapshots are SVGs (pytest-textual-snapshot). Textual draws each run of
one style as a ``<text>`` element, with spaces as ``&#160;``; a line is put
back together from its runs in x order, so a word split between two styles
is read whole, and a gap between runs reads as a space.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

from textual.command import CommandPalette

from config import Settings
from ledger.service import Ledger
from pos.app import make_app
from pos.i18n import Translator
from tests.app.conftest import login, screen_text, until
from tests.conftest import FakeClock

SNAPSHOTS = Path(__file__).parent / "__snapshots__"

# Tokens of letters, digits, - and _ (ids are such runs: BILL-001, K7QM-2XPA).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')

# What may stay in Latin letters on a Thai screen, each with why. Never a
# word: a token with a digit in it (F1, S1/T1, cash1, PCT10, BILL-001,
# 08x-xxx-5678) is an id, a code, a key or a number; one capital letter (Y, N,
# C, V, K, the L of Ctrl+L) is a key as its cap says.
ALLOWED = {
    # Keys named as the key caps print them: the cashier presses what they read.
    "Enter": "key cap",
    "Esc": "key cap",
    "Ctrl": "key cap",
    "PgUp": "key cap",
    "PgDn": "key cap",
    # The F5 key's label names the language it switches to, in that language.
    "English": "F5 / the palette: the other language, named in itself",
    # Codes and names the cashier reads off or types in as they are.
    "PIN": "Thai says PIN too (รหัส PIN); the keypad's word",
    "COFFEE": "a reward's catalog code (Reward.id, config), shown beside its Thai name",
    "preview": "the printer address typed in setup (printer.url = preview); a value, not a word",
    "Loyalty": "the product's name, Loyalty POS (the quit dialog names it)",
    "POS": "the product's name, Loyalty POS",
}


def screen_lines(svg: str) -> list[str]:
    """The text of a snapshot, one string per terminal line."""
    runs: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for attrs_text, body in _TEXT.findall(svg):
        attrs = dict(_ATTR.findall(attrs_text))
        if "terminal-title" in attrs.get("class", ""):
            continue  # the SVG's window title, not something the terminal shows
        line = attrs.get("clip-path") or attrs.get("y", "")
        x = float(attrs.get("x", 0))
        width = float(attrs.get("textLength", 0))
        runs[line].append((x, width, html.unescape(body).replace("\xa0", " ")))
    lines = []
    for _, parts in sorted(runs.items(), key=lambda item: _line_number(item[0])):
        text, end = "", None
        for x, width, body in sorted(parts):
            if end is not None and x > end + 1:
                text += " "  # a gap between runs is blank cells
            text += body
            end = x + width
        lines.append(text)
    return lines


def _line_number(key: str) -> float:
    found = re.search(r"line-(\d+)", key)
    return float(found.group(1)) if found else float(key or 0)


def english_words(lines: list[str]) -> list[str]:
    """Latin-letter words not allowed, each with the line it is on."""
    found = []
    for line in lines:
        for token in _TOKEN.findall(line):
            if any(ch.isdigit() for ch in token) or token in ALLOWED or _key_cap(token):
                continue
            found.append(f"{token!r} in: {line.strip()}")
    return found


def _key_cap(token: str) -> bool:
    return len(token) == 1 and token.isupper()


def thai_snapshots() -> list[Path]:
    return sorted(
        path
        for path in SNAPSHOTS.rglob("*.svg")
        if re.search(r"[\[\-]th[\]\-]", path.name)  # test_screen[card-th-80x24], help[th]
    )


def test_the_scanner_reads_a_line_back_across_runs_and_escapes() -> None:
    def run(x: float, width: float, line: int, body: str) -> str:
        return (
            f'<text class="r1" x="{x}" y="{20 + line * 24}" textLength="{width}" '
            f'clip-path="url(#terminal-line-{line})">{body}</text>'
        )

    svg = (
        '<text class="terminal-title" x="1" y="2">Loyalty&#160;POS</text>'
        + run(0, 24.4, 0, "Ca")  # one word in two styles
        + run(24.4, 36.6, 0, "sh&#160;")
        + run(97.6, 24.4, 0, "F5")  # after a gap of blank cells
        + run(0, 24.4, 1, "&amp;ok")
    )
    assert screen_lines(svg) == ["Cash  F5", "&ok"]
    assert english_words(screen_lines(svg)) == ["'Cash' in: Cash  F5", "'ok' in: &ok"]


def test_every_thai_snapshot_is_thai_but_for_codes_keys_and_units() -> None:
    paths = thai_snapshots()
    assert len(paths) >= 16, f"expected the Thai snapshots under {SNAPSHOTS}, found {paths}"
    problems = []
    for path in paths:
        words = english_words(screen_lines(path.read_text(encoding="utf-8")))
        problems += [f"{path.name}: {word}" for word in words]
    assert not problems, "English on a Thai screen:\n" + "\n".join(problems)


async def test_the_command_palette_is_thai_in_thai_mode(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    """Ctrl+P lists the till's own commands in the cashier's language (not
    Textual's English theme, screenshot and key-panel commands)."""
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await until(pilot, lambda: "หน้าหัวหน้า" in screen_text(app), what="the commands")
        text = screen_text(app)
        for key in ("palette.placeholder", "palette.language", "palette.help", "palette.quit"):
            assert Translator("th")(key) in text
        assert english_words(text.splitlines()) == []
        app.language = "en"  # what F5 does; the palette is asked again when opened
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: "Reverse, adjust, staff" in screen_text(app), what="English")
        assert "Theme" not in screen_text(app) and "Screenshot" not in screen_text(app)
