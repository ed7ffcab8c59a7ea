"""Preview slips on disk name members (a masked phone, the name): those of an
erased member go at once, and every preview goes after ``printer.keep_days``.

Only the spool folder's own files are touched (``*.bin`` and ``*.png`` at its
top level, never through a link), so a spool_dir pointed at a shared folder
loses nothing else.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from config import Settings
from ledger.service import Ledger

log = logging.getLogger("pos.spool_files")
SUFFIXES = (".bin", ".png")


def spool_dir(settings: Settings) -> Path:
    if settings.printer.spool_dir is not None:
        return settings.printer.spool_dir
    from printers.connect import default_spool_dir  # printers imports escpos lazily

    return default_spool_dir()


def tidy(settings: Settings, ledger: Ledger, now: float | None = None) -> int:
    """Remove the slips of members erased since the last call and every slip
    older than the retention; returns how many files went. A file that cannot
    be removed is logged and tried again next time (retention)."""
    folder = spool_dir(settings)
    jobs = ledger.take_erased_jobs()
    if not folder.is_dir():
        return 0
    doomed = {folder / f"{kind}-{job}{suffix}" for kind, job in jobs for suffix in SUFFIXES}
    cutoff = (time.time() if now is None else now) - settings.printer.keep_days * 86400
    try:
        for path in folder.iterdir():
            old = path.suffix in SUFFIXES and not path.is_symlink() and path.is_file()
            if old and path.stat().st_mtime < cutoff:
                doomed.add(path)
    except OSError as exc:
        log.warning("spool folder %s not read: %s", folder, exc.strerror)
    removed = 0
    for path in sorted(doomed):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("slip %s not removed: %s", path.name, exc.strerror)
    return removed
