"""Request dependencies: the app context, a database session, the current user and role checks."""

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.enums import Role
from app.errors import NotAuthenticated, PermissionDenied
from app.models import User
from app.security.tokens import InvalidToken

_bearer = HTTPBearer(auto_error=False)


def get_context(request: Request) -> AppContext:
    return request.app.state.ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    async with ctx.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_current_user(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The signed-in user, read in a session of its own that ends at once: every route needs the user, so the
    request-scoped session would otherwise hold a pooled connection for the whole request, broker waits included."""
    if credentials is None:
        raise NotAuthenticated("Sign in first: send the access token as a Bearer header.")
    try:
        claims = ctx.tokens.claims(credentials.credentials, "access")
    except InvalidToken as exc:
        raise NotAuthenticated("The access token is invalid or has expired.", code="INVALID_TOKEN") from exc
    async with ctx.sessions() as session:
        user = await session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("This account is deactivated or no longer exists.", code="ACCOUNT_INACTIVE")
    if claims.version != user.token_version:
        raise NotAuthenticated("This session has ended (signed out); sign in again.", code="INVALID_TOKEN")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], Coroutine[Any, Any, User]]:
    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied(f"This needs the role {' or '.join(roles)}; you are {user.role}.")
        return user

    return check


AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
# Anyone who may change clients and trade: admins and advisors, never viewers.
TraderUser = Annotated[User, Depends(require_role(Role.ADMIN, Role.ADVISOR))]


async def limit_orders(user: TraderUser, ctx: ContextDep) -> None:
    """The per-user budget shared by every order-sending endpoint (place, execute-all, cancel, modify, exits)."""
    assert user.id is not None
    await ctx.limits.check_orders(user.id)


# Add to an order-sending route: `dependencies=[OrderRateLimit]`.
OrderRateLimit = Depends(limit_orders)
