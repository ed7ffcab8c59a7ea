"""A push sums a wallet's history only when its balance could be below zero
(hq/members/service.py, could_be_negative). Checked here against brute force: every
wallet a push leaves below zero is reported by that push, whatever the terminals
saw of each other before they spent."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hq.db import Conn
from hq.push import service as push_service
from hq.terminals.service import TerminalIdentity
from sync.protocol import PushRequest, entry_row
from tests.hq.conftest import Terminal

TERMINALS, WALLETS = 3, 2


class Chain:
    """Terminals that earn, spend what their own view allows, pull and push."""

    def __init__(self, db: Conn, terminals: list[Terminal], wallets: list[str]) -> None:
        self.db, self.terminals, self.wallets = db, terminals, wallets
        self.own: list[dict[str, int]] = [defaultdict(int) for _ in terminals]
        self.pulled: list[dict[str, int]] = [defaultdict(int) for _ in terminals]
        self.unpushed: list[list[dict[str, Any]]] = [[] for _ in terminals]
        self.at_hq: list[tuple[int, str, int]] = []  # (terminal, wallet, points)

    def view(self, t: int, wallet: str) -> int:
        return self.own[t][wallet] + self.pulled[t][wallet]

    def write(self, t: int, wallet: str, points: int) -> None:
        terminal = self.terminals[t]
        terminal.balances[wallet] = self.view(t, wallet)  # balance_after is the view
        kind = "earn" if points > 0 else "redeem"
        self.unpushed[t].append(terminal.entry(wallet, points, kind=kind))
        self.own[t][wallet] += points

    def pull(self, t: int) -> None:
        for wallet in self.wallets:
            self.pulled[t][wallet] = sum(p for who, w, p in self.at_hq if who != t and w == wallet)

    def push(self, t: int) -> None:
        entries, self.unpushed[t] = self.unpushed[t], []
        terminal = self.terminals[t]
        who = TerminalIdentity(terminal.terminal_id, terminal.store_id)
        request = PushRequest.model_validate({"entries": [entry_row(e) for e in entries]})
        reply = push_service.push(self.db, who, request)
        assert reply.inserted == len(entries)
        self.at_hq += [(t, e["wallet_id"], e["points"]) for e in entries]
        totals = {w: sum(p for _, x, p in self.at_hq if x == w) for w in self.wallets}
        spent = {e["wallet_id"] for e in entries if e["points"] < 0}
        expected = sorted((w, totals[w]) for w in spent if totals[w] < 0)
        reported = sorted((n.wallet_id, n.balance) for n in reply.negative_balances)
        assert reported == expected


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_wallet_a_push_leaves_below_zero_is_reported(
    db: Conn, make_terminal: Any, data: st.DataObject
) -> None:
    run = uuid.uuid4().hex[:8]
    chain = Chain(
        db,
        [make_terminal("S1", f"T{run}{i}") for i in range(TERMINALS)],
        [f"W{run}{i}" for i in range(WALLETS)],
    )
    for t in range(TERMINALS):  # every terminal starts with some points everywhere
        for wallet in chain.wallets:
            chain.write(t, wallet, 20)
        chain.push(t)
    for t in range(TERMINALS):
        chain.pull(t)
    steps = st.tuples(
        st.sampled_from(["earn", "spend", "spend", "pull", "push"]),
        st.integers(0, TERMINALS - 1),
        st.integers(0, WALLETS - 1),
        st.integers(1, 100),
    )
    for action, t, w, amount in data.draw(st.lists(steps, min_size=1, max_size=30)):
        wallet = chain.wallets[w]
        if action == "earn":
            chain.write(t, wallet, amount % 30 + 1)
        elif action == "spend" and chain.view(t, wallet) > 0:
            chain.write(t, wallet, -min(amount, chain.view(t, wallet)))
        elif action == "pull":
            chain.pull(t)
        elif action == "push" and chain.unpushed[t]:
            chain.push(t)
    for t in range(TERMINALS):
        if chain.unpushed[t]:
            chain.push(t)
