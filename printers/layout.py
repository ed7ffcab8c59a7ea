"""Slip layouts: a slip value -> printable blocks -> any ``escpos.Escpos``.

``sale_blocks``/``coupon_blocks``/``summary_blocks`` decide what goes where,
wrapped to the paper (32 columns on 58 mm, 42 or 48 on 80 mm). The
``print_*`` functions draw those blocks on a printer object; the preview
renders the very same blocks to a PNG.
"""

from __future__ import annotations

from os import PathLike
from typing import Any

from printers import _escpos
from printers.blocks import Align, Block, Cut, Feed, Line, Qr
from printers.device import emit
from printers.labels import (
    day_text,
    kind_label,
    label,
    money_text,
    points_text,
    time_text,
)
from printers.slips import CouponSlip, DaySummary, Language, SaleSlip, Slip, TestPage
from printers.text import clean, clusters, width, wrap

MIN_COLUMNS = 24
FontPath = str | PathLike[str] | None


class _Sheet:
    """Builds the block list for one slip at a given width."""

    def __init__(self, columns: int, language: Language) -> None:
        if columns < MIN_COLUMNS:
            raise ValueError(f"a slip needs at least {MIN_COLUMNS} columns, not {columns}")
        self.columns = columns
        self.language = language
        self.blocks: list[Block] = []

    def t(self, key: str) -> str:
        return label(key, self.language)

    def para(
        self,
        text: str,
        *,
        align: Align = "left",
        bold: bool = False,
        indent: int = 0,
        max_lines: int | None = None,
    ) -> None:
        pieces = wrap(text, self.columns - indent)
        if max_lines is not None and len(pieces) > max_lines:
            pieces = pieces[:max_lines]
            pieces[-1] = _ellipsis(pieces[-1], self.columns - indent)
        for piece in pieces:
            self.blocks.append(Line(" " * indent + piece, align=align, bold=bold))

    def title(self, text: str, *, big: bool = False) -> None:
        """Centred bold; double size when it fits on one line."""
        if big and width(clean(text)) <= self.columns // 2:
            self.blocks.append(Line(clean(text), align="center", bold=True, big=True))
        else:
            self.para(text, align="center", bold=True)

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        """``left`` at the left edge and ``right`` at the right edge, wrapping as needed."""
        left, right = clean(left), clean(right)
        cols = self.columns
        if width(left) + 1 + width(right) <= cols:
            self.blocks.append(Line(left, right, bold=bold))
        elif width(right) <= cols // 2:
            first, *rest = wrap(left, cols - width(right) - 1)
            self.blocks.append(Line(first, right, bold=bold))
            self.blocks += [Line(piece, bold=bold) for piece in rest]
        else:
            self.para(left, bold=bold)
            for piece in wrap(right, cols):
                self.blocks.append(Line(piece, align="right", bold=bold))

    def rule(self, char: str = "-") -> None:
        self.blocks.append(Line(char * self.columns))

    def copy_mark(self) -> None:
        self.title(self.t("copy"))

    def end(self) -> list[Block]:
        self.blocks.append(Cut())
        return self.blocks


def _ellipsis(line: str, columns: int) -> str:
    """``line`` shortened to end in "..." (ASCII: every code page has it)."""
    pieces = clusters(line)
    while pieces and width("".join(pieces)) + 3 > columns:
        pieces.pop()
    return "".join(pieces).rstrip() + "..."


