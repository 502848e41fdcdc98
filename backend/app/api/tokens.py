"""/api/v1/tokens: instrument search and lookup."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ContextDep, CurrentUser, SessionDep
from app.schemas.clients import HolderOut
from app.schemas.common import ERROR_RESPONSES
from app.schemas.instruments import InstrumentOut
from app.services import instruments, portfolio

router = APIRouter(prefix="/tokens", tags=["tokens"], responses=ERROR_RESPONSES)


@router.get("/search")
async def search_tokens(
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[InstrumentOut]:
    return [InstrumentOut.model_validate(i) for i in await instruments.search_instruments(session, q, limit)]


@router.get("/{token_id}")
async def get_token(token_id: int, user: CurrentUser, session: SessionDep) -> InstrumentOut:
    return InstrumentOut.model_validate(await instruments.get_instrument(session, token_id))


@router.get("/{token_id}/holders")
async def token_holders(token_id: int, user: CurrentUser, ctx: ContextDep, session: SessionDep) -> list[HolderOut]:
    await instruments.get_instrument(session, token_id)
    return await portfolio.holders(ctx, session, user, token_id)
