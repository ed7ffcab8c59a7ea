"""POST /v1/push: a terminal sends entries, members and coupon events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from hq.deps import CredentialsDep, PoolDep, RawBody, SettingsDep, terminal_connection
from hq.errors import HQError, from_validation
from hq.http import error_responses, json_response, server_time
from hq.push import service
from hq.terminals import service as terminals
from sync.protocol import ENTRY_COLUMNS, PushRequest, PushResponse

router = APIRouter(tags=["sync"])

# The body is read raw and validated straight from JSON by pydantic-core
# (several times faster than FastAPI's json.loads + validate); the OpenAPI
# description still names PushRequest (see hq.app.openapi).
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
    }
}


def parse_push(body: bytes) -> PushRequest:
    try:
        return PushRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise from_validation([_name_column(e) for e in errors], "push") from None


def _name_column(error: Any) -> Any:
    """("entries", 3, 4) -> ("entries", 3, "points"): say which column of an entry array."""
    loc = error.get("loc", ())
    if (
        len(loc) >= 3
        and loc[0] == "entries"
        and isinstance(loc[2], int)
        and 0 <= loc[2] < len(ENTRY_COLUMNS)
    ):
        return {**error, "loc": (*loc[:2], ENTRY_COLUMNS[loc[2]], *loc[3:])}
    return error


@router.post(
    "/v1/push",
    response_model=PushResponse,
    responses=error_responses(401, 403, 413, 422, 503),
    openapi_extra=_BODY,
    summary="Push entries, members and coupon events (idempotent)",
)
def push(
    pool: PoolDep,
    credentials: CredentialsDep,
    body: RawBody,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """At most 5,000 entries per request. Entries already stored with the same body
    count as duplicates; a different body under a stored id is refused and recorded
    as a conflict. ``acked_seq`` is the highest seq up to which this terminal's
    entries are all stored."""
    # Parse before taking a connection (it is the slow part), but answer 401
    # before 422: an unauthenticated caller learns nothing about its body.
    parsed: PushRequest | None = None
    problem: HQError | None = None
    try:
        parsed = parse_push(body)
    except HQError as exc:
        problem = exc
    with terminal_connection(pool, credentials) as (conn, who):
        if parsed is None:
            assert problem is not None
            raise problem
        reply = service.push(conn, who, parsed, direct_copy=settings.direct_copy)
        if parsed.coupon_keys:
            terminals.keep_prior_keys(conn, who.terminal_id, parsed.coupon_keys)
    return json_response(reply.model_copy(update={"server_time": server_time(request)}))
