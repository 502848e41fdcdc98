"""/api/v1/auth: login, refresh, me."""

from fastapi import APIRouter

from app.api.deps import ContextDep, CurrentUser, SessionDep
from app.errors import NotAuthenticated
from app.schemas.auth import LoginRequest, RefreshRequest, TokenPair, UserOut
from app.schemas.common import ERROR_RESPONSES
from app.security.tokens import InvalidToken
from app.services import users

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/login")
async def login(body: LoginRequest, ctx: ContextDep, session: SessionDep) -> TokenPair:
    user = await users.authenticate(session, body.email, body.password)
    assert user.id is not None
    return TokenPair(
        access_token=ctx.tokens.issue(user.id, "access"), refresh_token=ctx.tokens.issue(user.id, "refresh")
    )


@router.post("/refresh")
async def refresh(body: RefreshRequest, ctx: ContextDep, session: SessionDep) -> TokenPair:
    try:
        user_id = ctx.tokens.user_id(body.refresh_token, "refresh")
    except InvalidToken as exc:
        raise NotAuthenticated(
            "The refresh token is invalid or has expired; sign in again.", code="INVALID_TOKEN"
        ) from exc
    user = await users.active_user(session, user_id)
    assert user.id is not None
    return TokenPair(
        access_token=ctx.tokens.issue(user.id, "access"), refresh_token=ctx.tokens.issue(user.id, "refresh")
    )


@router.get("/me")
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)
