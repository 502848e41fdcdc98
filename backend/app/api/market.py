"""/api/v1/market: latest quotes from the market-data port (for pages that load before the socket connects),
candles and indicators.

Instruments the source has no price for are left out; a source that cannot price anything now (Motilal's
market-data account missing or refused) answers 503 MARKET_DATA_UNAVAILABLE saying why, and other broker
failures 502 BROKER_UNAVAILABLE.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.api.deps import ContextDep, CurrentUser, SessionDep
from app.db import release_connection
from app.errors import InvalidRequest, MarketDataDown
from app.market.port import MarketDataUnavailable
from app.models import Instrument
from app.models.instrument import instrument_ref
from app.schemas.common import ERROR_RESPONSES
from app.schemas.market import BarsOut, IndicatorOut, QuoteOut
from app.services import bars as bar_service

router = APIRouter(prefix="/market", tags=["market"], responses=ERROR_RESPONSES)


@router.get("/quotes")
async def quotes(
    user: CurrentUser,
    ctx: ContextDep,
    session: SessionDep,
    token_ids: Annotated[str, Query(description="comma-separated token ids, at most 200")],
) -> list[QuoteOut]:
    try:
        wanted = [int(part) for part in token_ids.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidRequest("token_ids must be comma-separated integers.", code="INVALID_TOKEN_IDS") from exc
    if not wanted or len(wanted) > 200:
        raise InvalidRequest("Give between 1 and 200 token ids.", code="INVALID_TOKEN_IDS")
    instruments = list(await session.scalars(select(Instrument).where(Instrument.token_id.in_(wanted))))
    refs = [instrument_ref(i) for i in instruments]
    await release_connection(session)  # no connection held while the market data answers
    try:
        found = await ctx.market.quotes(refs)
    except MarketDataUnavailable as exc:
        raise MarketDataDown(f"Market data ({ctx.market.name}) is unavailable: {exc}") from None
    return [QuoteOut.from_quote(found[token_id]) for token_id in wanted if token_id in found]


@router.get("/bars")
async def bars(
    user: CurrentUser,
    ctx: ContextDep,
    session: SessionDep,
    token_id: int,
    interval: Annotated[str, Query(description="1m, 5m, 15m, 1h or 1d")] = "1m",
    start: Annotated[
        str | None, Query(alias="from", description="ISO 8601 with a zone; default 300 candles back")
    ] = None,
    end: Annotated[str | None, Query(alias="to", description="ISO 8601 with a zone, exclusive; default now")] = None,
) -> BarsOut:
    return BarsOut.model_validate(await bar_service.bars(ctx, session, token_id, interval, start, end))


@router.get("/indicators")
async def indicators(
    user: CurrentUser,
    ctx: ContextDep,
    session: SessionDep,
    token_id: int,
    name: Annotated[str, Query(description="sma, ema, rsi, atr or vwap")],
    interval: str = "1m",
    period: int = 14,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
) -> IndicatorOut:
    found = await bar_service.indicator(ctx, session, token_id, interval, name, period, start, end)
    return IndicatorOut.model_validate(found)
