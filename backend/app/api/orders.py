"""/api/v1/orders: place one order, execute-all and its preview, the order book, cancel and modify."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from app.api.deps import ContextDep, CurrentUser, OrderRateLimit, SessionDep, TraderUser
from app.api.filters import DateRangeDep
from app.enums import OrderStatus
from app.errors import InvalidRequest
from app.schemas.common import ERROR_RESPONSES, ErrorResponse, Page
from app.schemas.orders import BatchOut, ExecuteAllRequest, ModifyOrderRequest, OrderOut, PlaceOrderRequest
from app.schemas.preview import PreviewOut
from app.services import batches, orders
from app.services import preview as previews

router = APIRouter(prefix="/orders", tags=["orders"], responses={**ERROR_RESPONSES, 429: {"model": ErrorResponse}})

_MAX_KEY = 128


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description=f"The same key returns the same batch and sends nothing again: 1 to {_MAX_KEY} characters.",
        ),
    ] = None,
) -> str | None:
    """No header is no key; an empty or blank one is refused, not taken as the key every keyless caller shares."""
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > _MAX_KEY or not key.isprintable():
        raise InvalidRequest(
            f"Idempotency-Key must be 1 to {_MAX_KEY} printable characters; leave the header out to send no key.",
            code="INVALID_IDEMPOTENCY_KEY",
        )
    return key


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]


@router.post("/place", status_code=201, dependencies=[OrderRateLimit])
async def place_order(body: PlaceOrderRequest, user: TraderUser, ctx: ContextDep) -> OrderOut:
    return await orders.place_order(ctx, user, body)


@router.post("/execute-all", status_code=202, dependencies=[OrderRateLimit])
async def execute_all(
    body: ExecuteAllRequest, user: TraderUser, ctx: ContextDep, idempotency_key: IdempotencyKey = None
) -> BatchOut:
    return await batches.execute_all(ctx, user, body, idempotency_key)


@router.post("/preview")
async def preview(body: ExecuteAllRequest, user: TraderUser, ctx: ContextDep) -> PreviewOut:
    """What execute-all would send for this body, per client and in total; nothing is written or sent."""
    return await previews.preview(ctx, user, body)


@router.get("")
async def list_orders(
    user: CurrentUser,
    session: SessionDep,
    dates: DateRangeDep,
    client_id: int | None = None,
    token_id: int | None = None,
    status: OrderStatus | None = None,
    batch_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[OrderOut]:
    rows, total = await orders.list_orders(
        session,
        user,
        client_id=client_id,
        token_id=token_id,
        status=status,
        batch_id=batch_id,
        date_from=dates.start,
        date_to=dates.end,
        limit=limit,
        offset=offset,
    )
    return Page(items=rows, total=total, limit=limit, offset=offset)


@router.get("/{order_id}")
async def get_order(order_id: int, user: CurrentUser, ctx: ContextDep) -> OrderOut:
    return await orders.get_order(ctx, user, order_id)


@router.post("/{order_id}/cancel", dependencies=[OrderRateLimit])
async def cancel_order(order_id: int, user: TraderUser, ctx: ContextDep) -> OrderOut:
    return await orders.cancel_order(ctx, user, order_id)


@router.patch("/{order_id}", dependencies=[OrderRateLimit])
async def modify_order(order_id: int, body: ModifyOrderRequest, user: TraderUser, ctx: ContextDep) -> OrderOut:
    return await orders.modify_order(ctx, user, order_id, body)
