"""A small HTTP client for the head-office protocol (``sync.protocol``).

Every failure becomes a :class:`~sync.errors.SyncError` with a message a
cashier can act on (never a traceback); ``sync.errors`` lists them.
"""

from __future__ import annotations

import functools
import ssl
import time
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import certifi
import httpx
from pydantic import BaseModel, ValidationError

from ledger.clock import parse_iso

# Importable from here too, as before they moved to sync.errors.
from sync.errors import HeadOfficeUnreachable as HeadOfficeUnreachable
from sync.errors import SyncError as SyncError
from sync.errors import SyncRefused as SyncRefused
from sync.errors import Unauthorized as Unauthorized
from sync.errors import WrongTerminal as WrongTerminal
from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    FEATURE_MEMBER_PAGE,
    FEATURES_HEADER,
    PROTOCOL_VERSION,
    Health,
    JoinResponse,
    MemberInfo,
    PullResponse,
    PushResponse,
    entry_row,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 10.0
USER_AGENT = f"loyalty-pos-sync/{PROTOCOL_VERSION}"

M = TypeVar("M", bound=BaseModel)


def normalize_url(url: str) -> str:
    """``hq.example.com`` is not enough: a URL with http(s) and a host, no trailing /."""
    text = (url or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise SyncRefused(key="hq_refused.address", url=url)
    return text


class Client:
    """One head office, one terminal token (none for join and health)."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = normalize_url(url)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json",
                   FEATURES_HEADER: FEATURE_MEMBER_PAGE}  # fmt: skip
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.clock_skew_s: int | None = None
        """Head office's clock minus this till's, from the last answer carrying
        ``server_time`` (None until one arrives)."""
        self.coupon_keys: list[str] | None = None
        """The chain's earlier coupon keys, from the last pull (None: no pull yet)."""
        self.signing_keys: list[str] = []
        """Keys this terminal signed coupons with: sent with the first push."""
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._http = httpx.Client(
            base_url=self.url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            verify=ssl_context(),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints ---------------------------------------------------------

    def health(self) -> Health:
        return self._timed(Health, "GET", "/v1/health")

    def join(
        self,
        setup_code: str,
        current: tuple[str, str] | None = None,
        signed_with: list[str] | None = None,
    ) -> JoinResponse:
        """``current``: the (store, terminal) this ledger already is, if any;
        ``signed_with``: the keys its coupons were signed with so far."""
        body: dict[str, Any] = {"setup_code": setup_code}
        if current is not None:
            body["store_id"], body["terminal_id"] = current
        if signed_with:
            body["coupon_keys"] = list(signed_with)
        return self._timed(JoinResponse, "POST", "/v1/join", json=body, auth_hint=False)

    def push(
        self,
        entries: list[dict[str, Any]],
        members: list[dict[str, Any]] | None = None,
        coupon_events: list[dict[str, Any]] | None = None,
    ) -> PushResponse:
        body: dict[str, Any] = {
            "entries": [entry_row(e) for e in entries],
            "members": members or [],
            "coupon_events": coupon_events or [],
        }
        if self.signing_keys:
            body["coupon_keys"] = self.signing_keys
        reply = self._timed(PushResponse, "POST", "/v1/push", json=body)
        self.signing_keys = []  # head office has them now
        return reply

    def pull(self, after: str, limit: int = DEFAULT_PULL_LIMIT) -> PullResponse:
        params = {"after": after, "limit": limit}
        page = self._timed(PullResponse, "GET", "/v1/pull", params=params)
        self.coupon_keys = list(page.coupon_keys)
        return page

    def member(self, phone: str) -> MemberInfo | None:
        """Head office's member for an E.164 phone; None if it has none. The phone
        goes in the body: URLs end up in access logs."""
        reply = self._send("POST", "/v1/members/lookup", json={"phone": phone}, missing_ok=True)
        return None if reply.status_code == 404 else _parse(MemberInfo, reply, self.url)

    def _timed(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        """A request whose answer carries ``server_time``: note the clock skew,
        measured against the middle of the round trip."""
        sent = time.time_ns()
        reply = self._send(method, path, **kwargs)
        received = time.time_ns()
        parsed = _parse(model, reply, self.url)
        stamp = getattr(parsed, "server_time", None)
        if isinstance(stamp, str):
            try:
                server = parse_iso(stamp)
            except ValueError:
                return parsed  # not a time we can read: no opinion about the clock
            # Whole seconds, in integers: head office's time against the middle
            # of the round trip, rounded to the nearest second.
            server_us = (server - _EPOCH) // timedelta(microseconds=1)
            skew_us = server_us - (sent + received) // 2000
            self.clock_skew_s = (skew_us + 500_000) // 1_000_000
        return parsed

    # -- plumbing ----------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        missing_ok: bool = False,
        auth_hint: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        try:
            reply = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            what = "connect" if isinstance(exc, httpx.ConnectTimeout) else "answer"
            raise HeadOfficeUnreachable(
                key=f"hq_unreachable.timeout_{what}", url=self.url
            ) from None
        except httpx.ConnectError as exc:
            raise HeadOfficeUnreachable(
                key="hq_unreachable", url=self.url, reason=_reason(exc)
            ) from None
        except httpx.TransportError as exc:
            raise HeadOfficeUnreachable(
                key="hq_unreachable.cut", url=self.url, reason=_reason(exc)
            ) from None
        except httpx.HTTPError as exc:  # invalid URL and the like
            raise SyncRefused(key="hq_refused.talk", url=self.url, reason=_reason(exc)) from None
        status = reply.status_code
        if status == 404 and missing_ok and _error_code(reply) not in (None, "not_found"):
            return reply  # head office has no such record: the caller says what that means
        if status >= 500:
            raise HeadOfficeUnreachable(
                key="hq_unreachable.server", url=self.url, status=status, hq=_message(reply)
            )
        if status == 403 and _error_code(reply) == "wrong_terminal":
            raise WrongTerminal(key="wrong_terminal", hq=_message(reply))
        if status == 403 and _error_code(reply) == "forbidden":
            # A push that acts for another terminal's member or coupon: the token is fine.
            raise SyncRefused(key="hq_refused.push", hq=_message(reply))
        if status in (401, 403):
            key = "hq_unauthorized.rejoin" if auth_hint else "hq_unauthorized"
            raise Unauthorized(key=key, hq=_message(reply))
        if status == 404 and _error_code(reply) in (None, "not_found"):
            raise SyncRefused(key="hq_refused.not_hq", url=self.url, path=path)
        if status >= 400:
            raise SyncRefused(key="hq_refused", status=status, hq=_message(reply))
        return reply


def _parse(model: type[M], reply: httpx.Response, url: str) -> M:
    try:
        return model.model_validate_json(reply.content)
    except ValidationError:
        raise HeadOfficeUnreachable(key="hq_unreachable.not_hq", url=url) from None


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle takes ~0.1 s: once per process, not per client."""
    return ssl.create_default_context(cafile=certifi.where())


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__


def _error_body(reply: httpx.Response) -> dict[str, Any] | None:
    try:
        body = reply.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def _error_code(reply: httpx.Response) -> str | None:
    error = _error_body(reply)
    return str(error.get("code")) if error and error.get("code") else None


def _message(reply: httpx.Response) -> str:
    error = _error_body(reply)
    if error and isinstance(error.get("message"), str):
        return str(error["message"])
    return reply.reason_phrase or f"HTTP {reply.status_code}"
