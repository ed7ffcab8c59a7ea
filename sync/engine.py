"""One sync: push the outbox, then pull the change feed, until both are empty.

Safe to interrupt at any point and to run twice:

* a push is idempotent at head office; only head office's ``acked_seq`` (and
  the members / coupon-event cursors of a push it answered) move the local
  cursors, in one local transaction after the answer;
* a pulled page is applied in one local transaction together with its
  ``next_cursor``;
* one sync at a time per ledger (a ``flock`` on ``<db>.sync-lock``, released by
  the kernel even after SIGKILL).

Transient failures (no network, timeouts, 5xx) are retried a few times with
exponential backoff and jitter, then raised as :class:`HeadOfficeUnreachable`.
"""

from __future__ import annotations

import fcntl
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from ledger.errors import LedgerError
from ledger.replica import Replica
from sync.client import Client, HeadOfficeUnreachable, SyncError
from sync.divergence import check_reply, refuse_if_diverged
from sync.errors import SyncBusy as SyncBusy
from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    MAX_PUSH_ENTRIES,
    MemberInfo,
    PushResponse,
)

if TYPE_CHECKING:
    from ledger.service import Ledger

T = TypeVar("T")
MAX_ROUNDS = 4
"""Push, pull, and again while the pull made new entries to push (merge transfers)."""


@dataclass(frozen=True)
class Retry:
    """Bounded retries for transient errors: at most ``attempts`` calls, waiting
    about base, 2*base, 4*base ... (capped, with jitter) in between."""

    attempts: int = 4
    base_s: float = 0.5
    cap_s: float = 8.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * (rng or _JITTER).random())


NO_RETRY = Retry(attempts=1)
_JITTER = random.Random()


class _Caller:
    def __init__(self, retry: Retry, sleep: Callable[[float], None]) -> None:
        self.retry, self.sleep, self.retries = retry, sleep, 0

    def __call__(self, fn: Callable[[], T]) -> T:
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return fn()
            except HeadOfficeUnreachable:
                if attempt >= self.retry.attempts:
                    raise
                self.retries += 1
                self.sleep(self.retry.delay(attempt))
        raise AssertionError("unreachable")


