"""Sync fixtures: a real head office (fresh PostgreSQL database per test, the
hq app on uvicorn in a thread on a free 127.0.0.1 port) and terminals with real
SQLite ledgers that join it.

PostgreSQL comes from ``POS_HQ_TEST_DSN`` (default: the local server as
``postgres``), as in tests/hq; without one these tests are skipped.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvicorn
from psycopg import sql

from config import Settings
from hq.app import create_app
from hq.db import Conn, migrate
from hq.members import service as hq_members
from hq.settings import HQSettings
from hq.terminals import service as terminals
from ledger.service import Ledger
from sync import commands
from sync.engine import Retry

ADMIN_DSN = os.environ.get("POS_HQ_TEST_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
FAST_RETRY = Retry(attempts=3, base_s=0.01, cap_s=0.05)


@pytest.fixture(scope="session")
def admin_dsn() -> str:
    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL for sync tests at {ADMIN_DSN}: {exc}")
    return ADMIN_DSN


@pytest.fixture
def hq_dsn(admin_dsn: str) -> Iterator[str]:
    """A new database, migrated; dropped after the test."""
    name = f"sync_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
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
def hq_db(hq_dsn: str) -> Iterator[Conn]:
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        yield conn


class HQServer:
    """The head-office app served by uvicorn in a thread."""

    def __init__(self, dsn: str) -> None:
        settings = HQSettings(dsn=dsn, pool_min_size=1, pool_size=8, pool_timeout_s=10)
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say
        # so, and without it every keep-alive request waits ~40 ms (delayed ACK).
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings),
            log_level="critical",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the head-office server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def hq(hq_dsn: str) -> Iterator[HQServer]:
    server = HQServer(hq_dsn)
    yield server
    server.stop()


@pytest.fixture
def add_terminal(hq_db: Conn) -> Callable[[str, str], str]:
    """``add_terminal("S1", "A")`` as ``pos-hq store add`` + ``terminal add``: the setup code."""

    def add(store_id: str, terminal_id: str) -> str:
        if not any(s["store_id"] == store_id for s in terminals.list_stores(hq_db)):
            terminals.add_store(hq_db, store_id, f"Store {store_id}")
        return str(terminals.add_terminal(hq_db, store_id, terminal_id)["setup_code"])

    return add


@pytest.fixture
def open_ledger(tmp_path: Path, settings: Settings) -> Iterator[Callable[[str], Ledger]]:
    """``open_ledger("A")``: a new (uninitialised) ledger file per name, closed at the end."""
    opened: list[Ledger] = []

    def open_(name: str) -> Ledger:
        book = Ledger.open(tmp_path / f"{name}.db", settings)
        opened.append(book)
        return book

    yield open_
    for book in opened:
        book.close()


@pytest.fixture
def joined(
    hq: HQServer,
    add_terminal: Callable[[str, str], str],
    open_ledger: Callable[[str], Ledger],
) -> Callable[..., Ledger]:
    """``joined("A", store="S1")``: a terminal added at head office and joined with its code."""

    def make(terminal_id: str, store: str = "S1", url: str | None = None) -> Ledger:
        code = add_terminal(store, terminal_id)
        book = open_ledger(terminal_id)
        commands.join(book, url or hq.url, code)
        return book

    return make


def wait_feed(conn: Conn, timeout: float = 60.0) -> None:
    """Wait until every change written so far is visible on the feed.

    The feed shows a change once every transaction older than it has ended,
    cluster-wide (hq/changes/service.py): another test run on the same
    PostgreSQL can hold it back for a moment.
    """
    deadline = time.monotonic() + timeout
    while True:
        row = conn.execute(
            "SELECT coalesce(max(x::text::numeric), 0) < "
            "pg_snapshot_xmin(pg_current_snapshot())::text::numeric FROM "
            "(SELECT max(change_xid::text::numeric) AS x FROM entry_runs "
            " UNION ALL SELECT max(change_xid::text::numeric) FROM changes) t"
        ).fetchone()
        if row is not None and row[0]:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the change feed stayed held back (a transaction left open?)")
        time.sleep(0.02)


Sync = Callable[..., dict[str, Any]]


@pytest.fixture
def sync(hq_db: Conn) -> Sync:
    """``sync(book)``: ``pos sync`` once the feed shows everything pushed so far."""

    def run(book: Ledger, **options: Any) -> dict[str, Any]:
        options.setdefault("retry", FAST_RETRY)
        wait_feed(hq_db)
        return commands.sync(book, **options)

    return run


PHONES = [f"081-000-{n:04d}" for n in range(5)]


def sales(book: Ledger, count: int, prefix: str = "S", phones: list[str] = PHONES) -> None:
    """``count`` sales over a few members (fsync off: a test, not a till)."""
    book.conn.execute("PRAGMA synchronous = OFF")
    try:
        for phone in phones:
            book.enroll(phone)
        for n in range(count):
            book.earn(phones[n % len(phones)], f"{25 + n % 50}.00", f"{prefix}{n}")
    finally:
        book.conn.execute("PRAGMA synchronous = FULL")


def hq_balances(conn: Conn) -> dict[str, int]:
    """``pos-hq report balances``: canonical wallet -> balance over merged wallets."""
    return {w["wallet_id"]: w["balance"] for w in hq_members.balances(conn)}


def local_balances(book: Ledger) -> dict[str, int]:
    """Wallet balances of the ledger, merged-away wallets (empty) left out."""
    rows = book.conn.execute(
        "SELECT wallet_id, balance FROM wallets WHERE wallet_id NOT IN "
        "(SELECT merged_wallet_id FROM wallet_merges)"
    ).fetchall()
    return {w: b for w, b in rows}


class Proxy:
    """A TCP proxy in front of head office that breaks pushes on purpose.

    ``mode = "cut"``: a push request is forwarded only up to ``cut_after`` bytes,
    then both sides are closed (the connection dies mid-batch).
    ``mode = "drop"``: a push goes through, head office commits and answers, and
    the answer is thrown away (the connection closes without it).
    Only the next ``faults`` pushes are broken; everything else passes.
    """

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.mode = "pass"
        self.faults = 0
        self.cut_after = 1500
        self.broken = 0
        self._lock = threading.Lock()
        self.port = 0
        self.up()
        self.url = f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        """Listen (again, on the same port after :meth:`down`)."""
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        self._closed = False
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        """Stop listening: new connections are refused (head office "unplugged")."""
        self.close()

    def arm(self, mode: str, faults: int) -> None:
        with self._lock:
            self.mode, self.faults = mode, faults

    def _take_fault(self) -> str | None:
        with self._lock:
            if self.faults <= 0 or self.mode == "pass":
                return None
            self.faults -= 1
            self.broken += 1
            return self.mode

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while not self._closed:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        doomed: dict[str, Any] = {"mode": None, "sent": 0}

        def kill() -> None:
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

        def to_server() -> None:
            try:
                while data := client.recv(65536):
                    if b"POST /v1/push" in data and doomed["mode"] is None:
                        doomed["mode"] = self._take_fault()
                    if doomed["mode"] == "cut":
                        room = self.cut_after - doomed["sent"]
                        upstream.sendall(data[: max(room, 0)])
                        doomed["sent"] += len(data)
                        if doomed["sent"] >= self.cut_after:
                            kill()
                            return
                        continue
                    upstream.sendall(data)
            except OSError:
                pass
            kill()

        def to_client() -> None:
            try:
                while data := upstream.recv(65536):
                    if doomed["mode"] == "drop":
                        kill()  # head office answered (so it committed): lose the answer
                        return
                    client.sendall(data)
            except OSError:
                pass
            kill()

        threading.Thread(target=to_server, daemon=True).start()
        threading.Thread(target=to_client, daemon=True).start()


@pytest.fixture
def proxy(hq: HQServer) -> Iterator[Proxy]:
    p = Proxy(hq.port)
    yield p
    p.close()
