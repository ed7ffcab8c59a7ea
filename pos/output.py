"""Human-readable text for the CLI, and the one place that makes text safe to
write to a terminal (``visible``, ``json_text``): names, refs and notices come
from cashiers and head office, and a terminal acts on some characters instead of
showing them (ESC starts ANSI sequences that clear the screen or set the window
title; U+009B is CSI too; U+202E reverses what follows)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Protocol

# Bidi controls (embeddings, overrides, isolates, marks): they reorder the text
# around them, so a name could make a line read differently from what it holds.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Cc: C0, DEL and C1 controls. Cs: lone surrogates (JSON can carry them; stdout
# cannot encode them). Zl, Zp: line and paragraph separators, a newline to some.
_UNSAFE_CATEGORIES = frozenset(("Cc", "Cs", "Zl", "Zp"))


def is_unsafe(ch: str) -> bool:
    """A character a terminal (or a screen, or a printer) may act on instead of showing."""
    return ch in _BIDI or unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with each unsafe character shown as its escape (ESC as ``\\x1b``,
    U+202E as ``\\u202e``): what it holds stays readable, nothing acts."""
    if text.isprintable():  # the usual case: no control, format or separator character
        return text
    return "".join(_escape(ch) if is_unsafe(ch) else ch for ch in text)


def json_text(body: Any) -> str:
    """``body`` as one line of JSON with every unsafe character as a ``\\u`` escape:
    the same value to a JSON reader, nothing a terminal acts on."""
    text = json.dumps(body, ensure_ascii=False, default=str)
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(ch):04x}" if is_unsafe(ch) else ch for ch in text)


class Dates(Protocol):
    """How a journal moment reads (``pos.times.Dates``): the shop's zone, one format."""

    def time(self, moment: str) -> str: ...

    def date(self, moment: str) -> str: ...


def member_lines(body: dict[str, Any], masked: str, dates: Dates) -> list[str]:
    lines = [
        f"{body.get('name') or '(no name)'}  {masked}",
        f"  tier {body['tier']}, {body['balance']} points, spent {body['spend_12m']} "
        "in the last 12 months",
    ]
    if body.get("next_tier"):
        lines.append(f"  {body['spend_to_next_tier']} more to reach {body['next_tier']}")
    expiry = body.get("next_expiry")
    if expiry:
        lines.append(f"  {expiry['points']} points expire on {dates.date(expiry['expires_at'])}")
    if body.get("affordable_rewards"):
        lines.append(f"  can redeem: {', '.join(body['affordable_rewards'])}")
    return lines


def entry_line(body: dict[str, Any], dates: Dates) -> str:
    parts = [
        dates.time(body["created_at"]),
        f"{body['kind']:<8}",
        f"{body['points']:+7d}",
        f"balance {body['balance']}",
    ]
    if body.get("ref"):
        parts.append(f"ref {body['ref']}")
    if body.get("amount"):
        parts.append(f"{body['amount']} {body.get('currency') or ''}".strip())
    if body.get("reason"):
        parts.append(f"({body['reason']})")
    text = "  ".join(parts) + f"  [{body['entry_id']}]"
    return text + ("  (already recorded)" if body.get("duplicate") else "")


def coupon_lines(body: dict[str, Any], dates: Dates) -> list[str]:
    code = body["code"]
    shown = f"{code[:4]}-{code[4:]}" if len(code) == 8 else code
    lines = [f"coupon {shown}: {body['status']}"]
    if body.get("reward_id"):
        lines.append(f"  reward {body['reward_id']}, valid until {dates.date(body['expires_at'])}")
    if body.get("payload"):
        lines.append(f"  payload {body['payload']}")
    return lines
