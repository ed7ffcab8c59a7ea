"""A corpus of hostile text: what a member name, a ref, a reason or a string from
head office may hold, to send through every place the till shows or prints text.

Each string carries what head office is expected to do with it in a pushed
member name (``hq``): ``"refused"`` (422) for control characters (C0, DEL, C1,
bidi overrides and isolates) and names over the 80-character limit,
``"accepted"`` for everything else, markup, bidi marks, separators, emoji and
Thai included: those are data, and the till shows them as text.

The till's CLI refuses any name that is not ``str.isprintable()`` (``cli`` is
``"refused"`` then); a string holding NUL cannot be an argument at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NAME_LIMIT = 80  # head office's and the ledger's limit on a member name
# What head office refuses in any text a terminal sends (sync/protocol.py).
HQ_REFUSES = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Hostile:
    label: str
    text: str

    @property
    def control(self) -> bool:
        """Holds a C0/C1 control character or DEL (what head office refuses)."""
        return any(unicodedata.category(ch) == "Cc" for ch in self.text)

    @property
    def hq(self) -> str:
        too_long = len(self.text) > NAME_LIMIT
        return "refused" if HQ_REFUSES.search(self.text) or too_long else "accepted"

    @property
    def cli(self) -> str:
        """What ``pos member enroll --name`` does with it (the ledger's own check)."""
        text = self.text.strip()
        ok = bool(text) and len(text) <= NAME_LIMIT and text.isprintable()
        return "accepted" if ok else "refused"

    @property
    def argv_ok(self) -> bool:
        """Can be a command-line argument (execve refuses NUL)."""
        return "\x00" not in self.text


H = Hostile
CORPUS: tuple[Hostile, ...] = (
    # -- Rich / Textual markup ------------------------------------------------
    H("close tag", "[/]"),
    H("click quit", "[@click=app.quit]Sale[/]"),
    H("click quit bare", "[@click=app.quit]x[/]"),
    H("unclosed bracket", "[bold"),
    H("bold", "[b]Somchai[/b]"),
    H("colour", "[red on white]Somchai[/red on white]"),
    H("link", "[link=https://evil.example/]click me[/link]"),
    H("click dismiss", "[@click=screen.dismiss('x')]x[/]"),
    H("click bell", "[@click=app.bell]ring[/]"),
    H("mismatched close", "Somchai[/bold]"),
    H("variable", "[$accent]Somchai[/]"),
    H("unclosed style", "[on red]Somchai"),
    H("brackets", "]]][[[ [] [[]] ["),
    H("escaped markup", "\\[b]not bold\\[/b]"),
    H("markup after text", "Somchai [i]"),
    # -- ANSI / CSI / OSC and printer commands ---------------------------------
    H("clear screen", "\x1b[2J\x1b[HSomchai"),
    H("colour sgr", "\x1b[31mred\x1b[0m"),
    H("osc title", "\x1b]0;owned\x07Somchai"),
    H("osc 8 link", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"),
    H("cursor up erase", "Somchai\x1b[1A\x1b[2K"),
    H("esc p drawer kick", "\x1bp\x00\x19\xfa"),
    H("esc p in a name", "Somchai \x1bp0\x19\xfa Jaidee"),
    H("esc @ init", "\x1b@Somchai"),
    H("esc d feed", "Somchai\x1bd\x09"),
    H("gs v cut", "Somchai\x1dV\x00"),
    H("dle eot", "\x10\x04\x01Somchai"),
    H("esc alone", "\x1b"),
    # -- C0 / C1 / DEL ----------------------------------------------------------
    H("c1 csi", "\x9b2JSomchai"),
    H("c1 nel", "Som\x85chai"),
    H("c1 dcs st", "\x90q#0;2;0;0;0\x9c"),
    H("all c1", "".join(chr(c) for c in range(0x80, 0xA0))),
    H("nul inside", "Som\x00chai"),
    H("bell", "Somchai\x07\x07"),
    H("fake line", "Somchai\n  tier Gold, 99999 points"),
    H("carriage return", "Somchai\rHACKED"),
    H("backspaces", "Somchai\x08\x08\x08\x08XXXX"),
    H("tab", "Som\tchai"),
    H("del", "Somchai\x7f"),
    # -- bidi and separators ------------------------------------------------------
    H("rtl override", "\u202eiahcmoS\u202c"),
    H("rtl in a ref", "INV-\u202e9999-01\u202c"),
    H("isolates", "\u2066\u2067Somchai\u2068\u2069"),
    H("bidi marks", "\u200fSomchai\u200e"),
    H("line separator", "Somchai\u2028Jaidee\u2029"),
    # -- long -----------------------------------------------------------------------
    H("10000 characters", "A" * 10_000),
    H("10000 thai", "ก" * 10_000),
    H("long word", "Supercalifragilistic" * 20),
    H("80 characters", "S" * 80),
    H("81 characters", "S" * 81),
    # -- emoji ----------------------------------------------------------------------
    H("emoji", "Somchai 😀"),
    H("zwj family", "👨\u200d👩\u200d👧\u200d👦"),
    H("rainbow flag", "🏳\ufe0f\u200d🌈"),
    H("flag", "🇹🇭"),
    H("skin tone", "👍🏽"),
    # -- Thai and combining marks ----------------------------------------------------
    H("thai", "คุณสมชาย ใจดี"),
    H("thai stacked marks", "ก้้้้้้้้้้้"),
    H("thai grandparents", "ปู่ย่าตายาย"),
    H("zalgo", "Z\u0337\u0322\u0353\u0343a\u0336\u0354\u0343l\u0335\u0330\u0308g\u0338"),
    H("combining acute", "Rene\u0301e"),
    H("leading mark", "\u0301\u0301Somchai"),
    # -- format strings, SQL, markup of other kinds ----------------------------------
    H("format index", "{0}"),
    H("format field", "{who} {balance}"),
    H("format attribute", "{0.__class__}"),
    H("printf", "%s%s%s%n%d"),
    H("sql", "Robert'); DROP TABLE members;--"),
    H("sql or", "' OR '1'='1"),
    H("html", "<script>alert(1)</script>"),
    H("literal escape text", "\\x1b[2J"),
    # -- other unusual characters ------------------------------------------------------
    H("nbsp", "Som\u00a0chai"),
    H("zero width space", "Som\u200bchai"),
    H("bom", "\ufeffSomchai"),
    H("cjk", "王小明"),
    H("arabic", "محمد"),
)

# Each string once: a duplicate would hide a missing case.
assert len({h.text for h in CORPUS}) == len(CORPUS)
assert len({h.label for h in CORPUS}) == len(CORPUS)
