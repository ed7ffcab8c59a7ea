"""Receipts and coupons on ESC/POS printers, and their PNG previews.

Plain data in (``SaleSlip``, ``CouponSlip``, ``DaySummary``), bytes or a PNG
out. python-escpos is imported only when a slip is built or a printer opened.
"""

from printers.connect import Printer, PrintResult, open_printer
from printers.errors import PrinterError, PrinterUnavailable, ThaiFontMissing, UnprintableText
from printers.layout import (
    blocks_for,
    build_bytes,
    default_columns,
    print_coupon,
    print_day_summary,
    print_sale_slip,
    print_slip,
)
from printers.preview import render_image, render_png
from printers.slips import CouponSlip, DaySummary, SaleSlip, Slip, TestPage
from printers.status import PrinterStatus
from printers.target import Target, parse_url
from printers.thai import find_font, thai_code_page

__all__ = [
    "CouponSlip",
    "DaySummary",
    "PrintResult",
    "Printer",
    "PrinterError",
    "PrinterStatus",
    "PrinterUnavailable",
    "SaleSlip",
    "Slip",
    "Target",
    "TestPage",
    "ThaiFontMissing",
    "UnprintableText",
    "blocks_for",
    "build_bytes",
    "default_columns",
    "find_font",
    "open_printer",
    "parse_url",
    "print_coupon",
    "print_day_summary",
    "print_sale_slip",
    "print_slip",
    "render_image",
    "render_png",
    "thai_code_page",
]
