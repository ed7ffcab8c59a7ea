"""QR codes: the printer draws them where it can, else we send an image.

Native (``GS ( k``, python-escpos ``qr(native=True)``) when the profile has
the ``qrCode`` feature: small, sharp, and the printer stores the exact bytes.
Otherwise the code is drawn with the qrcode package at printer dots and sent
as a raster image (``GS v 0``). Either way the payload scans back exactly.
"""

from __future__ import annotations

from typing import Any

from printers import _escpos
from printers.raster import qr_image, qr_module


def native(profile: Any) -> bool:
    return bool(profile.supports("qrCode"))


def print_qr(p: Any, payload: str, paper_dots: int) -> None:
    """Print ``payload`` as a QR code centred on the paper."""
    module = qr_module(payload, paper_dots)
    if native(p.profile):
        c = _escpos.constants()
        p.set(align="center")
        p.qr(payload, native=True, size=module, ec=c.QR_ECLEVEL_M, model=c.QR_MODEL_2)
        p.text("\n")
        p.set(align="left")
    else:
        _escpos.send_image(p, qr_image(payload, paper_dots, module))
