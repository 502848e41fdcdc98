"""/api/v1/batches: the rows of an execute-all or exit-by-token, optionally waiting for every verdict."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ContextDep, CurrentUser
from app.schemas.common import ERROR_RESPONSES
from app.schemas.orders import BatchOut
from app.services import batches

router = APIRouter(prefix="/batches", tags=["batches"], responses=ERROR_RESPONSES)


@router.get("/{batch_id}")
async def get_batch(
    batch_id: int,
    user: CurrentUser,
    ctx: ContextDep,
    wait: Annotated[bool, Query(description="hold the request until no row is PENDING")] = False,
    wait_timeout: Annotated[
        float, Query(alias="timeout", gt=0, le=60, description="seconds to wait at most (capped by the server)")
    ] = 10.0,
) -> BatchOut:
    return await batches.get_batch(ctx, user, batch_id, wait=wait, timeout_s=wait_timeout)
