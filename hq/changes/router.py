"""GET /v1/pull: changes after the terminal's cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from hq.changes import service
from hq.deps import CredentialsDep, PoolDep, terminal_connection
from hq.http import error_responses, json_response, server_time
from hq.terminals import service as terminals
from sync.protocol import (
    CURSOR_PATTERN,
    DEFAULT_PULL_LIMIT,
    FEATURE_MEMBER_PAGE,
    FEATURES_HEADER,
    MAX_PULL_LIMIT,
    START_CURSOR,
    PullResponse,
)

router = APIRouter(tags=["sync"])


@router.get(
    "/v1/pull",
    response_model=PullResponse,
    responses=error_responses(401, 422, 503),
    summary="Changes after a cursor: other terminals' entries, members, merges, coupons, settings",
)
def pull(
    pool: PoolDep,
    credentials: CredentialsDep,
    request: Request,
    after: Annotated[
        str,
        Query(pattern=CURSOR_PATTERN, description="next_cursor of the last pull"),
    ] = START_CURSOR,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> Response:
    with terminal_connection(pool, credentials) as (conn, who):
        page = service.pull(conn, who.terminal_id, after, limit,
                            member_pages=_reads_member_pages(request))  # fmt: skip
        keys = terminals.prior_keys(conn)
    extra = {"coupon_keys": keys, "server_time": server_time(request)}
    return json_response(page.model_copy(update=extra))


def _reads_member_pages(request: Request) -> bool:
    """The terminal lists member_page in its features header (older ones cannot
    read the change: their models forbid an unknown kind)."""
    listed = ",".join(request.headers.getlist(FEATURES_HEADER))
    return FEATURE_MEMBER_PAGE in {f.strip() for f in listed.split(",")}