def sale_blocks(slip: SaleSlip, columns: int) -> list[Block]:
    s = _Sheet(columns, slip.language)
    s.title(slip.store_name)
    if slip.branch:
        s.para(slip.branch, align="center")
    # Points redeemed by number print on this layout too, with their own words.
    redeemed = slip.points < 0
    s.para(s.t("redeem_title" if redeemed else "sale_title"), align="center")
    if slip.copy:
        s.copy_mark()
    s.rule()
    s.pair(s.t("date"), time_text(slip.created_at, slip.language, slip.buddhist_era))
    s.pair(s.t("terminal"), slip.terminal_id)
    if slip.cashier:
        s.pair(s.t("cashier"), slip.cashier)
    s.pair(s.t("member"), slip.masked_phone)
    if slip.member_name:
        # Names are at most 80 characters; one from an old head office may be
        # any length: two lines of it identify the member.
        s.para(slip.member_name, align="right", max_lines=2)
    s.pair(s.t("ref" if redeemed else "sale_ref"), slip.sale_ref)
    if not redeemed:
        s.pair(s.t("amount"), money_text(slip.amount_minor, slip.currency, slip.language))
    s.rule()
    points_label = s.t("points_redeemed" if redeemed else "points_earned")
    s.pair(points_label, points_text(slip.points, signed=True), bold=True)
    for rule in slip.rules:
        s.para(rule, indent=2)
    s.pair(s.t("balance"), points_text(slip.balance), bold=True)
    s.pair(s.t("tier"), slip.tier)
    if slip.next_expiry_points and slip.next_expiry_date:
        s.para(
            s.t("expiry").format(
                points=points_text(slip.next_expiry_points),
                date=day_text(slip.next_expiry_date, slip.language, slip.buddhist_era),
            )
        )
    s.rule()
    if slip.member_url:
        s.blocks.append(Qr(slip.member_url))
        s.para(s.t("scan_member"), align="center")
    s.para(s.t("thanks"), align="center")
    if slip.copy:
        s.copy_mark()
    return s.end()


def coupon_blocks(slip: CouponSlip, columns: int) -> list[Block]:
    s = _Sheet(columns, slip.language)
    s.title(slip.store_name)
    if slip.copy:
        s.copy_mark()
    s.rule("=")
    s.title(s.t("coupon_title"), big=True)
    first, second = (
        (slip.reward_name_th, slip.reward_name_en)
        if slip.language == "th"
        else (slip.reward_name_en, slip.reward_name_th)
    )
    s.para(first, align="center", bold=True)
    if second and second != first:
        s.para(second, align="center")
    s.title(slip.value_text, big=True)
    s.blocks.append(Feed())
    s.para(s.t("code"), align="center")
    s.title(slip.code, big=True)
    s.blocks.append(Qr(slip.payload))
    s.pair(
        s.t("valid_until"), day_text(slip.valid_until, slip.language, slip.buddhist_era), bold=True
    )
    if slip.terms:
        s.rule()
        s.para(s.t("terms"), bold=True)
        s.para(slip.terms)
    if slip.copy:
        s.rule()
        s.copy_mark()
    return s.end()


def summary_blocks(summary: DaySummary, columns: int) -> list[Block]:
    """The day's points per kind and per cashier; with a currency, the
    end-of-day close (Z report): sales and money, new members, and each
    cashier's sales, money and points."""
    s = _Sheet(columns, summary.language)
    lang = summary.language
    z = summary.currency is not None
    s.title(summary.store_name)
    s.title(s.t("close_title" if z else "summary_title"), big=z)
    s.pair(s.t("terminal"), summary.terminal_id)
    s.pair(s.t("date"), day_text(summary.day, lang, summary.buddhist_era))
    if summary.printed_at is not None:
        s.pair(s.t("printed_at"), time_text(summary.printed_at, lang, summary.buddhist_era))
    s.rule()
    if summary.currency is not None:
        _money_section(s, summary, summary.currency)
    counts = [f"{count:,}" for _, count, _ in summary.kinds]
    counts += [f"{count:,}" for _, _, count, _ in summary.cashiers]
    points = [points_text(p, signed=True) for _, _, p in summary.kinds]
    points += [points_text(p, signed=True) for _, _, _, p in summary.cashiers]
    total_count = sum(count for _, count, _ in summary.kinds)
    total_points = sum(p for _, _, p in summary.kinds)
    counts.append(f"{total_count:,}")
    points.append(points_text(total_points, signed=True))
    cw = max(width(x) for x in [s.t("count"), *counts])
    pw = max(width(x) for x in [s.t("points"), *points])

    def row(name: str, count: str, pts: str, *, bold: bool = False, indent: int = 0) -> None:
        cells = " " * (cw - width(count)) + count + "  " + " " * (pw - width(pts)) + pts
        s.pair(" " * indent + name, cells, bold=bold)

    row(s.t("kind"), s.t("count"), s.t("points"), bold=True)
    if not summary.kinds:
        s.para(s.t("nothing"))
    for kind, count, pts in summary.kinds:
        row(kind_label(kind, lang), f"{count:,}", points_text(pts, signed=True))
    s.rule()
    row(s.t("total"), f"{total_count:,}", points_text(total_points, signed=True), bold=True)
    if summary.staff:
        _staff_section(s, summary, summary.currency or "")
    elif summary.cashiers:
        s.blocks.append(Feed())
        s.title(s.t("by_cashier"))
        last = None
        for cashier, kind, count, pts in summary.cashiers:
            if cashier != last:
                s.para(cashier, bold=True)
                last = cashier
            row(kind_label(kind, lang), f"{count:,}", points_text(pts, signed=True), indent=2)
    return s.end()


