"""``pos ledger restore``: the way back for a till whose journal split from head office's.

* Same till, restored from an older copy (``pos ledger restore``): head
  office's copy of this terminal's entries becomes the journal again, and the
  sales made on the copy since are carried over as new entries.
* A second till made from a copy of another (``pos ledger restore
  --as-new-terminal SETUP_CODE``, with a code from ``pos-hq terminal add``):
  the till joins as its own terminal, the other terminal's entries become
  "another terminal's", and the sales it made under the shared identity are
  carried over as its own.

Steps, all under the sync lock (no sync runs meanwhile): download head
office's copy (the terminal's own token; head office answers only that
terminal's entries) into a private temporary SQLite file; snapshot the live
ledger; build the new ledger in another file (``ledger.rebuild``); swap it
in through SQLite in one transaction (``ledger.swap``). A new terminal joins
only once a trial build succeeded, so a refusal does not use up its code.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from ledger.hqcopy import HQCopy
from ledger.meta import K_SETTINGS, K_SETTINGS_VERSION, K_STORE_NAME, K_URL
from ledger.models import Credentials
from ledger.pending_secrets import finish_pending_secrets, stage_secrets
from ledger.rebuild import Plan, RestoreFailed, build
from ledger.replica import Replica
from ledger.swap import snapshot, swap_in
from sync.client import Client, HeadOfficeUnreachable
from sync.commands import JOIN_FIRST, NotJoined, join
from sync.engine import exclusive
from sync.protocol import CouponState, WireEntry

if TYPE_CHECKING:
    from ledger.service import Ledger

PAGE = 5000
ATTEMPTS = 3


class _Page(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    store_id: str
    terminal_id: str
    acked_seq: int
    entries: list[WireEntry]
    more: bool
    members: list[dict[str, Any]] = []
    coupons: list[CouponState] = []


class RestoreClient(Client):
    def own_journal(self, after: int, limit: int = PAGE) -> _Page:
        reply = self._send("GET", "/v1/restore", params={"after": after, "limit": limit})
        try:
            return _Page.model_validate_json(reply.content)
        except ValidationError:
            raise HeadOfficeUnreachable(
                f"{self.url} answered with something that is not head office's copy of this "
                "terminal's journal: check the connection and the address, then run "
                "'pos ledger restore' again."
            ) from None


def restore(
    ledger: Ledger,
    *,
    setup_code: str | None = None,
    approval: Credentials | None = None,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    with exclusive(ledger):
        # A run killed between the swap and the secrets write is finished first.
        finish_pending_secrets(ledger)
        return _restore(ledger, setup_code, approval, transport)


def _restore(
    ledger: Ledger,
    setup_code: str | None,
    approval: Credentials | None,
    transport: httpx.BaseTransport | None,
) -> dict[str, Any]:
    replica = Replica(ledger)
    url, token = replica.hq_url(), replica.token()
    if not url or not token:
        raise NotJoined(JOIN_FIRST)
    old = ledger.terminal()
    approver = ledger.approve(approval).staff_id if approval is not None else None
    settings = ledger.settings
    plan = Plan(
        old=old,
        new=old,
        now=ledger.clock(),
        currency=settings.locale.currency,
        expiry_days=settings.earn.expiry_days,
        validity={r.id: r.validity_days for r in settings.rewards},
        approver_id=approver,
    )
    # A run killed part-way leaves its working folder (a full copy of the
    # ledger): swept here, under the lock, so no running restore loses its own.
    for old_work in ledger.path.parent.glob(f".{ledger.path.name}.restore-*"):
        shutil.rmtree(old_work, ignore_errors=True)
    work = _work_folder(ledger)
    try:
        hq_copy = work / "head-office.db"
        _download(url, token, old, hq_copy, transport)
        if setup_code is None:
            summary = _rebuild(ledger, work, hq_copy, plan)
        else:
            # A trial first: a refusal (an approval needed) keeps the code unused.
            trial = (old[0], f"restore-check-{uuid.uuid4().hex[:8]}")
            _rebuild(ledger, work, hq_copy, replace(plan, new=trial), swap=False)
            joined, secrets = _join_new(ledger, work, url, setup_code, old, transport)
            # The new token is staged beside the secrets file before the swap:
            # a till killed between the swap and the secrets write finishes it
            # at its next sync or restore (finish_pending_secrets).
            stage_secrets(ledger, joined[0][1], json.loads(secrets.read_text()))
            try:
                summary = _rebuild(ledger, work, hq_copy, replace(plan, new=joined[0],
                                   meta=joined[1]))  # fmt: skip
            finally:
                finish_pending_secrets(ledger)  # in place if swapped, else dropped
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary["hq_url"] = url
    return summary


def _work_folder(ledger: Ledger) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f".{ledger.path.name}.restore-",
                                     dir=ledger.path.parent))  # fmt: skip
    except OSError as exc:
        raise RestoreFailed(
            f"Cannot make a working folder beside the ledger in {ledger.path.parent} "
            f"({exc.strerror or exc}): check that the folder is writable and has room."
        ) from None


def _download(
    url: str, token: str, old: tuple[str, str], path: Path, transport: httpx.BaseTransport | None
) -> None:
    try:
        _fetch(url, token, old, path, transport)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise RestoreFailed(
            f"Cannot keep head office's copy in {path.parent} ({exc}): nothing was changed; "
            "check the disk space there and run 'pos ledger restore' again."
        ) from None


def _fetch(
    url: str, token: str, old: tuple[str, str], path: Path, transport: httpx.BaseTransport | None
) -> None:
    copy = HQCopy(path)
    client = RestoreClient(url, token, transport=transport)
    try:
        after = 0
        while True:
            page = client.own_journal(after)
            if (page.store_id, page.terminal_id) != old:
                raise RestoreFailed(
                    f"Head office answered for store {page.store_id}, terminal "
                    f"{page.terminal_id}, but this ledger is store {old[0]}, terminal "
                    f"{old[1]}: nothing was changed; call head office."
                )
            top = copy.add(page.model_dump())
            if not page.more or top <= after:
                return
            after = top
    finally:
        client.close()
        copy.close()


def _rebuild(
    ledger: Ledger, work: Path, hq_copy: Path, plan: Plan, *, swap: bool = True
) -> dict[str, Any]:
    for _ in range(ATTEMPTS):
        snap, target = work / "snapshot.db", work / "rebuilt.db"
        for path in (snap, target):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            version = snapshot(ledger, snap)
            summary = build(snap, hq_copy, target, plan)
            if not swap or swap_in(ledger, target, version):
                return summary
        except (sqlite3.DatabaseError, OSError) as exc:
            # The swap is one transaction: whatever failed, the ledger is as it was.
            raise RestoreFailed(
                f"The ledger could not be rebuilt ({exc}): nothing was changed. Check the disk "
                f"space in {ledger.path.parent}, run 'pos ledger verify', and call support if "
                "it happens again."
            ) from None
    raise RestoreFailed(
        "The ledger kept changing while it was being rebuilt (is the app open on this till?): "
        "nothing was changed; close the app and run 'pos ledger restore' again."
    )


def _join_new(
    ledger: Ledger,
    work: Path,
    url: str,
    setup_code: str,
    old: tuple[str, str],
    transport: httpx.BaseTransport | None,
) -> tuple[tuple[tuple[str, str], dict[str, str]], Path]:
    """Join with the new terminal's code on a scratch ledger (so every part of a join
    happens as ``pos join`` does it); the scratch ledger's head-office rows and
    secrets (the till's own, plus the new token) become the till's."""
    from ledger.service import Ledger

    secrets = work / "join.db.secrets"
    if ledger.secrets_path.is_file():
        fd = os.open(secrets, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(ledger.secrets_path.read_bytes())
    with Ledger.open(work / "join.db", ledger.settings, secrets_path=secrets) as scratch:
        body = join(scratch, url, setup_code, transport=transport)
        ids = (str(body["store_id"]), str(body["terminal_id"]))
        if ids[1] == old[1]:
            raise RestoreFailed(
                f"The setup code is for terminal {old[1]}, the identity this till shares: "
                f"ask head office for a NEW terminal ('pos-hq terminal add {old[0]} NEW_ID') "
                "and run 'pos ledger restore --as-new-terminal' with its code."
            )
        wanted = ("store_id", "terminal_id", K_URL, K_STORE_NAME, K_SETTINGS, K_SETTINGS_VERSION)
        rows = scratch.conn.execute(
            f"SELECT key, value FROM meta WHERE key IN ({', '.join('?' * len(wanted))}) "
            "OR key LIKE 'hq.%' OR key LIKE 'clock.%'",
            wanted,
        ).fetchall()
    return (ids, {str(k): str(v) for k, v in rows}), secrets
