"""GET /v1/restore: head office's copy of the calling terminal's own journal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hq.deps import CredentialsDep, PoolDep, terminal_connection
from hq.http import error_responses, json_response
from hq.restore import service
from hq.restore.service import MAX_RESTORE_ENTRIES, RestoreResponse
from sync.protocol import INT64_MAX

router = APIRouter(tags=["sync"])


@router.get(
    "/v1/restore",
    response_model=RestoreResponse,
    responses=error_responses(401, 422, 503),
    summary="The calling terminal's own entries (and members, coupons) as head office holds them",
)
def restore(
    pool: PoolDep,
    credentials: CredentialsDep,
    after: Annotated[
        int, Query(ge=0, le=INT64_MAX, description="the last seq already received")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_RESTORE_ENTRIES)] = MAX_RESTORE_ENTRIES,
) -> Response:
    """For ``pos ledger restore``: a till restored from an old copy rebuilds its
    journal from these. Only the token's own terminal is ever answered."""
    with terminal_connection(pool, credentials) as (conn, who):
        return json_response(service.own_journal(conn, who.store_id, who.terminal_id, after, limit))