@contextmanager
def exclusive(ledger: Ledger) -> Iterator[None]:
    """One sync at a time on this ledger, across threads and processes."""
    path = ledger.path.with_name(ledger.path.name + ".sync-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncBusy(key="sync_busy") from None
        yield
    finally:
        os.close(fd)  # releases the lock


def sync_once(
    ledger: Ledger,
    client: Client,
    *,
    batch: int = MAX_PUSH_ENTRIES,
    pull_limit: int = DEFAULT_PULL_LIMIT,
    retry: Retry | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Push everything, pull everything. Returns at least
    ``{"pushed": n, "pulled": m, "conflicts": k}`` (n: own entries head office
    acknowledged during this run; m: changes received; k: conflicts head office
    reported for this push plus those found applying the pull)."""
    replica = Replica(ledger)
    call = _Caller(retry or Retry(), sleep)
    with exclusive(ledger):
        try:
            batch = max(1, min(batch, MAX_PUSH_ENTRIES))  # head office refuses more
            pull_limit = max(1, min(pull_limit, MAX_PULL_LIMIT))
            run = _Run(replica, client, call, batch, pull_limit, ledger)
            result = run.go()
        except SyncError as exc:
            replica.record_attempt(exc.message)
            raise
        replica.record_attempt(run.problem, completed=True)
    state = replica.state()
    result.update(
        acked_seq=state["acked_seq"],
        pending_entries=state["pending_entries"],
        last_sync_at=state["last_sync_at"],
        retries=call.retries,
    )
    return result


class _Run:
    def __init__(
        self,
        replica: Replica,
        client: Client,
        call: _Caller,
        batch: int,
        pull_limit: int,
        ledger: Ledger,
    ) -> None:
        self.replica, self.client, self.call, self.ledger = replica, client, call, ledger
        self.notices: list[str] = []
        """What head office reported about this terminal's pushes, for the supervisor."""
        self.batch, self.pull_limit = batch, pull_limit
        self.stats = dict.fromkeys(
            ("pushed", "pulled", "conflicts", "members_pushed", "coupon_events_pushed",
             "members_merged", "transfers"),
            0,
        )  # fmt: skip
        self.refused: list[dict[str, Any]] = []
        self.problem: str | None = None

    def go(self) -> dict[str, Any]:
        for _ in range(MAX_ROUNDS):
            self.push_all()
            self.pull_all()
            self.settle_phones()
            if self.refused or self.replica.outbox(1).empty:
                break
        self.replica.record_conflicts(self.notices)
        result: dict[str, Any] = dict(self.stats)
        result["refused"] = self.refused
        result["conflict_notices"] = self.notices
        return result

    # -- push --------------------------------------------------------------

    def push_all(self) -> None:
        refuse_if_diverged(self.ledger)
        acked = int(self.replica.state()["acked_seq"])
        rewound = False
        first_push = True
        while True:
            box = self.replica.outbox(self.batch)
            if box.empty and not first_push:
                return
            # The first push goes out even when empty: head office's acked_seq says
            # whether it holds what we think it holds.
            first_push = False
            reply = self.call(
                partial(self.client.push, box.entries, box.members, box.coupon_events)
            )
            top = self.replica.last_seq()
            # Head office holds more, or other entries under our numbers: taking this
            # answer would skip or hide our entries for good (sync.divergence).
            check_reply(self.ledger, reply, top)
            self.replica.acknowledge(reply.acked_seq, box.members_upto, box.events_upto)
            s = self.stats
            s["pushed"] += max(0, reply.acked_seq - acked)
            s["members_pushed"] += len(box.members)
            s["coupon_events_pushed"] += len(box.coupon_events)
            s["members_merged"] += reply.members_merged
            s["conflicts"] += (
                reply.conflicts
                + reply.coupon_conflicts
                + len(reply.negative_balances)
                + reply.members_merged
            )
            self.notice(reply)
            if reply.acked_seq < acked:
                if rewound:
                    raise SyncError(key="sync_error.losing", acked=reply.acked_seq)
                rewound = True  # head office holds less than we thought: send it again
                acked = reply.acked_seq
                continue
            acked = reply.acked_seq
            if box.entries and acked < box.entries[-1]["seq"]:
                # Head office stored this batch only up to an entry it refused (recorded
                # there as a conflict); sending it again changes nothing.
                self.refused = [r.model_dump() for r in reply.refused]
                first = self.refused[0]["message"] if self.refused else f"after seq {acked}"
                self.problem = (
                    f"Head office refused {len(self.refused) or 'an'} entry(ies) of this "
                    f"terminal ({first}); the rest waits. Ask head office to check "
                    "'pos-hq report conflicts'."
                )
                # (Each refusal already has its own notice.)
                self.notices.append(
                    "Head office: this terminal's later entries wait behind the refused "
                    "one(s); ask head office to check 'pos-hq report conflicts'."
                )
                return

    def notice(self, reply: PushResponse) -> None:
        """One line for every conflict head office reported about this push."""
        for refusal in reply.refused:
            self.notices.append(
                f"Head office refused entry {refusal.seq} of this terminal: {refusal.message}"
            )
        if reply.conflicts > len(reply.refused):
            self.notices.append(
                f"Head office refused {reply.conflicts - len(reply.refused)} more entry(ies) "
                "of this terminal (recorded as conflicts; see 'pos-hq report conflicts')."
            )
        for negative in reply.negative_balances:
            self.notices.append(
                f"Head office: {self._who(negative.member_id)} is at {negative.balance} points "
                "after redemptions at more than one terminal (recorded as a conflict)."
            )
        if reply.coupon_conflicts:
            self.notices.append(
                f"Head office: {reply.coupon_conflicts} coupon(s) used here were already used "
                "at another terminal (recorded as a conflict)."
            )
        if reply.members_merged:
            self.notices.append(
                f"Head office: {reply.members_merged} member(s) enrolled here were already "
                "enrolled elsewhere with the same phone; their points now count together."
            )

    def _who(self, member_id: str | None) -> str:
        try:
            member = self.ledger.member_by_id(member_id) if member_id else None
        except LedgerError:
            member = None
        if member is None or member.phone is None:
            return "a member"
        return f"member {self.ledger.mask(member.phone)}"

    # -- pull --------------------------------------------------------------

    def pull_all(self) -> None:
        cursor = str(self.replica.state()["pull_cursor"])
        while True:
            page = self.call(partial(self.client.pull, cursor, self.pull_limit))
            counts = self.replica.apply(
                [c.model_dump() for c in page.changes], next_cursor=page.next_cursor
            )
            self.stats["pulled"] += len(page.changes)
            self.stats["conflicts"] += counts["conflicts"]
            if counts["conflicts"]:
                self.notices.append(
                    f"Head office sent {counts['conflicts']} coupon(s) that do not match a "
                    "redemption in this terminal's journal: not added here."
                )
            self.stats["transfers"] += counts["transfers"]
            cursor = page.next_cursor
            if not page.more:
                return

    def settle_phones(self) -> None:
        """Phones enrolled here and elsewhere too: ask head office who is canonical."""
        for phone in self.replica.unresolved_phones():
            info = self.call(partial(self.client.member, phone))
            counts = self.replica.apply(member_changes(info) if info else [])
            self.stats["transfers"] += counts["transfers"]
            self.replica.settle_phone(phone, info.member.member_id if info else None)


def member_changes(info: MemberInfo) -> list[dict[str, Any]]:
    """Head office's answer to a lookup as changes: the canonical member and
    every member merged into it."""
    canonical = info.member
    changes: list[dict[str, Any]] = [
        {"kind": "member", "member": canonical.model_dump(), "merged_into": None}
    ]
    changes += [
        {
            "kind": "merge",
            "merged_member_id": merged.member_id,
            "merged_wallet_id": merged.wallet_id,
            "member_id": canonical.member_id,
            "wallet_id": canonical.wallet_id,
        }
        for merged in info.merged
    ]
    return changes


def lookup_remote(
    ledger: Ledger, client: Client, phone: str, *, pull: bool = True
) -> MemberInfo | None:
    """A phone not found locally: ask head office (no retries: a cashier is
    waiting). When it knows the member, the member is added here and the
    change feed is pulled (if no other sync is running) so the member's
    entries and balance arrive too. Returns head office's answer (its
    ``balance`` covers every merged wallet) or None."""
    e164 = ledger.normalize(phone)
    info = client.member(e164)
    if info is None:
        return None
    replica = Replica(ledger)
    if pull:
        try:
            with exclusive(ledger):
                _Run(
                    replica, client, _Caller(NO_RETRY, time.sleep), 1, DEFAULT_PULL_LIMIT, ledger
                ).pull_all()
        except SyncError:
            pass  # the answer itself is what the cashier needs; the next sync catches up
    replica.apply(member_changes(info))
    return info
