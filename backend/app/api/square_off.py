"""/api/v1/square-off/schedule: the caller's daily "square off all intraday" time (see services/square_off.py)."""

from fastapi import APIRouter

from app.api.deps import ContextDep, SessionDep, TraderUser
from app.schemas.common import ERROR_RESPONSES
from app.schemas.square_off import SquareOffScheduleIn, SquareOffScheduleOut
from app.services import square_off

router = APIRouter(prefix="/square-off", tags=["square-off"], responses=ERROR_RESPONSES)


@router.get("/schedule")
async def get_schedule(user: TraderUser, ctx: ContextDep, session: SessionDep) -> SquareOffScheduleOut:
    return await square_off.get_schedule(ctx, session, user)


@router.put("/schedule")
async def set_schedule(
    body: SquareOffScheduleIn, user: TraderUser, ctx: ContextDep, session: SessionDep
) -> SquareOffScheduleOut:
    return await square_off.set_schedule(ctx, session, user, body)
