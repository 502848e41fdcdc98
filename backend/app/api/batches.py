"""/api/v1/batches: the rows of an execute-all or exit-by-token, optionally waiting for every verdict; retry."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ContextDep, CurrentUser, OrderRateLimit, TraderUser
from app.api.orders import IdempotencyKey
from app.errors import InvalidRequest
from app.schemas.common import ERROR_RESPONSES
from app.schemas.orders import BatchOut, RetryRequest
from app.services import batches, retries

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


@router.post("/{batch_id}/retry", status_code=202, dependencies=[OrderRateLimit])
async def retry_batch(
    batch_id: int,
    user: TraderUser,
    ctx: ContextDep,
    body: RetryRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> BatchOut:
    """Send again, as a new batch, the rows the broker never took (REJECTED, or CANCELLED as NOT_AT_BROKER)."""
    if idempotency_key is None:
        raise InvalidRequest("A retry needs an Idempotency-Key header.", code="IDEMPOTENCY_KEY_REQUIRED")
    return await retries.retry_batch(ctx, user, batch_id, body or RetryRequest(), idempotency_key)
