"""The shop's day: which time zone the shop keeps, and where its days begin.

The journal stores UTC; a day (the day summary, the daily offline limit) is the
shop's local day, from local midnight to the next. A day is found by asking the
zone for both midnights and converting each to UTC, never by adding 24 hours:
where clocks change, a day has 23 or 25 hours.

The zone is ``locale.timezone`` (an IANA name, checked when settings load).
Empty means this computer's zone: ``$TZ``, else ``/etc/localtime`` (or
``/etc/timezone``); a computer that has none gets the usual zone of
``locale.region`` when that country keeps one zone (TH: Asia/Bangkok), else UTC.
"""

from __future__ import annotations

import importlib.resources
import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

from ledger.clock import iso


def shop_zone(name: str, region: str) -> tzinfo:
    """The zone named in the settings; empty: this computer's (see the module)."""
    if name:
        return ZoneInfo(name)  # checked when the settings loaded
    return system_zone() or region_zone(region) or UTC


def day_of(moment: datetime, zone: tzinfo) -> date:
    """The shop's date at ``moment`` (an aware time)."""
    return moment.astimezone(zone).date()


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the shop's ``day`` in UTC: local midnight to the next."""
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def day_range(day: date, zone: tzinfo) -> tuple[str, str]:
    """:func:`day_bounds` as the journal writes times (text that sorts)."""
    start, end = day_bounds(day, zone)
    return iso(start), iso(end)


def zone_name(zone: tzinfo) -> str:
    """What a message calls the zone: its IANA name, else its abbreviation."""
    return getattr(zone, "key", None) or datetime.now(zone).tzname() or "UTC"


def system_zone() -> tzinfo | None:
    """This computer's zone with its rules (DST too), or None if it has none."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        # A POSIX rule such as "ICT-7" is no file: its offset now, as the C library reads it.
        return _named(tz) or _from_file(Path(tz)) or datetime.now().astimezone().tzinfo
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        for base in (*TZPATH, "/usr/share/zoneinfo"):
            prefix = base.rstrip("/") + "/"
            if target.startswith(prefix) and (zone := _named(target[len(prefix) :])):
                return zone
    try:
        named = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        named = ""
    return _named(named) if named else _from_file(localtime)


def region_zone(region: str) -> tzinfo | None:
    """The zone of a country that keeps one (the tz database's zone.tab), else None."""
    zones = [
        fields[2]
        for line in _zone_table().splitlines()
        if not line.startswith("#") and len(fields := line.split("\t")) > 2
        if fields[0] == region.upper()
    ]
    return _named(zones[0]) if len(zones) == 1 else None


def _named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _from_file(path: Path) -> ZoneInfo | None:
    try:
        with path.open("rb") as file:
            return ZoneInfo.from_file(file)
    except (OSError, ValueError):
        return None


def _zone_table() -> str:
    for base in TZPATH:
        try:
            return (Path(base) / "zone.tab").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    try:  # the tzdata package, where the system has no tz database
        return (importlib.resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError, UnicodeDecodeError):
        return ""
