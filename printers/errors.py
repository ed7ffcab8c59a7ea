"""One exception family for everything printing refuses.

Each error carries a stable ``code`` (for logs and JSON) and a ``message`` a
cashier can act on; the app shows the message as it is.
"""

from __future__ import annotations


class PrinterError(Exception):
    code = "printer_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PrinterUnavailable(PrinterError):
    """The printer cannot take the slip now; the job stays queued for a retry."""

    code = "printer_unavailable"


THAI_FONT_HINT = (
    "Thai text needs a Thai font: install the Debian package fonts-thai-tlwg "
    "(apt-get install fonts-thai-tlwg) or set POS_THAI_FONT"
)


class ThaiFontMissing(PrinterError):
    """No Thai TrueType font to draw Thai for a printer without a Thai code page."""

    code = "thai_font_missing"

    def __init__(self, message: str = THAI_FONT_HINT) -> None:
        super().__init__(message)


class UnprintableText(PrinterError):
    """Text the printer's code pages cannot encode reached the text path.

    A guard, not a cashier error: the layout sends such lines as raster images,
    so this only fires on a bug, instead of letting python-escpos print '?'.
    """

    code = "unprintable_text"
