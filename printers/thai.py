"""Thai on paper: by the printer's Thai code page, else as a raster line.

A profile whose ``codePages`` include CP874 (TIS-620 plus a few symbols) gets
Thai as text through python-escpos's magic encoding, which sends ``ESC t`` with
the profile's slot number. Any other text the profile cannot encode (Thai on a
TM-T88V, a Chinese member name anywhere) is drawn with a TrueType font and sent
as an image, because python-escpos would silently print '?' for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from printers import _escpos
from printers.errors import ThaiFontMissing, UnprintableText

THAI_CODE_PAGES = ("CP874", "TIS620", "TIS-620", "TIS_620", "ISO8859-11", "ISO-8859-11")
FONT_ENV = "POS_THAI_FONT"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Debian fonts-thai-tlwg first, then Noto. Not Tlwg Mono/Typo/Typist/Typewriter:
# they are terminal fonts whose marks take a cell of their own.
FONT_CANDIDATES = (
    "truetype/tlwg/Loma.ttf",
    "truetype/tlwg/Garuda.ttf",
    "truetype/tlwg/Sarabun.ttf",
    "truetype/thai-tlwg/Sarabun.ttf",
    "truetype/noto/NotoSansThai-Regular.ttf",
    "opentype/noto/NotoSansThai-Regular.ttf",
)
_TERMINAL_FONTS = ("tlwgmono", "tlwgtypo", "tlwgtypewriter", "tlwgtypist")
MONO_CANDIDATES = (
    "truetype/dejavu/DejaVuSansMono.ttf",
    "truetype/liberation/LiberationMono-Regular.ttf",
    "truetype/noto/NotoSansMono-Regular.ttf",
)


def is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def has_thai(text: str) -> bool:
    return not text.isascii() and any(is_thai(ch) for ch in text)


# -- code pages ---------------------------------------------------------------


def _pages(profile: Any) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((str(k), int(v)) for k, v in profile.get_code_pages().items()))


def thai_code_page(profile: Any) -> int | None:
    """The ``ESC t`` slot of the profile's Thai code page, or None."""
    for name, slot in _pages(profile):
        if name.upper() in THAI_CODE_PAGES:
            return slot
    return None


@lru_cache(maxsize=64)
def _encoder(pages: tuple[tuple[str, int], ...]) -> Any:
    _escpos.load()
    from escpos.magicencode import Encoder

    return Encoder(dict(pages))


@lru_cache(maxsize=16384)
def _char_ok(pages: tuple[tuple[str, int], ...], ch: str) -> bool:
    if " " <= ch < "\x7f":
        return True
    if "\u4e00" <= ch <= "\u9fa5":
        return False  # python-escpos would send GB18030 bytes whatever the profile
    encoder = _encoder(pages)
    return any(encoder.can_encode(name, ch) for name, _ in pages)


def printable(profile: Any, text: str) -> bool:
    """True when every character of ``text`` is in one of the profile's code pages."""
    if text.isascii() and text.isprintable():
        return True
    pages = _pages(profile)
    return all(_char_ok(pages, ch) for ch in text)


def require_printable(profile: Any, text: str) -> None:
    """The guard before ``p.text``: refuse what python-escpos would turn into '?'."""
    if printable(profile, text):
        return
    pages = _pages(profile)
    bad = sorted({ch for ch in text if not _char_ok(pages, ch)})
    what = "Thai" if any(is_thai(ch) for ch in bad) else "some"
    raise UnprintableText(
        f"{what} characters {''.join(bad)!r} are not in the code pages of printer profile "
        f"{profile.profile_data.get('name', '?')!r}; they must be printed as an image"
    )


# -- fonts --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FontFiles:
    """The fonts for raster lines: Thai (proportional) and, for lines without
    Thai in the preview, a monospace font like the printer's own."""

    thai: Path | None
    thai_bold: Path | None
    mono: Path | None
    mono_bold: Path | None

    def pick(self, text: str, bold: bool) -> tuple[Path, bool]:
        """(font file, is it the Thai font) for a line of ``text``."""
        if self.mono and self.mono_bold and not has_thai(text):
            return (self.mono_bold if bold else self.mono), False
        if self.thai and self.thai_bold:
            return (self.thai_bold if bold else self.thai), True
        raise ThaiFontMissing()


def _bold_of(path: Path) -> Path:
    for name in (path.stem + "-Bold", path.stem.replace("-Regular", "-Bold")):
        candidate = path.with_name(name + path.suffix)
        if candidate != path and candidate.is_file():
            return candidate
    return path


def _first(candidates: tuple[str, ...]) -> Path | None:
    for folder in FONT_DIRS:
        for rel in candidates:
            if (folder / rel).is_file():
                return folder / rel
    return None


def _usable(path: Path) -> bool:
    name = path.name.lower()
    return (
        path.suffix.lower() in (".ttf", ".otf")
        and ("tlwg" in str(path).lower() or "thai" in name)
        and not name.startswith(_TERMINAL_FONTS)
        and not any(style in name for style in ("bold", "oblique", "italic", "light"))
    )


def _search_thai() -> Path | None:
    found = _first(FONT_CANDIDATES)
    if found is not None:
        return found
    for folder in FONT_DIRS:
        if folder.is_dir():
            usable = sorted(p for p in folder.rglob("*") if _usable(p))
            if usable:
                return usable[0]
    return None


@lru_cache(maxsize=8)
def _find(font_path: str | None, env_path: str | None, need_thai: bool) -> FontFiles:
    chosen = font_path or env_path
    thai: Path | None
    if chosen:
        thai = Path(chosen)
        if not thai.is_file():
            source = "font_path" if font_path else FONT_ENV
            raise ThaiFontMissing(
                f"Thai font {chosen} (from {source}) does not exist. {ThaiFontMissing().message}"
            )
    else:
        thai = _search_thai()
    mono = _first(MONO_CANDIDATES)
    if (thai is None and need_thai) or (thai is None and mono is None):
        raise ThaiFontMissing()
    return FontFiles(
        thai,
        _bold_of(thai) if thai else None,
        mono,
        _bold_of(mono) if mono else None,
    )


def find_font(font_path: str | os.PathLike[str] | None = None, need_thai: bool = True) -> FontFiles:
    """The fonts: Thai from ``font_path``, else env POS_THAI_FONT, else installed.

    Raises ThaiFontMissing naming the Debian package fonts-thai-tlwg. With
    ``need_thai=False`` (nothing Thai to draw) a monospace Latin font will do.
    """
    return _find(str(font_path) if font_path else None, os.environ.get(FONT_ENV) or None, need_thai)
