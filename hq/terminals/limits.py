"""Failed attempts per client address, for guessable secrets (setup codes), and
per terminal, for member lookups of unknown phones (hq/members/router.py).

A setup code has 40 random bits and lives a day, so guessing one takes
billions of tries; counting failures per address keeps it that way whatever
the server's speed. In memory, per server process: a restart forgets, which
only helps someone who can restart head office.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

from hq.errors import TooManyAttempts

_MAX_ADDRESSES = 10_000  # the oldest address is forgotten beyond this


class FailureLimiter:
    def __init__(
        self,
        attempts: int,
        window_s: float,
        *,
        what: str = "attempts",
        refusal: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts, self.window_s, self.what, self.clock = attempts, window_s, what, clock
        self.refusal = refusal or f"Too many wrong {what} from this address"
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        """TooManyAttempts (429) if ``address`` used up its failures in the window."""
        with self._lock:
            recent = self._recent(address)
            if recent is not None and len(recent) >= self.attempts:
                wait = math.ceil(recent[0] + self.window_s - self.clock())
                raise TooManyAttempts(
                    f"{self.refusal}: try again in {max(1, math.ceil(wait / 60))} minute(s).",
                    retry_after_s=max(1, wait),
                )

    def failed(self, address: str) -> None:
        with self._lock:
            recent = self._recent(address)
            if recent is None:
                recent = self._failures[address] = deque()
                if len(self._failures) > _MAX_ADDRESSES:
                    self._failures.popitem(last=False)
            recent.append(self.clock())

    def _recent(self, address: str) -> deque[float] | None:
        recent = self._failures.get(address)
        if recent is None:
            return None
        horizon = self.clock() - self.window_s
        while recent and recent[0] <= horizon:
            recent.popleft()
        if not recent:
            del self._failures[address]
            return None
        self._failures.move_to_end(address)
        return recent


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """Proxy addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(text: str, proxies: tuple[Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in net for net in proxies)


IPV6_PREFIX = 64
"""Anyone on IPv6 is handed at least a /64: its addresses count as one client."""


def limit_key(address: str) -> str:
    """What failures are counted against: an IPv4 address, or an IPv6 address's /64
    network (an IPv4-mapped IPv6 address counts as its IPv4 address)."""
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return address


def client_address(peer: str | None, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The address limits are counted against.

    The connection's own peer, unless that peer is one of the configured proxies:
    then the last ``X-Forwarded-For`` hop that is not a trusted proxy (hops
    further left were written by the client and prove nothing). Anyone else's
    ``X-Forwarded-For`` is ignored, so rotating it gains a guesser nothing.
    """
    if not peer:
        return "unknown"
    if not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _address(hop) is None:
            return peer  # a hop that is not an address: count it against the proxy
        if not _trusted(hop, proxies):
            return str(_address(hop))
    return peer
