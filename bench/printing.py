"""Printing benchmark: ``python -m bench.printing``.

Prints exactly one JSON object on stdout. A benchmark, never a test: it
reports the numbers next to the targets and asserts nothing.

Each figure is the median time to turn one slip into ESC/POS bytes
(``printers.build_bytes``: layout, encoding, raster drawing, python-escpos
``Dummy``) over ``--runs`` runs after a warm-up, in milliseconds:

- sale_slip_native_qr_ms: an English sale slip on a profile with native QR;
- sale_slip_raster_thai_ms: a Thai sale slip on a profile without a Thai code
  page, so its Thai lines are drawn with the Thai font and sent as raster;
- sale_slip_cp874_ms: the Thai slip where the profile has CP874;
- sale_slip_raster_qr_ms: the English slip where the QR must be an image
  (the drawn QR is cached per payload; the first one costs ~10 ms more);
- preview_png_ms: the Thai slip rendered to PNG bytes.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import Any

from printers import SaleSlip, build_bytes, render_png
from printers.thai import find_font

TARGETS = {"sale_slip_native_qr_ms": 5.0, "sale_slip_raster_thai_ms": 30.0}
PROFILES = {
    "native_qr": ("TM-T88V", 42),
    "raster_thai": ("TM-T88V", 42),
    "cp874": ("TM-P80", 42),
    "raster_qr": ("POS-5890", 32),
}


def _slip(language: str) -> SaleSlip:
    thai = language == "th"
    return SaleSlip(
        store_name="ร้านกาแฟดอยช้าง" if thai else "Doi Chang Coffee",
        branch="สาขาสีลม" if thai else "Silom branch",
        created_at=datetime(2026, 1, 15, 10, 3, tzinfo=timezone(timedelta(hours=7))),
        terminal_id="T1",
        cashier="cash1",
        masked_phone="08x-xxx-5678",
        member_name="คุณสมชาย ใจดี" if thai else "Somchai J.",
        sale_ref="S-000123",
        amount_minor=125_050,
        currency="THB",
        points=62,
        rules=("Base 1 pt / 25.00", "Silver x1.25"),
        balance=1234,
        tier="Silver",
        next_expiry_points=120,
        next_expiry_date=date(2026, 6, 30),
        member_url="https://loyalty.example/m/0192a7c4-5b2e-7c3d-9e1f-123456789abc",
        language="th" if thai else "en",
    )


def _median_ms(work: Callable[[], Any], runs: int, warmup: int) -> float:
    for _ in range(warmup):
        work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    build_bytes(_slip("en"), "TM-T88V", 42)  # first call imports python-escpos
    first_ms = round((time.perf_counter() - started) * 1000, 1)

    english, thai = _slip("en"), _slip("th")
    jobs: dict[str, tuple[SaleSlip, str, int]] = {
        "sale_slip_native_qr_ms": (english, *PROFILES["native_qr"]),
        "sale_slip_raster_thai_ms": (thai, *PROFILES["raster_thai"]),
        "sale_slip_cp874_ms": (thai, *PROFILES["cp874"]),
        "sale_slip_raster_qr_ms": (english, *PROFILES["raster_qr"]),
    }
    result: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    for key, (slip, profile, columns) in jobs.items():
        job = partial(build_bytes, slip, profile, columns)
        result[key] = _median_ms(job, args.runs, args.warmup)
        sizes[key.removesuffix("_ms")] = len(job())
        print(f"{key}: {result[key]} ms", file=sys.stderr)
    result["preview_png_ms"] = _median_ms(partial(render_png, thai, 42), args.runs // 4, 5)
    fonts = find_font()
    result.update(
        {
            "first_build_ms_incl_escpos_import": first_ms,
            "bytes": sizes,
            "profiles": {key: f"{name} ({cols} columns)" for key, (name, cols) in PROFILES.items()},
            "thai_font": str(fonts.thai),
            "targets_ms": TARGETS,
            "meets_targets": all(result[k] <= v for k, v in TARGETS.items()),
            "runs": args.runs,
            "python": platform.python_version(),
        }
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
