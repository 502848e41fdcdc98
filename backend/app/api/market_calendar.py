"""/api/v1/market/status and /api/v1/market/calendar/overrides: the exchange's phase now, and the admin's
holidays and special sessions (app/services/trading_day.py)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import AdminUser, ContextDep, CurrentUser, SessionDep
from app.schemas.calendar import CalendarOverrideIn, CalendarOverrideOut, ExchangeName, MarketStatusOut
from app.schemas.common import ERROR_RESPONSES
from app.services import trading_day

router = APIRouter(prefix="/market", tags=["market"], responses=ERROR_RESPONSES)


@router.get("/status")
async def market_status(
    user: CurrentUser, ctx: ContextDep, exchange: Annotated[ExchangeName, Query()] = "NSE"
) -> MarketStatusOut:
    return trading_day.status_out(ctx, exchange)


@router.get("/calendar/overrides")
async def list_overrides(user: CurrentUser, session: SessionDep) -> list[CalendarOverrideOut]:
    return await trading_day.list_overrides(session)


@router.post("/calendar/overrides", status_code=201)
async def add_override(body: CalendarOverrideIn, admin: AdminUser, ctx: ContextDep) -> CalendarOverrideOut:
    return await trading_day.add_override(ctx, admin, body)


@router.delete("/calendar/overrides/{override_id}", status_code=204, response_class=Response)
async def remove_override(override_id: int, admin: AdminUser, ctx: ContextDep) -> Response:
    await trading_day.remove_override(ctx, admin, override_id)
    return Response(status_code=204)
