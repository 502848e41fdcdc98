"""/api/v1/auth: login (rate-limited, with lockout), refresh (rotating), logout, me."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import ContextDep, CurrentUser, SessionDep
from app.context import AppContext
from app.errors import AppError, NotAuthenticated
from app.models import RevokedToken, User
from app.realtime import events
from app.schemas.auth import LoginRequest, RefreshRequest, TokenPair, UserOut
from app.schemas.common import ERROR_RESPONSES, ErrorResponse
from app.security.tokens import InvalidToken, TokenClaims
from app.services import users

router = APIRouter(prefix="/auth", tags=["auth"], responses={**ERROR_RESPONSES, 429: {"model": ErrorResponse}})

_REFRESH_REFUSED = "The refresh token is invalid, expired or already used; sign in again."


def _pair(ctx: AppContext, user: User) -> TokenPair:
    assert user.id is not None
    return TokenPair(
        access_token=ctx.tokens.issue(user.id, "access", user.token_version),
        refresh_token=ctx.tokens.issue(user.id, "refresh", user.token_version),
    )


def _client_ip(request: Request) -> str:
    # The peer's address, or X-Forwarded-For's when the peer is one of MULTIDESK_TRUSTED_PROXIES (app.main).
    return request.client.host if request.client else "unknown"


@router.post("/login")
async def login(body: LoginRequest, request: Request, ctx: ContextDep, session: SessionDep) -> TokenPair:
    ip = _client_ip(request)
    await ctx.limits.check_login(ip, body.email)
    try:
        user = await users.authenticate(session, body.email, body.password)
    except AppError as exc:
        if exc.code == "INVALID_CREDENTIALS":
            await ctx.limits.login_failed(ip, body.email)
        raise
    await ctx.limits.login_succeeded(ip, body.email)
    return _pair(ctx, user)


async def _refresh_claims(ctx: AppContext, token: str) -> TokenClaims:
    try:
        claims = ctx.tokens.claims(token, "refresh")
    except InvalidToken as exc:
        raise NotAuthenticated(_REFRESH_REFUSED, code="INVALID_TOKEN") from exc
    if claims.jti is None:
        raise NotAuthenticated(_REFRESH_REFUSED, code="INVALID_TOKEN")
    return claims


async def _spend(session: AsyncSession, claims: TokenClaims) -> bool:
    """Records the refresh token as used; False if it already was (one insert, so two racing uses cannot both win)."""
    assert claims.jti is not None
    now = datetime.now(UTC)
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    session.add(RevokedToken(jti=claims.jti, user_id=claims.user_id, expires_at=claims.expires_at))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


@router.post("/refresh")
async def refresh(body: RefreshRequest, ctx: ContextDep, session: SessionDep) -> TokenPair:
    """A new token pair; the refresh token sent is spent (each works once)."""
    claims = await _refresh_claims(ctx, body.refresh_token)
    user = await users.active_user(session, claims.user_id)
    if claims.version != user.token_version or not await _spend(session, claims):
        raise NotAuthenticated(_REFRESH_REFUSED, code="INVALID_TOKEN")
    return _pair(ctx, user)


@router.post("/logout", status_code=204, response_class=Response)
async def logout(body: RefreshRequest, ctx: ContextDep, session: SessionDep) -> Response:
    """Ends every session of the user: the refresh token is spent, every token issued so far stops working."""
    claims = await _refresh_claims(ctx, body.refresh_token)
    user = await session.get(User, claims.user_id)
    if user is not None and claims.version == user.token_version:
        await _spend(session, claims)
        await session.execute(
            update(User).where(User.id == claims.user_id).values(token_version=User.token_version + 1)
        )
        await session.commit()
        await ctx.events.publish(*events.sessions_ended(claims.user_id, claims.version + 1, events.SIGNED_OUT))
    return Response(status_code=204)


@router.get("/me")
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)
