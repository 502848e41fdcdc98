"""/api/v1/groups: named sets of an advisor's clients with multipliers; another advisor's group is a 404."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import CurrentUser, SessionDep, TraderUser
from app.schemas.common import ERROR_RESPONSES, Page
from app.schemas.groups import GroupCreate, GroupOut, GroupUpdate
from app.services import groups

router = APIRouter(prefix="/groups", tags=["groups"], responses=ERROR_RESPONSES)


@router.get("")
async def list_groups(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[GroupOut]:
    rows, total = await groups.list_visible(session, user, limit=limit, offset=offset)
    return Page(items=await groups.describe(session, rows), total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
async def create_group(body: GroupCreate, user: TraderUser, session: SessionDep) -> GroupOut:
    return await groups.create_group(session, user, body)


@router.get("/{group_id}")
async def get_group(group_id: int, user: CurrentUser, session: SessionDep) -> GroupOut:
    return (await groups.describe(session, [await groups.get_visible(session, user, group_id)]))[0]


@router.patch("/{group_id}")
async def update_group(group_id: int, body: GroupUpdate, user: TraderUser, session: SessionDep) -> GroupOut:
    return await groups.update_group(session, user, group_id, body)


@router.delete("/{group_id}", status_code=204)
async def delete_group(group_id: int, user: TraderUser, session: SessionDep) -> Response:
    await groups.delete_group(session, user, group_id)
    return Response(status_code=204)
