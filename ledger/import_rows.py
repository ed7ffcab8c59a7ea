"""Reading a file to import (ledger.imports): the CSV, its first line, and each
value of a row checked and parsed.

The file is checked whole before a row is read: it exists, is a file, and is
UTF-8 (a byte-order mark, as spreadsheets write, is allowed); a file that is
not is refused, so no import stops halfway on a bad byte. Each bad value is a
:class:`RowProblem` (the line, the column, a catalogue key and its values),
never an exception out of the import: the dry run lists every one.

Values are text: an amount such as ``250.5`` goes to ``ledger.money`` as text
(never through a float); a name that looks like a spreadsheet formula is a
name, stored as typed (ledger.export makes it safe when it writes CSV).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import phonenumbers
from phonenumbers import PhoneMetadata

from config.messages import say
from ledger.clock import iso
from ledger.errors import InvalidAmount, InvalidInput, InvalidPhone, LedgerError, NotFound
from ledger.money import parse_amount
from ledger.phone import normalize_phone
from ledger.text import clean_text

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_POINTS = re.compile(r"-?(?:\d+|\d{1,3}(?:,\d{3})+)")
_MAX_POINTS = 1_000_000_000
_OLDEST = date(1900, 1, 1)
_CHUNK = 1 << 20
ID_LIMIT = 64


class ImportRefused(LedgerError):
    """The file as a whole cannot be imported (nothing was read into the ledger)."""

    code = "import_refused"


class ImportFileMissing(NotFound):
    code = "import_refused"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one line of the file."""

    line: int
    column: str | None
    key: str
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = "en") -> str:
        return say(self.key, language, self.details)

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.key,
            "message": self.message(),
        }


class BadValue(Exception):
    """A value of a row that cannot be imported: becomes a RowProblem."""

    def __init__(self, column: str | None, key: str, **details: Any) -> None:
        super().__init__(key)
        self.column, self.key, self.details = column, key, details


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "..."


# -- the file ----------------------------------------------------------------


@dataclass
class CsvFile:
    """An open import file: its columns (lower case) and its rows by line."""

    path: Path
    columns: tuple[str, ...]
    lines: int
    """Physical lines in the file (for progress)."""
    handle: IO[str]
    reader: Any

    @classmethod
    def open(cls, path: str | Path, required: tuple[str, ...], known: tuple[str, ...]) -> CsvFile:
        path = Path(path)
        shown = str(path)
        lines = _check_text(path)
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            handle.close()
            raise ImportRefused(
                key="import_refused.not_csv", path=shown, line=1, reason=str(exc)
            ) from None
        if not header or not any(h.strip() for h in header):
            handle.close()
            raise ImportRefused(key="import_refused.empty", path=shown, columns=", ".join(known))
        columns = tuple(h.strip().lower() for h in header)
        seen: set[str] = set()
        for column in columns:
            if column and column in seen:
                handle.close()
                raise ImportRefused(
                    key="import_refused.duplicate_column", path=shown, column=_short(column)
                )
            seen.add(column)
        for column in required:
            if column not in columns:
                handle.close()
                raise ImportRefused(
                    key="import_refused.missing_column",
                    path=shown,
                    column=column,
                    header=_short(",".join(columns)),
                    columns=", ".join(known),
                )
        return cls(path, columns, lines, handle, reader)

    def rows(self) -> Iterator[tuple[int, dict[str, str] | RowProblem]]:
        """(line, the row's values by column) of each non-blank row, or a
        problem for a row with the wrong number of fields."""
        after = self.reader.line_num
        width = len(self.columns)
        try:
            for fields in self.reader:
                line, after = after + 1, self.reader.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                if len(fields) != width:
                    yield (
                        line,
                        RowProblem(
                            line,
                            None,
                            "import_row.fields",
                            {"found": len(fields), "expected": width},
                        ),
                    )
                    continue
                yield line, dict(zip(self.columns, fields, strict=True))
        except csv.Error as exc:
            raise ImportRefused(
                key="import_refused.not_csv",
                path=str(self.path),
                line=self.reader.line_num,
                reason=str(exc),
            ) from None

    @property
    def line(self) -> int:
        return int(self.reader.line_num)

    def close(self) -> None:
        self.handle.close()


