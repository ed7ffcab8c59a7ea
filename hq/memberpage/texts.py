"""The member page's words in Thai and English, and how it writes numbers and dates."""

from __future__ import annotations

from datetime import datetime
from html import escape

LANGUAGES = ("th", "en")
DEFAULT = "th"

_TEXTS: dict[str, dict[str, str]] = {
    "title": {"th": "แต้มสะสมของฉัน", "en": "My points"},
    "switch": {"th": "English", "en": "ภาษาไทย"},
    "phone": {"th": "เบอร์โทร", "en": "Phone"},
    "balance": {"th": "แต้มคงเหลือ", "en": "Points balance"},
    "points": {"th": "แต้ม", "en": "points"},
    "tier": {"th": "ระดับสมาชิก", "en": "Tier"},
    "to_next": {
        "th": "ใช้จ่ายอีก {amount} {currency} ภายใน 12 เดือน เพื่อเป็น {tier}",
        "en": "Spend {amount} {currency} more within 12 months to reach {tier}",
    },
    "top_tier": {"th": "ระดับสูงสุดแล้ว", "en": "You are at the top tier"},
    "spend_12m": {
        "th": "ยอดใช้จ่าย 12 เดือน: {amount} {currency}",
        "en": "Spent in the last 12 months: {amount} {currency}",
    },
    "expiring": {
        "th": "{points} แต้มจะหมดอายุวันที่ {day}",
        "en": "{points} points expire on {day}",
    },
    "no_expiry": {"th": "ไม่มีแต้มที่จะหมดอายุ", "en": "No points due to expire"},
    "coupons": {"th": "คูปองที่ยังไม่ได้ใช้", "en": "Unused coupons"},
    "no_coupons": {"th": "ไม่มีคูปอง", "en": "No coupons"},
    "valid_until": {"th": "ใช้ได้ถึง {day}", "en": "Valid until {day}"},
    "show_code": {
        "th": "แสดงรหัสหรือ QR นี้ที่เคาน์เตอร์",
        "en": "Show this code or QR at the counter",
    },
    "visits": {"th": "การใช้บริการล่าสุด", "en": "Last visits"},
    "no_visits": {"th": "ยังไม่มีการใช้บริการ", "en": "No visits yet"},
    "earn": {"th": "สะสม", "en": "Earned"},
    "redeem": {"th": "แลก", "en": "Redeemed"},
    "updated": {
        "th": "ข้อมูลจากสาขาล่าสุดเมื่อ {time}",
        "en": "Last updated from the shops: {time}",
    },
    "note": {
        "th": "แต้มที่เพิ่งได้รับอาจยังไม่แสดงจนกว่าสาขาจะซิงค์ข้อมูล",
        "en": "Points from a recent visit show once the shop has synced.",
    },
    "not_found_title": {"th": "ไม่พบหน้านี้", "en": "Page not found"},
    "not_found": {
        "th": "ลิงก์นี้ใช้ไม่ได้ ลองสแกน QR จากใบเสร็จล่าสุดของคุณ",
        "en": "This link does not work. Try the QR on your latest receipt.",
    },
    "refused_title": {"th": "ลองใหม่ภายหลัง", "en": "Please try again later"},
    "refused": {
        "th": "มีการเปิดหน้านี้บ่อยเกินไป ลองใหม่ในอีก {minutes} นาที",
        "en": "Too many requests: try again in {minutes} minute(s).",
    },
}

_MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
              "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")  # fmt: skip
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


def text(lang: str, key: str, **values: object) -> str:
    template = _TEXTS[key][lang if lang in LANGUAGES else DEFAULT]
    return template.format(**values) if values else template


def choose(asked: str, accept_language: str) -> str:
    """``?lang=`` when it names a language of the page, else the browser's first
    choice of Thai or English by its q-values, else Thai."""
    if asked in LANGUAGES:
        return asked
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and q > 0:
            ranked.append((-q, position, base))
    return sorted(ranked)[0][2] if ranked else DEFAULT


def number(value: int) -> str:
    return f"{value:,}"


def money(minor: int) -> str:
    whole, cents = divmod(abs(minor), 100)
    sign = "-" if minor < 0 else ""
    return f"{sign}{whole:,}" + (f".{cents:02d}" if cents else "")


def day(lang: str, moment: datetime) -> str:
    if lang == "th":  # the Buddhist era, as Thai slips count years
        return f"{moment.day} {_MONTHS_TH[moment.month - 1]} {moment.year + 543}"
    return f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"


def moment(lang: str, when: datetime) -> str:
    return f"{day(lang, when)} {when:%H:%M}"


def escape_attr(value: str) -> str:
    return escape(value, quote=True)
