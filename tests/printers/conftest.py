"""Sample slips and the printer profiles the printing tests run against.

Profile families (checked against python-escpos's capabilities in
test_profiles_are_what_the_tests_assume):

- Thai code page CP874 and native QR: TM-P80 (80 mm), Sunmi-V2 (58 mm)
- CP874 without native QR: TH230
- no Thai code page, native QR: TM-T88V, TM-T20II
- no Thai code page, no native QR: POS-5890 (58 mm)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from printers import CouponSlip, DaySummary, SaleSlip

BANGKOK = timezone(timedelta(hours=7))

# (profile, columns, has CP874, native QR)
PROFILES = [
    ("TM-P80", 42, True, True),
    ("Sunmi-V2", 32, True, True),
    ("TH230", 48, True, False),
    ("TM-T88V", 42, False, True),
    ("TM-T20II", 48, False, True),
    ("POS-5890", 32, False, False),
]
PROFILE_IDS = [f"{name}-{cols}" for name, cols, _, _ in PROFILES]

MEMBER_URL = "https://loyalty.example/m/0192a7c4-5b2e-7c3d-9e1f-123456789abc?src=slip"
COUPON_PAYLOAD = "LP1.K7QM2XPA.20260630.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"


def sale_slip(language: str = "th", **changes: object) -> SaleSlip:
    values: dict[str, object] = {
        "store_name": "ร้านกาแฟดอยช้าง" if language == "th" else "Doi Chang Coffee",
        "branch": "สาขาสีลม" if language == "th" else "Silom branch",
        "created_at": datetime(2026, 1, 15, 10, 3, tzinfo=BANGKOK),
        "terminal_id": "T1",
        "cashier": "cash1",
        "masked_phone": "08x-xxx-5678",
        "member_name": "คุณสมชาย ใจดี" if language == "th" else "Somchai J.",
        "sale_ref": "S-000123",
        "amount_minor": 125_050,
        "currency": "THB",
        "points": 62,
        "rules": ("Base 1 pt / 25.00", "Silver x1.25"),
        "balance": 1234,
        "tier": "Silver",
        "next_expiry_points": 120,
        "next_expiry_date": date(2026, 6, 30),
        "member_url": MEMBER_URL,
        "language": language,
        "copy": False,
    }
    values.update(changes)
    return SaleSlip(**values)  # type: ignore[arg-type]


def coupon_slip(language: str = "th", **changes: object) -> CouponSlip:
    values: dict[str, object] = {
        "store_name": "ร้านกาแฟดอยช้าง" if language == "th" else "Doi Chang Coffee",
        "reward_name_th": "กาแฟเย็นฟรี 1 แก้ว",
        "reward_name_en": "Free iced coffee",
        "value_text": "มูลค่า 65 บาท" if language == "th" else "Worth THB 65",
        "code": "K7QM-2XPA",
        "payload": COUPON_PAYLOAD,
        "valid_until": date(2026, 6, 30),
        "terms": (
            "ใช้ได้ครั้งเดียว ไม่สามารถแลกเปลี่ยนเป็นเงินสดได้"
            if language == "th"
            else "One use only. Not exchangeable for cash."
        ),
        "language": language,
        "copy": False,
    }
    values.update(changes)
    return CouponSlip(**values)  # type: ignore[arg-type]


def day_summary(language: str = "th") -> DaySummary:
    return DaySummary(
        store_name="Doi Chang Coffee",
        terminal_id="T1",
        day=date(2026, 1, 15),
        kinds=(("earn", 42, 2610), ("redeem", 3, -450), ("reverse", 1, -12)),
        cashiers=(
            ("cash1", "earn", 30, 1900),
            ("cash1", "redeem", 3, -450),
            ("cash2", "earn", 12, 710),
            ("cash2", "reverse", 1, -12),
        ),
        language=language,  # type: ignore[arg-type]
    )


@pytest.fixture(params=PROFILES, ids=PROFILE_IDS)
def profile_case(request: pytest.FixtureRequest) -> tuple[str, int, bool, bool]:
    case: tuple[str, int, bool, bool] = request.param
    return case