def _check_text(path: Path) -> int:
    """The number of lines of ``path``, once it is known to be UTF-8 text."""
    shown = str(path)
    try:
        if not path.exists():
            raise ImportFileMissing(key="import_refused.no_file", path=shown)
        if not path.is_file():
            raise ImportRefused(key="import_refused.not_a_file", path=shown)
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines = 0
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = lines + chunk[: exc.start].count(b"\n") + 1
                    raise ImportRefused(
                        key="import_refused.not_utf8", path=shown, line=line
                    ) from None
                lines += chunk.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise ImportRefused(
                    key="import_refused.not_utf8", path=shown, line=lines + 1
                ) from None
    except OSError as exc:
        raise ImportRefused(
            key="import_refused.unreadable", path=shown, reason=exc.strerror or str(exc)
        ) from None
    return lines + 1


# -- values --------------------------------------------------------------------


_NATIONAL = re.compile(r"0[1-9][0-9]{5,12}")


@lru_cache(maxsize=16)
def _trunk_zero_code(region: str) -> int | None:
    """The country code of a region whose national numbers are read by just
    dropping a leading 0 (TH, DE, FR, VN...), else None (JP, GB, AU and others
    have more parsing rules)."""
    meta = PhoneMetadata.metadata_for_region(region.upper())
    if meta is None or meta.national_prefix != "0" or meta.national_prefix_for_parsing != "0":
        return None
    if meta.national_prefix_transform_rule is not None or meta.country_code is None:
        return None
    return int(meta.country_code)


def phone(text: str, region: str, column: str = "phone") -> str:
    """As ledger.phone.normalize_phone. A file holds mostly national numbers
    typed the plain way (0812345678): for those, the number is checked as
    phonenumbers would after parsing it (a fifth of the time, measured;
    tests/ledger/test_import.py compares the two on random numbers)."""
    value = text.strip()
    code = _trunk_zero_code(region)
    if code is not None and _NATIONAL.fullmatch(value):
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(value[1:]))
        if phonenumbers.is_valid_number(number):
            return f"+{code}{value[1:]}"
    try:
        return normalize_phone(text, region)
    except InvalidPhone as exc:
        raise BadValue(column, exc.key or "invalid_phone", **exc.details) from None


def identifier(text: str, column: str) -> str | None:
    """An external id or a bill number; empty: None."""
    value = text.strip()
    if not value:
        return None
    if len(value) > ID_LIMIT or not value.isprintable():
        key = "import_row.ref" if column == "ref" else "import_row.external_id"
        raise BadValue(column, key, value=_short(value))
    return value


def name(text: str, limit: int) -> str | None:
    try:
        return clean_text(text, "name", required=False, limit=limit)
    except InvalidInput as exc:
        raise BadValue("name", exc.key or "invalid_input", **exc.details) from None


def when(text: str, column: str, zone: tzinfo, now: datetime) -> str | None:
    """A date (the shop's local midnight) or an ISO date-time (without an
    offset: the shop's local time), as the ledger stores times (UTC); empty:
    None. Not before 1900, not after ``now``."""
    value = text.strip().translate(_THAI_DIGITS)
    if not value:
        return None
    try:
        if _DAY.fullmatch(value):
            moment = datetime.combine(date.fromisoformat(value), time(), tzinfo=zone)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadValue(column, "import_row.date", value=_short(text.strip())) from None
    if moment.date() < _OLDEST:
        raise BadValue(column, "import_row.date", value=_short(text.strip()))
    if moment > now:
        raise BadValue(column, "import_row.future", value=_short(text.strip()))
    return iso(moment)


def birthday(text: str, today: date) -> str | None:
    value = text.strip().translate(_THAI_DIGITS)
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if _DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None or day < _OLDEST:
        raise BadValue("birthday", "import_row.birthday", value=_short(text.strip()))
    if day > today:
        raise BadValue("birthday", "import_row.future", value=_short(text.strip()))
    return day.isoformat()


def balance(text: str) -> int:
    """Opening points: a whole number, 0 or more (empty: 0)."""
    value = text.strip().translate(_THAI_DIGITS)
    if not value:
        return 0
    if not _POINTS.fullmatch(value) or len(value) > 16:
        raise BadValue("balance", "import_row.balance", value=_short(text.strip()))
    points = int(value.replace(",", ""))
    if points < 0:
        raise BadValue("balance", "import_row.balance_negative", value=_short(text.strip()))
    if points > _MAX_POINTS:
        raise BadValue("balance", "import_row.balance", value=_short(text.strip()))
    return points


def amount(text: str, max_minor: int) -> int:
    """A sale amount as text (``250``, ``1,250.50``, ``250.5``) in minor units."""
    if not text.strip():
        raise BadValue("amount", "import_row.amount_required")
    try:
        return parse_amount(text, max_minor)
    except InvalidAmount as exc:
        raise BadValue("amount", exc.key or "invalid_amount", **exc.details) from None
