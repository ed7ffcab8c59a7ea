"""Head-office fixtures: a fresh, migrated PostgreSQL database per test.

The server comes from ``POS_HQ_TEST_DSN`` (default: the local PostgreSQL as
``postgres``); each test gets its own database, created with ``CREATE
DATABASE``, migrated, and dropped afterwards. Without a reachable server
these tests are skipped, with the reason shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg import sql
from psycopg_pool import ConnectionPool

from hq.app import create_app
from hq.db import Conn, Pool, migrate
from hq.settings import HQSettings
from hq.terminals import service as terminals
from ledger.chain import GENESIS, entry_hash
from sync.protocol import ENTRY_COLUMNS

ADMIN_DSN = os.environ.get("POS_HQ_TEST_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _with_dbname(dsn: str, dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(dsn, dbname=dbname)


@pytest.fixture(scope="session")
def admin_dsn() -> str:
    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL for head-office tests at {ADMIN_DSN}: {exc}")
    return ADMIN_DSN


@pytest.fixture
def hq_dsn(admin_dsn: str) -> Iterator[str]:
    """A new database, migrated; dropped after the test."""
    name = f"hq_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = _with_dbname(admin_dsn, name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            migrate(conn)
        yield dsn
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def db(hq_dsn: str) -> Iterator[Conn]:
    """An autocommit connection for setting up and checking."""
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
def hq_settings(hq_dsn: str) -> HQSettings:
    return HQSettings(dsn=hq_dsn, pool_min_size=1, pool_size=8, pool_timeout_s=10)


@pytest.fixture
def pool(hq_settings: HQSettings) -> Iterator[Pool]:
    with ConnectionPool(
        hq_settings.dsn or "",
        min_size=1,
        max_size=hq_settings.pool_size,
        kwargs={"autocommit": True},
        open=True,
    ) as opened:
        yield opened


@pytest.fixture
def app(hq_settings: HQSettings, pool: Pool) -> FastAPI:
    return create_app(hq_settings, pool=pool)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hq") as http:
        yield http


@dataclass
class Terminal:
    """A simulated terminal: ids, token, and a journal with a real hash chain."""

    store_id: str
    terminal_id: str
    token: str
    seq: int = 0
    last_hash: str = GENESIS
    balances: dict[str, int] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def entry(
        self,
        wallet_id: str,
        points: int,
        *,
        kind: str = "earn",
        member_id: str | None = None,
        ref: str | None = None,
        seq: int | None = None,
        created_at: str = "2026-01-15T03:00:00.000000Z",
    ) -> dict[str, Any]:
        """The next journal entry (or one at ``seq``, for gap tests), as the wire dict."""
        self.seq = seq if seq is not None else self.seq + 1
        balance = self.balances.get(wallet_id, 0) + points
        self.balances[wallet_id] = balance
        amount = points * 2500 if kind == "earn" else None
        fields: list[Any] = [
            str(uuid.uuid4()),
            wallet_id,
            member_id,
            kind,
            points,
            balance,
            amount,
            "THB" if amount is not None else None,
            ref or f"B{self.terminal_id}-{self.seq}",
            self.terminal_id,
            self.store_id,
            "cash1",
            None,
            None,
            None,
            '{"base":1}' if kind == "earn" else None,
            created_at,
            self.seq,
            self.last_hash,
        ]
        fields.append(entry_hash(fields))
        self.last_hash = fields[-1]
        return dict(zip(ENTRY_COLUMNS, fields, strict=True))

    def member(
        self,
        phone: str | None,
        *,
        enrolled_at: str = "2026-01-15T03:00:00.000000Z",
        name: str | None = None,
    ) -> dict[str, Any]:
        return {
            "member_id": str(uuid.uuid4()),
            "phone": phone,
            "name": name,
            "wallet_id": str(uuid.uuid4()),
            "consent_at": enrolled_at,
            "enrolled_at": enrolled_at,
            "terminal_id": self.terminal_id,
        }


@pytest.fixture
def make_terminal(db: Conn) -> Any:
    """``make_terminal("S1", "T1")``: the store (if new) and a terminal with a token."""

    def make(store_id: str = "S1", terminal_id: str = "T1") -> Terminal:
        if db.execute("SELECT 1 FROM stores WHERE store_id = %s", (store_id,)).fetchone() is None:
            terminals.add_store(db, store_id, f"Store {store_id}")
        added = terminals.add_terminal(db, store_id, terminal_id)
        return Terminal(store_id, terminal_id, added["token"])

    return make