def _money_section(s: _Sheet, summary: DaySummary, currency: str) -> None:
    lang = summary.language
    s.pair(s.t("sales"), f"{summary.sales:,}")
    s.pair(s.t("sales_reversed"), f"{summary.sales_reversed:,}")
    s.pair(s.t("net_sales"), money_text(summary.amount_minor, currency, lang), bold=True)
    s.pair(s.t("enrolled"), f"{summary.enrolled:,}")
    s.rule()


def _staff_section(s: _Sheet, summary: DaySummary, currency: str) -> None:
    """Per cashier: the name (wrapped, never cut), then sales and money, then points."""
    lang = summary.language
    s.blocks.append(Feed())
    s.title(s.t("by_cashier"))
    for cashier, sales, amount, pts in summary.staff:
        s.para(s.t("no_cashier") if cashier == "-" else cashier, bold=True)
        s.pair(f"  {s.t('sales')} {sales:,}", money_text(amount, currency, lang))
        s.pair(f"  {s.t('points')}", points_text(pts, signed=True))


def test_blocks(page: TestPage, columns: int) -> list[Block]:
    s = _Sheet(columns, page.language)
    s.title(page.store_name)
    s.title(s.t("test_title"), big=True)
    s.rule()
    s.pair(s.t("profile"), page.profile)
    s.pair(s.t("columns"), str(columns))
    s.para(f"{s.t('code_pages')}: {', '.join(page.code_pages) or '-'}")
    s.rule()
    s.para(s.t("thai_sample"))
    s.para("English: The quick brown fox 0123456789")
    s.rule()
    s.blocks.append(Qr(page.qr_payload))
    s.para(s.t("qr_sample"), align="center")
    s.para(page.qr_payload, align="center")
    return s.end()


def blocks_for(slip: Slip, columns: int) -> list[Block]:
    if isinstance(slip, SaleSlip):
        return sale_blocks(slip, columns)
    if isinstance(slip, CouponSlip):
        return coupon_blocks(slip, columns)
    if isinstance(slip, DaySummary):
        return summary_blocks(slip, columns)
    if isinstance(slip, TestPage):
        return test_blocks(slip, columns)
    raise TypeError(f"not a slip: {type(slip).__name__}")


def print_sale_slip(p: Any, slip: SaleSlip, columns: int, *, font_path: FontPath = None) -> None:
    """Print a sale slip on ``p``, any ``escpos.Escpos`` (a real printer or ``Dummy``)."""
    emit(p, sale_blocks(slip, columns), columns, font_path=font_path)


def print_coupon(p: Any, slip: CouponSlip, columns: int, *, font_path: FontPath = None) -> None:
    emit(p, coupon_blocks(slip, columns), columns, font_path=font_path)


def print_day_summary(
    p: Any, summary: DaySummary, columns: int, *, font_path: FontPath = None
) -> None:
    emit(p, summary_blocks(summary, columns), columns, font_path=font_path)


def print_slip(p: Any, slip: Slip, columns: int, *, font_path: FontPath = None) -> None:
    emit(p, blocks_for(slip, columns), columns, font_path=font_path)


def build_bytes(
    slip: Slip, profile: str | None, columns: int, *, font_path: FontPath = None
) -> bytes:
    """The ESC/POS bytes of ``slip`` for a python-escpos profile (via ``Dummy``)."""
    p = _escpos.dummy(profile)
    print_slip(p, slip, columns, font_path=font_path)
    data: bytes = p.output
    return data


def default_columns(paper_mm: int, profile: str | None) -> int:
    """Characters per line: 32 on 58 mm; on 80 mm 48 where the profile's font A
    has 48 columns (TM-T20II), else 42 (TM-T88V)."""
    if paper_mm <= 58:
        return 32
    try:
        font_a = int(_escpos.profile(profile).fonts["0"]["columns"])
    except (KeyError, TypeError, ValueError):
        font_a = 42
    return 48 if font_a >= 48 else 42
