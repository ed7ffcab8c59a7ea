"""The head-office ASGI app: FastAPI over a psycopg connection pool.

``create_app(settings)`` opens its own pool at startup (and checks the schema
is migrated); tests and benchmarks may pass an open ``pool`` instead.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from hq.backoffice import web as backoffice
from hq.body_limit import BodyLimit, BodyTooLarge
from hq.changes.router import router as changes_router
from hq.db import Pool, check_migrated, make_pool
from hq.deps import PoolDep, known_query
from hq.errors import DatabaseUnavailable, HQError, TooManyAttempts, from_validation
from hq.http import error_responses, mask_access_log, server_time, utc_now
from hq.memberpage import web as member_page
from hq.members.router import router as members_router
from hq.push.router import router as push_router
from hq.restore.router import router as restore_router
from hq.settings import HQSettings
from hq.terminals.limits import FailureLimiter, parse_proxies
from hq.terminals.router import router as terminals_router
from sync.protocol import PROTOCOL_VERSION, Health, PushRequest

log = logging.getLogger("hq.app")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


def create_app(settings: HQSettings | None = None, *, pool: Pool | None = None) -> FastAPI:
    settings = settings or HQSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = pool is None
        active = pool if pool is not None else make_pool(settings)
        if own:
            try:
                await run_in_threadpool(active.open, True, settings.pool_timeout_s)
            except PoolTimeout:
                raise DatabaseUnavailable(
                    "Cannot reach the head-office database: check POS_HQ_DSN."
                ) from None
        try:
            await run_in_threadpool(_check_schema, active)
            app.state.pool = active
            yield
        finally:
            if own:
                await run_in_threadpool(active.close)

    app = FastAPI(
        title="Loyalty POS head office",
        version=f"{PROTOCOL_VERSION}",
        summary="Terminal sync: join, push, pull, member lookup.",
        lifespan=lifespan,
        dependencies=[Depends(known_query)],
    )
    app.state.settings = settings
    app.state.clock = utc_now  # head office's time on every answer (tests may move it)
    app.state.trusted_proxies = parse_proxies(settings.trusted_proxies)
    mask_access_log()  # request lines never show a full phone
    app.state.join_limiter = FailureLimiter(
        settings.join_attempts, settings.join_window_s, what="setup codes"
    )
    app.state.lookup_limiter = FailureLimiter(
        settings.lookup_misses,
        settings.lookup_window_s,
        refusal="Too many member lookups of phones head office does not know from this terminal",
    )
    if pool is not None:  # usable without the lifespan (httpx.ASGITransport)
        app.state.pool = pool
    _install_error_handlers(app)
    app.add_middleware(BodyLimit)  # every body capped before it is read (hq/body_limit.py)
    app.include_router(terminals_router)
    app.include_router(push_router)
    app.include_router(changes_router)
    app.include_router(members_router)
    app.include_router(restore_router)
    backoffice.install(app)  # the browser pages under /admin (hq/backoffice/web.py)
    member_page.install(app)  # members' own pages, GET /m/{token} (hq/memberpage/web.py)

    @app.get(
        "/v1/health",
        response_model=Health,
        responses=error_responses(503),
        tags=["meta"],
        summary="Is head office up (and its database reachable)?",
    )
    def health(pool: PoolDep, request: Request) -> Health:
        with pool.connection() as conn:
            conn.execute("SELECT 1")
        return Health(ok=True, protocol_version=PROTOCOL_VERSION, server_time=server_time(request))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _check_schema(pool: Pool) -> None:
    with pool.connection() as conn:
        check_migrated(conn)


def _openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
    )
    # /v1/push reads its body raw (see hq.push.router): add PushRequest by hand.
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in body.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["PushRequest"] = body
    return schema


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    async def hq_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HQError)
        extra = {"details": exc.details} if exc.details is not None else {}
        response = _error(exc.http_status, exc.code, exc.message, **extra)
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        error = from_validation(list(exc.errors()))
        return await hq_error(request, error)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400 and isinstance(exc.__cause__, BodyTooLarge):
            return _error(413, "payload_too_large", str(exc.__cause__))
        if exc.status_code == 400:  # FastAPI could not decode the JSON body at all
            return _error(422, "invalid_request", f"Invalid request: {exc.detail}.")
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        response = _error(exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return _error(503, "database_unavailable", "The head-office database is unavailable.")

    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(500, "internal_error", "Unexpected error at head office; it is logged.")

    app.add_exception_handler(HQError, hq_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(PoolTimeout, unavailable)
    app.add_exception_handler(psycopg.OperationalError, unavailable)
    app.add_exception_handler(Exception, internal)
