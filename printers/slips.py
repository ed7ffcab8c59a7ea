"""What a slip says, as plain frozen values built by the ledger side.

Nothing here knows about printers, SQLite or the app: the layout turns these
into printable blocks, and the same values drive the paper and the preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Language = Literal["th", "en"]
LANGUAGES: tuple[Language, ...] = ("th", "en")


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be 'th' or 'en', not {language!r}")


@dataclass(frozen=True, slots=True)
class SaleSlip:
    store_name: str
    branch: str
    created_at: datetime  # aware, in the store's time zone
    terminal_id: str
    cashier: str | None
    masked_phone: str  # '08x-xxx-5678'
    member_name: str | None
    sale_ref: str
    amount_minor: int
    currency: str
    points: int
    rules: tuple[str, ...]  # 'Base 1 pt / 25.00', 'Silver x1.25'
    balance: int
    tier: str
    next_expiry_points: int | None
    next_expiry_date: date | None
    member_url: str | None
    language: Language
    copy: bool = False
    buddhist_era: bool = True  # Thai years (locale.buddhist_era)

    def __post_init__(self) -> None:
        _check_language(self.language)
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be an aware datetime")


@dataclass(frozen=True, slots=True)
class CouponSlip:
    store_name: str
    reward_name_th: str
    reward_name_en: str
    value_text: str
    code: str  # display form 'K7QM-2XPA'
    payload: str  # the signed QR content, scanned back exactly
    valid_until: date
    terms: str
    language: Language
    copy: bool = False
    buddhist_era: bool = True  # Thai years (locale.buddhist_era)

    def __post_init__(self) -> None:
        _check_language(self.language)
        if not self.payload:
            raise ValueError("a coupon needs a QR payload")


@dataclass(frozen=True, slots=True)
class DaySummary:
    store_name: str
    terminal_id: str
    day: date
    kinds: tuple[tuple[str, int, int], ...]  # (kind, count, points)
    cashiers: tuple[tuple[str, str, int, int], ...]  # (cashier, kind, count, points)
    language: Language
    # The end-of-day close (Z report) adds money and people; without a
    # currency the slip is the plain points summary.
    currency: str | None = None
    sales: int = 0
    sales_reversed: int = 0
    amount_minor: int = 0  # net of the sales reversed that day
    enrolled: int = 0
    staff: tuple[tuple[str, int, int, int], ...] = ()  # (cashier, sales, amount_minor, points)
    printed_at: datetime | None = None  # aware, in the shop's zone
    buddhist_era: bool = True  # Thai years (locale.buddhist_era)

    def __post_init__(self) -> None:
        _check_language(self.language)
        if self.printed_at is not None and self.printed_at.tzinfo is None:
            raise ValueError("printed_at must be an aware datetime")


@dataclass(frozen=True, slots=True)
class TestPage:
    """``pos print test``: the profile, its code pages, a Thai line and a QR."""

    __test__ = False  # not a pytest class, despite the name

    store_name: str
    profile: str
    code_pages: tuple[str, ...]
    columns: int
    qr_payload: str
    language: Language

    def __post_init__(self) -> None:
        _check_language(self.language)


Slip = SaleSlip | CouponSlip | DaySummary | TestPage
