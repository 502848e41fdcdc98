"""/api/v1/users: user administration (admin only)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import AdminUser, ContextDep, SessionDep
from app.schemas.auth import UserCreate, UserOut, UserUpdate
from app.schemas.common import ERROR_RESPONSES, Page
from app.services import users

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)


@router.get("")
async def list_users(
    admin: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[UserOut]:
    rows, total = await users.list_users(session, limit=limit, offset=offset)
    return Page(items=[UserOut.model_validate(u) for u in rows], total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
async def create_user(body: UserCreate, admin: AdminUser, session: SessionDep) -> UserOut:
    user = await users.create_user(
        session, actor=admin, email=body.email, full_name=body.full_name, role=body.role, password=body.password
    )
    return UserOut.model_validate(user)


@router.patch("/{user_id}")
async def update_user(
    user_id: int, body: UserUpdate, admin: AdminUser, session: SessionDep, ctx: ContextDep
) -> UserOut:
    """A role change or deactivation ends the user's sessions: their tokens stop working, their sockets close."""
    changes = body.model_dump(exclude_unset=True)
    user = await users.update_user(session, ctx.events, actor=admin, user_id=user_id, changes=changes)
    return UserOut.model_validate(user)


@router.post("/{user_id}/deactivate")
async def deactivate_user(user_id: int, admin: AdminUser, session: SessionDep, ctx: ContextDep) -> UserOut:
    user = await users.update_user(session, ctx.events, actor=admin, user_id=user_id, changes={"is_active": False})
    return UserOut.model_validate(user)


@router.post("/{user_id}/unlock")
async def unlock_user(user_id: int, admin: AdminUser, session: SessionDep, ctx: ContextDep) -> UserOut:
    """Lifts every sign-in lockout of the user (429 LOGIN_LOCKED after repeated failures), from any address."""
    user = await users.unlock_user(session, ctx.limits, actor=admin, user_id=user_id)
    return UserOut.model_validate(user)
