"""/api/v1/trades: fills, exiting one position, exit-by-token."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ContextDep, CurrentUser, OrderRateLimit, SessionDep, TraderUser
from app.api.filters import DateRangeDep
from app.api.orders import IdempotencyKey
from app.schemas.common import ERROR_RESPONSES, ErrorResponse, Page
from app.schemas.orders import BatchOut, ExitByTokenRequest, ExitOrderTerms, OrderOut, TradeOut
from app.services import exits, trades

router = APIRouter(prefix="/trades", tags=["trades"], responses={**ERROR_RESPONSES, 429: {"model": ErrorResponse}})


@router.get("")
async def list_trades(
    user: CurrentUser,
    session: SessionDep,
    dates: DateRangeDep,
    client_id: int | None = None,
    token_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[TradeOut]:
    rows, total = await trades.list_trades(
        session,
        user,
        client_id=client_id,
        token_id=token_id,
        date_from=dates.start,
        date_to=dates.end,
        limit=limit,
        offset=offset,
    )
    return Page(items=rows, total=total, limit=limit, offset=offset)


@router.post("/exit-by-token/{token_id}", status_code=202, dependencies=[OrderRateLimit])
async def exit_by_token(
    token_id: int,
    user: TraderUser,
    ctx: ContextDep,
    body: ExitByTokenRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> BatchOut:
    return await exits.exit_by_token(ctx, user, token_id, body or ExitByTokenRequest(), idempotency_key)


@router.post("/{trade_id}/exit", status_code=201, dependencies=[OrderRateLimit])
async def exit_trade(trade_id: int, user: TraderUser, ctx: ContextDep, body: ExitOrderTerms | None = None) -> OrderOut:
    return await exits.exit_trade(ctx, user, trade_id, body or ExitOrderTerms())
