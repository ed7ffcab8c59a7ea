"""The words printed on slips, in Thai and English, and how numbers and dates look."""

from __future__ import annotations

from datetime import date, datetime

from printers.slips import Language

# key: (Thai, English)
LABELS: dict[str, tuple[str, str]] = {
    "sale_title": ("ใบสะสมแต้ม", "Points receipt"),
    "date": ("วันที่", "Date"),
    "terminal": ("เครื่อง", "Terminal"),
    "cashier": ("พนักงาน", "Cashier"),
    "member": ("สมาชิก", "Member"),
    "sale_ref": ("เลขที่บิล", "Sale ref"),
    "amount": ("ยอดซื้อ", "Amount"),
    "points_earned": ("แต้มที่ได้รับ", "Points earned"),
    "redeem_title": ("ใบแลกแต้ม", "Points redeemed"),
    "ref": ("เลขที่อ้างอิง", "Ref"),
    "points_redeemed": ("แต้มที่แลก", "Points redeemed"),
    "balance": ("แต้มคงเหลือ", "Balance"),
    "tier": ("ระดับสมาชิก", "Tier"),
    "expiry": ("แต้ม {points} จะหมดอายุ {date}", "{points} pts expire on {date}"),
    "scan_member": ("สแกนเพื่อดูแต้มของคุณ", "Scan to see your points"),
    "thanks": ("ขอบคุณที่ใช้บริการ", "Thank you"),
    "test_title": ("ทดสอบเครื่องพิมพ์", "PRINTER TEST"),
    "profile": ("รุ่น", "Profile"),
    "columns": ("ตัวอักษรต่อบรรทัด", "Columns"),
    "code_pages": ("โค้ดเพจ", "Code pages"),
    "thai_sample": ("ภาษาไทย: สวัสดีครับ ทดสอบ ๑๒๓", "Thai: สวัสดีครับ ทดสอบ ๑๒๓"),
    "qr_sample": ("สแกน QR ต้องได้ข้อความด้านล่าง", "The QR must scan to the line below"),
    "copy": ("*** สำเนา COPY ***", "*** COPY สำเนา ***"),
    "coupon_title": ("คูปอง", "COUPON"),
    "code": ("รหัสคูปอง", "Coupon code"),
    "valid_until": ("ใช้ได้ถึง", "Valid until"),
    "terms": ("เงื่อนไข", "Terms"),
    "summary_title": ("สรุปประจำวัน", "Day summary"),
    "kind": ("รายการ", "Kind"),
    "count": ("จำนวน", "Count"),
    "points": ("แต้ม", "Points"),
    "by_cashier": ("แยกตามพนักงาน", "By cashier"),
    "total": ("รวม", "Total"),
    "nothing": ("ไม่มีรายการ", "No entries"),
    "close_title": ("ปิดยอดประจำวัน", "Day close"),
    "printed_at": ("พิมพ์เมื่อ", "Printed"),
    "sales": ("จำนวนบิลขาย", "Sales"),
    "sales_reversed": ("บิลขายที่ยกเลิก", "Sales reversed"),
    "net_sales": ("ยอดขายสุทธิ", "Net sales"),
    "enrolled": ("สมาชิกใหม่", "New members"),
    "no_cashier": ("ไม่ระบุพนักงาน", "No cashier"),
    "kind.earn": ("สะสมแต้ม", "Earn"),
    "kind.redeem": ("แลกแต้ม", "Redeem"),
    "kind.reverse": ("ยกเลิก", "Reverse"),
    "kind.adjust": ("ปรับแต้ม", "Adjust"),
    "kind.expire": ("หมดอายุ", "Expire"),
    "kind.enroll": ("สมัครสมาชิก", "Enroll"),
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
              "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")  # fmt: skip
BUDDHIST_ERA_OFFSET = 543  # 2026 CE is 2569 BE
_ZERO_DECIMALS = frozenset({"JPY", "KRW", "VND", "IDR", "CLP", "ISK"})


def label(key: str, language: Language) -> str:
    th, en = LABELS[key]
    return th if language == "th" else en


def kind_label(kind: str, language: Language) -> str:
    key = f"kind.{kind}"
    return label(key, language) if key in LABELS else kind


def day_text(day: date, language: Language, buddhist_era: bool = True) -> str:
    """``15 Jan 2026`` / ``15 ม.ค. 2569`` (Buddhist era unless ``buddhist_era``
    is false): the screens' format (``pos.times``), so paper and screen agree."""
    if language == "th":
        era = BUDDHIST_ERA_OFFSET if buddhist_era else 0
        return f"{day.day} {_MONTHS_TH[day.month - 1]} {day.year + era}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def time_text(moment: datetime, language: Language, buddhist_era: bool = True) -> str:
    day = day_text(moment.date(), language, buddhist_era)
    return f"{day} {moment.hour:02d}:{moment.minute:02d}"


def points_text(points: int, signed: bool = False) -> str:
    return f"{points:+,}" if signed else f"{points:,}"


def money_text(amount_minor: int, currency: str, language: Language) -> str:
    """Integer minor units to '1,250.00 บาท' (th, THB) or 'THB 1,250.00'."""
    code = currency.upper()
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(amount_minor), 100)
    number = f"{abs(amount_minor):,}" if code in _ZERO_DECIMALS else f"{whole:,}.{cents:02d}"
    if language == "th" and code == "THB":
        return f"{sign}{number} บาท"
    return f"{code} {sign}{number}"
