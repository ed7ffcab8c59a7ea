"""A bar chart drawn by the server as SVG: nothing to load, readable in Thai."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from hq.backoffice.i18n import day, number, text

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 36, 40
ISSUED, REDEEMED = "#2e7d5b", "#c0572b"  # told apart by the legend and by shade


def _nice_top(value: int) -> int:
    """A round number at least ``value`` for the top of the axis."""
    if value <= 0:
        return 10
    step = int(10 ** (len(str(value)) - 1))
    for mult in (1, 2, 5, 10):
        if value <= mult * step:
            return mult * step
    return 10 * step


def points_flow(flow: list[tuple[date, int, int]], lang: str) -> str:
    """Issued vs redeemed per day, as inline SVG (a title and a description for
    screen readers; each bar's value in its own title)."""
    top = _nice_top(max([max(i, r) for _, i, r in flow] + [0]))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(1, len(flow))
    bar = max(1.0, slot * 0.38)
    issued_word, redeemed_word = text(lang, "issued"), text(lang, "redeemed")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="flow-title flow-desc" class="chart">',
        f'<title id="flow-title">{escape(text(lang, "flow"))}</title>',
        f'<desc id="flow-desc">{escape(text(lang, "flow_summary"))}</desc>',
    ]
    for k in range(5):  # grid lines and the axis' numbers
        value = top * k // 4
        y = TOP + inner_h - inner_h * k / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#d0d4d9" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#444">{number(value)}</text>'
        )
    for i, (when, issued, redeemed) in enumerate(flow):
        x = LEFT + i * slot + (slot - 2 * bar) / 2
        label = escape(day(lang, when))
        for offset, value, colour, word in (
            (0.0, issued, ISSUED, issued_word),
            (bar, redeemed, REDEEMED, redeemed_word),
        ):
            h = inner_h * value / top
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{TOP + inner_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{label}: {escape(word)} '
                f"{number(value)}</title></rect>"
            )
        if i % 5 == 0 or i == len(flow) - 1:
            parts.append(
                f'<text x="{x + bar:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11" fill="#444">{label}</text>'
            )
    for k, (colour, word) in enumerate(((ISSUED, issued_word), (REDEEMED, redeemed_word))):
        x = LEFT + k * 160
        parts.append(
            f'<rect x="{x}" y="10" width="14" height="14" fill="{colour}"/>'
            f'<text x="{x + 20}" y="22" font-size="13" fill="#222">{escape(word)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
