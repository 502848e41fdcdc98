"""Sign-in and user administration.

A change to what a user may do (role) or whether they may sign in at all (deactivation) bumps their token_version,
so every token issued before it stops working (reactivation does not revive them), and publishes SESSIONS_ENDED so
every backend process ends the user's sockets at once.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.enums import Role
from app.errors import Conflict, NotAuthenticated, NotFound
from app.models import User
from app.realtime import events
from app.realtime.events import EventBus
from app.security.passwords import hash_password, verify_password
from app.security.ratelimit import RateLimits
from app.services import audit

_INVALID = "Invalid email or password."


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    user = await session.scalar(select(User).where(User.email == email.lower()))
    password_ok = verify_password(password, user.password_hash if user else None)
    if user is None or not password_ok:
        await audit.record(
            session, "auth.login_failed", actor_id=user.id if user else None, payload={"email": email.lower()}
        )
        await session.commit()
        raise NotAuthenticated(_INVALID, code="INVALID_CREDENTIALS")
    if not user.is_active:
        await audit.record(
            session, "auth.login_refused_inactive", actor_id=user.id, entity_type="user", entity_id=user.id
        )
        await session.commit()
        # The same answer as a wrong password: a different one would confirm the password to whoever guessed it.
        raise NotAuthenticated(_INVALID, code="INVALID_CREDENTIALS")
    await audit.record(session, "auth.login", actor_id=user.id, entity_type="user", entity_id=user.id)
    await session.commit()
    return user


async def active_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("This account is deactivated or no longer exists.", code="ACCOUNT_INACTIVE")
    return user


async def create_user(
    session: AsyncSession, *, actor: User | None, email: str, full_name: str, role: Role, password: str
) -> User:
    email = email.lower()
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with the email {email} already exists.", code="EMAIL_TAKEN")
    user = User(email=email, full_name=full_name, role=role, password_hash=hash_password(password))
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        "user.create",
        actor_id=actor.id if actor else None,
        entity_type="user",
        entity_id=user.id,
        payload={"email": email, "role": role},
    )
    await session.commit()
    return user


async def list_users(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[User], int]:
    total = await session.scalar(select(func.count()).select_from(User))
    rows = await session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return list(rows), total or 0


async def _user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


async def update_user(
    session: AsyncSession, bus: EventBus, *, actor: User, user_id: int, changes: dict[str, object]
) -> User:
    user = await _user(session, user_id)
    if user.id == actor.id and (changes.get("is_active") is False or changes.get("role", Role.ADMIN) != Role.ADMIN):
        raise Conflict("Admins cannot deactivate or demote themselves.", code="SELF_LOCKOUT")
    reason = None
    if "role" in changes and changes["role"] != user.role:
        reason = events.ROLE_CHANGED
    if changes.get("is_active") is False:
        reason = events.DEACTIVATED
    for field, value in changes.items():
        setattr(user, field, value)
    if reason is not None:
        # Incremented in SQL: a bump committed meanwhile (a logout) is not lost, so no token issued before survives.
        user.token_version = User.token_version + 1  # type: ignore[assignment]
    await audit.record(
        session,
        "user.update",
        actor_id=actor.id,
        entity_type="user",
        entity_id=user.id,
        payload={**changes, "sessions_ended": reason is not None},
    )
    await session.commit()
    if reason is not None:
        await session.refresh(user)
        await bus.publish(*events.sessions_ended(user.id, user.token_version, reason))
    return user


async def unlock_user(session: AsyncSession, limits: RateLimits, *, actor: User, user_id: int) -> User:
    """Clears every sign-in lockout of the user's email, whichever address caused it."""
    user = await _user(session, user_id)
    await limits.unlock(user.email)
    await audit.record(
        session, "user.unlock", actor_id=actor.id, entity_type="user", entity_id=user.id, payload={"email": user.email}
    )
    await session.commit()
    return user
