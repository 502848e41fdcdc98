"""Client groups: who may see and change which group, member validation, and the audited writes."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.enums import Role
from app.errors import Conflict, InvalidRequest, NotFound
from app.models import Client, ClientGroup, ClientGroupMember, User
from app.models.types import utcnow
from app.schemas.groups import GroupCreate, GroupMemberIn, GroupMemberOut, GroupOut, GroupUpdate
from app.services import audit
from app.services.clients import visible_clients


def visible_groups(user: User) -> Select[tuple[ClientGroup]]:
    """Admins and viewers see every group; an advisor only their own (like clients)."""
    query = select(ClientGroup)
    if user.role == Role.ADVISOR:
        query = query.where(ClientGroup.owner_id == user.id)
    return query


async def get_visible(session: AsyncSession, user: User, group_id: int, *, for_update: bool = False) -> ClientGroup:
    # Another advisor's group is answered exactly like a missing one.
    query = visible_groups(user).where(ClientGroup.id == group_id)
    if for_update:
        # Two edits of one group's members one after the other, not interleaved (PostgreSQL; SQLite has one writer).
        query = query.with_for_update()
    group = await session.scalar(query)
    if group is None:
        raise NotFound(f"No group with id {group_id}.", code="GROUP_NOT_FOUND")
    return group


async def describe(session: AsyncSession, groups: Sequence[ClientGroup]) -> list[GroupOut]:
    """The groups with their members (name, account, active or not), members ordered by name."""
    ids = [g.id for g in groups]
    rows = await session.execute(
        select(ClientGroupMember, Client)
        .join(Client, Client.id == ClientGroupMember.client_id)
        .where(ClientGroupMember.group_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(Client.display_name, Client.id)
    )
    members: dict[int, list[GroupMemberOut]] = {gid: [] for gid in ids if gid is not None}
    for member, client in rows:
        members[member.group_id].append(
            GroupMemberOut(
                client_id=member.client_id,
                display_name=client.display_name,
                broker_client_id=client.broker_client_id,
                multiplier=member.multiplier,
                is_active=client.is_active,
            )
        )
    return [
        GroupOut(
            id=g.id,  # type: ignore[arg-type]
            owner_id=g.owner_id,
            name=g.name,
            members=members[g.id],  # type: ignore[index]
            created_at=g.created_at,
            updated_at=g.updated_at,
        )
        for g in groups
    ]


async def list_visible(session: AsyncSession, user: User, *, limit: int, offset: int) -> tuple[list[ClientGroup], int]:
    query = visible_groups(user)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(ClientGroup.name, ClientGroup.id).limit(limit).offset(offset))
    return list(rows), total or 0


async def _owner_for(session: AsyncSession, actor: User, requested: int | None) -> User:
    if requested is None or requested == actor.id:
        return actor
    if actor.role != Role.ADMIN:
        raise InvalidRequest("Advisors make groups for themselves only.", code="OWNER_NOT_ALLOWED")
    owner = await session.get(User, requested)
    if owner is None or owner.role != Role.ADVISOR or not owner.is_active:
        raise InvalidRequest(f"User {requested} is not an active advisor.", code="OWNER_NOT_ADVISOR")
    return owner


async def _check_members(session: AsyncSession, owner: User, members: list[GroupMemberIn], already: set[int]) -> None:
    """Every member is a client the group's owner may see (an advisor: their own). A client the caller cannot
    see is answered like a missing one. A deactivated client already in the group stays; a new one is refused,
    since nothing could be sent to it."""
    wanted = {m.client_id for m in members}
    if not wanted:
        return
    found = {
        c.id: c
        for c in await session.scalars(visible_clients(owner).where(Client.id.in_(wanted)))  # type: ignore[union-attr]
    }
    missing = sorted(wanted - found.keys())
    if missing:
        raise NotFound(
            f"No client with id {missing[0]} on this desk.", code="CLIENT_NOT_FOUND", details={"client_ids": missing}
        )
    inactive = sorted(cid for cid, c in found.items() if not c.is_active and cid not in already)
    if inactive:
        raise InvalidRequest(
            f"Client {inactive[0]} is deactivated; it cannot join a group.",
            code="CLIENT_INACTIVE",
            details={"client_ids": inactive},
        )


def _members_payload(members: list[GroupMemberIn]) -> list[dict[str, object]]:
    return [{"client_id": m.client_id, "multiplier": str(m.multiplier)} for m in members]


@asynccontextmanager
async def _unique_name(session: AsyncSession, name: str) -> AsyncIterator[None]:
    try:
        yield
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"There is already a group named {name!r}.", code="GROUP_EXISTS") from exc


async def _name_taken(session: AsyncSession, owner_id: int, name: str, group_id: int | None = None) -> None:
    """Names are compared ignoring case, as the unique index on (owner_id, lower(name)) compares them. Checked first
    for an answer naming the existing group; the index still decides between two concurrent writers."""
    query = select(ClientGroup.name).where(
        ClientGroup.owner_id == owner_id, func.lower(ClientGroup.name) == func.lower(name)
    )
    if group_id is not None:
        query = query.where(ClientGroup.id != group_id)
    existing = await session.scalar(query)
    if existing is not None:
        raise Conflict(
            f"There is already a group named {existing!r}.", code="GROUP_EXISTS", details={"existing_name": existing}
        )


def _add_members(session: AsyncSession, group_id: int, members: list[GroupMemberIn]) -> None:
    session.add_all(
        ClientGroupMember(group_id=group_id, client_id=m.client_id, multiplier=Decimal(m.multiplier)) for m in members
    )


async def create_group(session: AsyncSession, actor: User, body: GroupCreate) -> GroupOut:
    owner = await _owner_for(session, actor, body.owner_id)
    assert owner.id is not None
    await _name_taken(session, owner.id, body.name)
    await _check_members(session, owner, body.members, set())
    group = ClientGroup(owner_id=owner.id, name=body.name)
    session.add(group)
    async with _unique_name(session, body.name):
        await session.flush()
        assert group.id is not None
        _add_members(session, group.id, body.members)
        await audit.record(
            session,
            "group.create",
            actor_id=actor.id,
            entity_type="group",
            entity_id=group.id,
            payload={"name": body.name, "owner_id": owner.id, "members": _members_payload(body.members)},
        )
        await session.commit()
    return (await describe(session, [group]))[0]


async def update_group(session: AsyncSession, actor: User, group_id: int, body: GroupUpdate) -> GroupOut:
    group = await get_visible(session, actor, group_id, for_update=True)
    payload: dict[str, object] = {}
    if body.members is not None:
        owner = await session.get(User, group.owner_id)
        assert owner is not None
        current = set(
            await session.scalars(select(ClientGroupMember.client_id).where(ClientGroupMember.group_id == group_id))
        )
        await _check_members(session, owner, body.members, current)
        await session.execute(delete(ClientGroupMember).where(ClientGroupMember.group_id == group_id))  # type: ignore[arg-type]
        _add_members(session, group_id, body.members)
        payload["members"] = _members_payload(body.members)
    # Renamed after the members' statements, so the unique name is first written (flushed) inside _unique_name.
    if body.name is not None and body.name != group.name:
        await _name_taken(session, group.owner_id, body.name, group.id)
        payload["name"] = {"from": group.name, "to": body.name}
        group.name = body.name
    group.updated_at = utcnow()
    async with _unique_name(session, group.name):
        await audit.record(
            session, "group.update", actor_id=actor.id, entity_type="group", entity_id=group_id, payload=payload
        )
        await session.commit()
    return (await describe(session, [group]))[0]


async def delete_group(session: AsyncSession, actor: User, group_id: int) -> None:
    group = await get_visible(session, actor, group_id, for_update=True)
    members = list(
        await session.scalars(select(ClientGroupMember.client_id).where(ClientGroupMember.group_id == group_id))
    )
    # Members go explicitly: SQLite enforces the cascade only with foreign keys switched on.
    await session.execute(delete(ClientGroupMember).where(ClientGroupMember.group_id == group_id))  # type: ignore[arg-type]
    await session.delete(group)
    await audit.record(
        session,
        "group.delete",
        actor_id=actor.id,
        entity_type="group",
        entity_id=group_id,
        payload={"name": group.name, "owner_id": group.owner_id, "member_client_ids": sorted(members)},
    )
    await session.commit()
