"""/api/v1/market/replay (admins: status, pause, resume, seek) and /api/v1/market/clock (everyone signed in)."""

from fastapi import APIRouter

from app.api.deps import AdminUser, ContextDep, CurrentUser, SessionDep
from app.schemas.common import ERROR_RESPONSES
from app.schemas.replay import MarketClockOut, ReplayStatusOut, SeekIn
from app.services import replay as replay_service

router = APIRouter(prefix="/market", tags=["market"], responses=ERROR_RESPONSES)


@router.get("/clock")
async def clock(user: CurrentUser, ctx: ContextDep) -> MarketClockOut:
    found = replay_service.market_clock(ctx.market.current, ctx.settings.market_data)
    return MarketClockOut(now=found.now, source=found.source, running=found.running)  # type: ignore[arg-type]


@router.get("/replay")
async def replay_status(user: AdminUser, ctx: ContextDep) -> ReplayStatusOut:
    return ReplayStatusOut.of(replay_service.active_replay(ctx.market.current))


@router.post("/replay/pause")
async def pause(user: AdminUser, ctx: ContextDep, session: SessionDep) -> ReplayStatusOut:
    assert user.id is not None
    return ReplayStatusOut.of(await replay_service.pause(session, ctx.market.current, user.id))


@router.post("/replay/resume")
async def resume(user: AdminUser, ctx: ContextDep, session: SessionDep) -> ReplayStatusOut:
    assert user.id is not None
    return ReplayStatusOut.of(await replay_service.resume(session, ctx.market.current, user.id))


@router.post("/replay/seek")
async def seek(body: SeekIn, user: AdminUser, ctx: ContextDep, session: SessionDep) -> ReplayStatusOut:
    assert user.id is not None
    return ReplayStatusOut.of(await replay_service.seek(session, ctx.market.current, user.id, body.to))
