"""How the counter shows a moment or a day: one format per language, in the
shop's time zone, on every screen, slip preview and CLI line that shows one.

English ``15 Jan 2026 10:00``; Thai ``15 ม.ค. 2569 10:00``, its year in the
Buddhist era (543 more) unless ``locale.buddhist_era`` is false. Babel names
the months; its calendars are Gregorian only, so the era is added here.

The journal stores UTC (``2026-01-15T03:00:00Z``); what a cashier reads is the
shop's wall clock (``locale.timezone``, ``ledger.localday.shop_zone``), not
the process's zone: a till whose clock runs in UTC still says 10:00 in Bangkok.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from typing import TYPE_CHECKING, Protocol

from babel.dates import get_month_names

from ledger.localday import shop_zone

if TYPE_CHECKING:
    from config import Settings

BUDDHIST_ERA_OFFSET = 543  # 2026 CE is 2569 BE


class Style(Protocol):
    """Whose dates: ``pos.i18n.Translator`` is one (the app's ``tr``)."""

    @property
    def language(self) -> str: ...

    @property
    def zone(self) -> tzinfo: ...

    @property
    def buddhist_era(self) -> bool: ...


@dataclass(frozen=True)
class Dates:
    """A reader's dates without the rest of the translator: the ``pos`` CLI's
    (English, in the shop's zone)."""

    language: str
    zone: tzinfo
    buddhist_era: bool = True

    @classmethod
    def of(cls, settings: Settings, language: str = "en") -> Dates:
        locale = settings.locale
        return cls(language, shop_zone(locale.timezone, locale.region), locale.buddhist_era)

    def time(self, moment: str | datetime) -> str:
        return local_time(moment, self)

    def date(self, day: date | datetime | str) -> str:
        return local_date(day, self)


@cache
def _months(language: str) -> tuple[str, ...]:
    names = get_month_names("abbreviated", locale="th_TH" if language == "th" else "en_US")
    return tuple(names[n] for n in range(1, 13))


def in_zone(moment: str | datetime, style: Style) -> datetime:
    """``moment`` (journal text or an aware time) on the shop's wall clock."""
    if isinstance(moment, str):  # the ledger's form, or head office's (any ISO 8601)
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:  # stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(style.zone)


def local_date(day: date | datetime | str, style: Style, *, year: bool = True) -> str:
    """``15 Jan 2026`` / ``15 ม.ค. 2569``. A moment is first taken to the shop's
    zone; a ``date`` (an expiry day, a coupon's last day) is shown as it is.
    ``year=False``: ``15 Jan`` (lists of recent entries, where columns are few)."""
    if isinstance(day, str | datetime):
        day = in_zone(day, style).date()
    shown = f"{day.day} {_months(style.language)[day.month - 1]}"
    if not year:
        return shown
    era = BUDDHIST_ERA_OFFSET if style.language == "th" and style.buddhist_era else 0
    return f"{shown} {day.year + era}"


def local_time(moment: str | datetime, style: Style, *, year: bool = True) -> str:
    """``2026-01-15T03:00:00Z`` in Bangkok: ``15 Jan 2026 10:00`` / ``15 ม.ค. 2569 10:00``
    (``year=False``: ``15 Jan 10:00``)."""
    local = in_zone(moment, style)
    return f"{local_date(local.date(), style, year=year)} {clock_time(local, style)}"


def clock_time(moment: str | datetime, style: Style) -> str:
    """The wall clock alone, ``10:00`` (the status bar, today's sync)."""
    return in_zone(moment, style).strftime("%H:%M")
