"""/api/v1/auth: login (rate-limited, with lockout), refresh (rotating), logout, me.

Where the refresh token travels depends on the caller. The web app marks its calls with `X-Requested-With`: its
refresh token lives only in an HttpOnly, Secure, SameSite=Strict cookie scoped to /api/v1/auth, which no script
can read, and is never in a response body. Any other client (scripts, tests, the phone app) gets it in the JSON
body and sends it back in the body. The header is also the CSRF guard of the cookie: a cross-site form or link
cannot add a custom header, and a cross-origin script cannot without passing the CORS preflight.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import ContextDep, CurrentUser, SessionDep
from app.context import AppContext
from app.errors import AppError, NotAuthenticated, PermissionDenied
from app.models import RevokedToken, User
from app.realtime import events
from app.schemas.auth import LoginRequest, RefreshRequest, TokenPair, UserOut
from app.schemas.common import ERROR_RESPONSES, ErrorResponse
from app.security.tokens import InvalidToken, TokenClaims
from app.services import users

router = APIRouter(prefix="/auth", tags=["auth"], responses={**ERROR_RESPONSES, 429: {"model": ErrorResponse}})

_REFRESH_REFUSED = "The refresh token is invalid, expired or already used; sign in again."
REFRESH_COOKIE = "multidesk_refresh"
# Sent only to the auth endpoints: never with the API calls, the pages or the socket.
REFRESH_COOKIE_PATH = "/api/v1/auth"
BROWSER_HEADER = "X-Requested-With"


def _is_browser(request: Request) -> bool:
    return bool(request.headers.get(BROWSER_HEADER))


def _pair(ctx: AppContext, user: User, request: Request, response: Response) -> TokenPair:
    """A new token pair: the refresh token in the cookie for the web app, in the body for anyone else."""
    assert user.id is not None
    access = ctx.tokens.issue(user.id, "access", user.token_version)
    refresh = ctx.tokens.issue(user.id, "refresh", user.token_version)
    if not _is_browser(request):
        return TokenPair(access_token=access, refresh_token=refresh)
    response.set_cookie(
        REFRESH_COOKIE,
        refresh,
        max_age=int(ctx.tokens.refresh_ttl.total_seconds()),
        path=REFRESH_COOKIE_PATH,
        secure=ctx.settings.refresh_cookie_secure,
        httponly=True,
        samesite="strict",
    )
    return TokenPair(access_token=access, refresh_token=None)


def _sent_refresh_token(request: Request, body: RefreshRequest | None) -> str:
    """The refresh token of the body, else of the cookie (which needs the CSRF header)."""
    if body is not None:
        return body.refresh_token
    cookie = request.cookies.get(REFRESH_COOKIE)
    if cookie and not _is_browser(request):
        raise PermissionDenied(f"A refresh by cookie needs the {BROWSER_HEADER} header.", code="CSRF_HEADER_MISSING")
    if not cookie:
        raise NotAuthenticated(_REFRESH_REFUSED, code="INVALID_TOKEN")
    return cookie


def _client_ip(request: Request) -> str:
    # The peer's address, or X-Forwarded-For's when the peer is one of MULTIDESK_TRUSTED_PROXIES (app.main).
    return request.client.host if request.client else "unknown"


@router.post("/login")
async def login(
    body: LoginRequest, request: Request, response: Response, ctx: ContextDep, session: SessionDep
) -> TokenPair:
    ip = _client_ip(request)
    await ctx.limits.check_login(ip, body.email)
    try:
        user = await users.authenticate(session, body.email, body.password)
    except AppError as exc:
        if exc.code == "INVALID_CREDENTIALS":
            await ctx.limits.login_failed(ip, body.email)
        raise
    await ctx.limits.login_succeeded(ip, body.email)
    return _pair(ctx, user, request, response)


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
async def refresh(
    request: Request, response: Response, ctx: ContextDep, session: SessionDep, body: RefreshRequest | None = None
) -> TokenPair:
    """A new token pair; the refresh token sent (in the body, or the web app's cookie) is spent: each works once."""
    claims = await _refresh_claims(ctx, _sent_refresh_token(request, body))
    user = await users.active_user(session, claims.user_id)
    if claims.version != user.token_version or not await _spend(session, claims):
        raise NotAuthenticated(_REFRESH_REFUSED, code="INVALID_TOKEN")
    return _pair(ctx, user, request, response)


@router.post("/logout", status_code=204, response_class=Response)
async def logout(
    request: Request, ctx: ContextDep, session: SessionDep, body: RefreshRequest | None = None
) -> Response:
    """Ends every session of the user: the refresh token is spent, every token issued so far stops working."""
    claims = await _refresh_claims(ctx, _sent_refresh_token(request, body))
    user = await session.get(User, claims.user_id)
    if user is not None and claims.version == user.token_version:
        await _spend(session, claims)
        await session.execute(
            update(User).where(User.id == claims.user_id).values(token_version=User.token_version + 1)
        )
        await session.commit()
        await ctx.events.publish(*events.sessions_ended(claims.user_id, claims.version + 1, events.SIGNED_OUT))
    answer = Response(status_code=204)
    answer.delete_cookie(
        REFRESH_COOKIE,
        path=REFRESH_COOKIE_PATH,
        secure=ctx.settings.refresh_cookie_secure,
        httponly=True,
        samesite="strict",
    )
    return answer


@router.get("/me")
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)
