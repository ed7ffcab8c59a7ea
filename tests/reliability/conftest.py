"""The acceptance tests of "the promise under real conditions" (issue 9).

They use the real parts the other suites already set up: a real head office
(PostgreSQL + uvicorn, from tests/sync and tests/hq) and real ledger files.
"""

from tests.hq.conftest import app, client, db, hq_settings, make_terminal, pool
from tests.sync.conftest import (
    add_terminal,
    admin_dsn,
    hq,
    hq_db,
    hq_dsn,
    joined,
    open_ledger,
    proxy,
    sync,
)

__all__ = [
    "add_terminal",
    "admin_dsn",
    "app",
    "client",
    "db",
    "hq",
    "hq_db",
    "hq_dsn",
    "hq_settings",
    "joined",
    "make_terminal",
    "open_ledger",
    "pool",
    "proxy",
    "sync",
]
