"""A report as a CSV file (``pos report ... --csv FILE``): always a new file,
0600 whatever the umask, never through a link; a cell a spreadsheet would run
as a formula (``=``, ``@``, ``+`` or ``-`` not starting a number, a tab or CR)
is written with a leading quote, as the member's own copy is (ledger.export).
UTF-8 with a BOM, so a spreadsheet opened by double-click reads Thai right."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ledger.errors import InvalidInput

_FORMULA = re.compile(r"[=@\t\r]|[+-](?![0-9][0-9.]*$)")


def cell(value: Any) -> Any:
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return "" if value is None else value


def write_csv(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write the header and ``rows`` to the new file ``path``; refused (nothing
    written) if it exists or its folder does not."""
    target = Path(path).expanduser().absolute()
    if not target.parent.is_dir():
        raise InvalidInput(key="invalid_input.report_folder", path=str(target.parent))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([cell(v) for v in row] for row in rows)
    data = buffer.getvalue().encode("utf-8-sig")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise InvalidInput(key="invalid_input.report_exists", path=str(target)) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
