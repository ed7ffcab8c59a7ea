"""What the ledger benchmarks share: where the cached databases live, the
shop's ids, the members' phones, the settings, the progress log."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

from config import DEFAULT_TOML, Settings, load_settings

DATA = Path(__file__).resolve().parent / "data"
STORE_ID, TERMINAL_ID = "S1", "T1"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bench_settings() -> Settings:
    """The shipped defaults only: no user file, no environment."""
    return load_settings(DEFAULT_TOML, env={})


def e164_of(index: int) -> str:
    """Member ``index`` -> a distinct Thai mobile, +66 8 and 8 digits.

    Multiplying by a number coprime to 10 permutes 0..10**8-1, so phones are
    distinct and spread over all 08x prefixes instead of counting up.
    """
    return f"+668{(index * 7_919_113 + 12_345_678) % 100_000_000:08d}"


def national(e164: str) -> str:
    """'+66812345678' -> '0812345678', the way a cashier types it."""
    return "0" + e164[3:]


def files_of(path: Path) -> list[Path]:
    """The database and everything that goes with it (the first two are the
    database and its WAL)."""
    return [
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        path.with_name(path.name + ".secrets"),
        path.with_name(path.name + ".build.json"),
    ]


def pct(samples_ns: list[int], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(samples_ns)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] / 1e6
