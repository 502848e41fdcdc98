"""Client broker accounts: ownership scoping, write-only encrypted credentials, the portfolio summary."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.enums import Role
from app.errors import Conflict, InvalidRequest, NotFound
from app.models import Client, User
from app.models.types import utcnow
from app.schemas.clients import ClientCreate, ClientUpdate, Credentials
from app.security.vault import CredentialVault, VaultError
from app.services import audit

CREDENTIAL_FIELDS = tuple(Credentials.model_fields)


def visible_clients(user: User) -> Select[tuple[Client]]:
    """Admins and viewers see every client; an advisor only their own."""
    query = select(Client)
    if user.role == Role.ADVISOR:
        query = query.where(Client.owner_id == user.id)
    return query


async def get_visible(session: AsyncSession, user: User, client_id: int) -> Client:
    # Another advisor's client is answered exactly like a missing one: its existence is not revealed.
    client = await session.scalar(visible_clients(user).where(Client.id == client_id))
    if client is None:
        raise NotFound(f"No client with id {client_id}.", code="CLIENT_NOT_FOUND")
    return client


async def list_visible(
    session: AsyncSession, user: User, *, limit: int, offset: int, include_inactive: bool
) -> tuple[list[Client], int]:
    query = visible_clients(user)
    if not include_inactive:
        query = query.where(Client.is_active.is_(True))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(Client.display_name, Client.id).limit(limit).offset(offset))
    return list(rows), total or 0


def credentials_set(vault: CredentialVault, client: Client) -> dict[str, bool]:
    """Which credentials are stored; none count as set when they cannot be decrypted (the summary says why)."""
    try:
        stored = decrypted_credentials(vault, client)
    except VaultError:
        stored = {}
    return {name: bool(stored.get(name)) for name in CREDENTIAL_FIELDS}


def decrypted_credentials(vault: CredentialVault, client: Client) -> dict[str, str]:
    return vault.decrypt(client.credentials_ciphertext) if client.credentials_ciphertext else {}


def _store_credentials(vault: CredentialVault, client: Client, values: dict[str, str]) -> None:
    client.credentials_ciphertext = vault.encrypt(values) if values else None
    client.credentials_key_id = vault.current_key_id if values else None


async def _owner_for(session: AsyncSession, actor: User, requested: int | None) -> int:
    if requested is None or requested == actor.id:
        return actor.id  # type: ignore[return-value]
    if actor.role != Role.ADMIN:
        raise InvalidRequest("Advisors create clients for themselves only.", code="OWNER_NOT_ALLOWED")
    owner = await session.get(User, requested)
    if owner is None or owner.role != Role.ADVISOR or not owner.is_active:
        raise InvalidRequest(f"User {requested} is not an active advisor.", code="OWNER_NOT_ADVISOR")
    return owner.id  # type: ignore[return-value]


@asynccontextmanager
async def _unique_account(
    session: AsyncSession, actor: User, action: str, broker: str, broker_client_id: str
) -> AsyncIterator[None]:
    """Turns the database's unique-account violation (at flush or commit) into a 409 that tells the actor only
    what they may see.

    A broker account is one client firm-wide, whoever owns it: two clients on one account would each show its
    positions and margin, and an exit from each would sell the same holding twice. So an advisor cannot add an
    account another advisor already has; but which account another desk holds is that desk's business. The
    actor's own client (or, for an admin, anyone's) is named; otherwise the answer is the same whoever holds it
    and says only that the account cannot go on this desk, and the attempt is audited for the admins.
    """
    actor_id, is_admin = actor.id, actor.role == Role.ADMIN  # read now: the rollback expires loaded rows
    try:
        yield
    except IntegrityError as exc:
        await session.rollback()
        holder = await session.scalar(
            select(Client).where(Client.broker == broker, Client.broker_client_id == broker_client_id)
        )
        if holder is None:
            raise  # another constraint: not an account clash
        if is_admin or holder.owner_id == actor_id:
            details: dict[str, object] = {"client_id": holder.id}
            if is_admin:
                details["owner_id"] = holder.owner_id
            raise Conflict(
                f"The {broker} account {broker_client_id} is already client {holder.id}.",
                code="CLIENT_EXISTS",
                details=details,
            ) from exc
        await audit.record(
            session,
            "client.refused",
            actor_id=actor_id,
            entity_type="client",
            entity_id=holder.id,
            payload={
                "action": action,
                "broker": broker,
                "broker_client_id": broker_client_id,
                "held_by_client_id": holder.id,
            },
        )
        await session.commit()
        raise Conflict(
            "This broker account cannot be added to your desk. If it belongs to one of your clients, "
            "ask an administrator.",
            code="BROKER_ACCOUNT_UNAVAILABLE",
        ) from exc


async def create_client(session: AsyncSession, vault: CredentialVault, actor: User, body: ClientCreate) -> Client:
    client = Client(
        owner_id=await _owner_for(session, actor, body.owner_id),
        display_name=body.display_name,
        broker=body.broker,
        broker_client_id=body.broker_client_id,
        opening_cash=body.opening_cash,
    )
    credentials = body.credentials.filled() if body.credentials else {}
    _store_credentials(vault, client, credentials)
    session.add(client)
    async with _unique_account(session, actor, "create", body.broker, body.broker_client_id):
        await session.flush()
        await audit.record(
            session,
            "client.create",
            actor_id=actor.id,
            entity_type="client",
            entity_id=client.id,
            payload={
                "broker": body.broker,
                "broker_client_id": body.broker_client_id,
                "credentials_changed": sorted(credentials),
            },
        )
        await session.commit()
    return client


async def update_client(
    session: AsyncSession, vault: CredentialVault, actor: User, client_id: int, body: ClientUpdate
) -> Client:
    client = await get_visible(session, actor, client_id)
    changes = body.model_dump(exclude_unset=True, exclude={"credentials"})
    for field, value in changes.items():
        setattr(client, field, value)
    changed_credentials: list[str] = []
    if body.credentials is not None:
        stored = decrypted_credentials(vault, client)
        for name in body.credentials.model_fields_set:
            value = getattr(body.credentials, name)
            if value:
                stored[name] = value
            else:
                stored.pop(name, None)
            changed_credentials.append(name)
        _store_credentials(vault, client, stored)
    client.updated_at = utcnow()
    async with _unique_account(session, actor, "update", client.broker, client.broker_client_id):
        await audit.record(
            session,
            "client.update",
            actor_id=actor.id,
            entity_type="client",
            entity_id=client.id,
            payload={**changes, "credentials_changed": sorted(changed_credentials)},
        )
        await session.commit()
    return client


async def rotate_credential_keys(session: AsyncSession, vault: CredentialVault) -> int:
    """Re-encrypt every stored credential under the newest key; returns how many rows changed."""
    rotated = 0
    rows = await session.scalars(select(Client).where(Client.credentials_ciphertext.is_not(None)))
    for client in rows:
        if client.credentials_key_id == vault.current_key_id:
            continue
        client.credentials_ciphertext = vault.rotate(client.credentials_ciphertext)  # type: ignore[arg-type]
        client.credentials_key_id = vault.current_key_id
        rotated += 1
    await audit.record(
        session, "vault.rotate", actor_id=None, payload={"rows": rotated, "key_id": vault.current_key_id}
    )
    await session.commit()
    return rotated
