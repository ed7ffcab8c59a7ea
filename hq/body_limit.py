"""A cap on every request body, before any of it is kept in memory.

``POST /v1/push`` reads its own body up to MAX_PUSH_BYTES (hq.deps.raw_body);
every other body (a join, a member lookup) is a few hundred bytes, yet FastAPI
would read one of any size into memory before validating it, and /v1/join
needs no token: anyone could make head office hold gigabytes. Past the cap the
request is answered 413 with the usual error body.
"""

from __future__ import annotations

import json
from typing import Any

from sync.protocol import MAX_PUSH_BYTES

MAX_SMALL_BODY_BYTES = 64 * 1024
_LIMITS = {"/v1/push": MAX_PUSH_BYTES}


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware (no buffering of its own)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _LIMITS.get(scope.get("path", ""), MAX_SMALL_BODY_BYTES)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, scope.get("path", ""))
            return
        seen = 0
        started = False

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # (FastAPI turns this into a 400 whose cause it is: see hq.app.)
                    raise BodyTooLarge(_message(limit, scope.get("path", "")))
            return message

        async def watched(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(send, limit, scope.get("path", ""))


def _message(limit: int, path: str) -> str:
    what = "send smaller batches" if path in _LIMITS else "this request is never that large"
    return f"The request body is over {limit} bytes: {what}."


async def _too_large(send: Any, limit: int, path: str) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "message": _message(limit, path),
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
