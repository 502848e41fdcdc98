"""/api/v1/clients: broker accounts the caller may see; credentials are write-only."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import ContextDep, CurrentUser, SessionDep, TraderUser
from app.context import AppContext
from app.db import release_connection
from app.models import Client
from app.schemas.clients import ClientCreate, ClientOut, ClientUpdate, PortfolioOut, PortfolioSummary
from app.schemas.common import ERROR_RESPONSES, Page
from app.services import clients, connections, portfolio

_CLIENT_COLUMNS = [
    name for name in ClientOut.model_fields if name not in ("credentials_set", "summary", "summary_error")
]

router = APIRouter(prefix="/clients", tags=["clients"], responses=ERROR_RESPONSES)


def client_out(ctx: AppContext, client: Client, summary: PortfolioSummary | str) -> ClientOut:
    return ClientOut.model_validate(
        {
            **{name: getattr(client, name) for name in _CLIENT_COLUMNS},
            "credentials_set": clients.credentials_set(ctx.vault, client),
            "summary": summary if isinstance(summary, PortfolioSummary) else None,
            "summary_error": summary if isinstance(summary, str) else None,
        }
    )


async def with_summary(ctx: AppContext, session: AsyncSession, client: Client) -> ClientOut:
    assert client.id is not None
    await release_connection(session)  # the broker is asked next
    return client_out(ctx, client, (await portfolio.summaries(ctx, [client]))[client.id])


@router.get("", response_model=Page[ClientOut])
async def list_clients(
    user: CurrentUser,
    ctx: ContextDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    include_inactive: bool = False,
) -> Response:
    rows, total = await clients.list_visible(
        session, user, limit=limit, offset=offset, include_inactive=include_inactive
    )
    await release_connection(session)  # the brokers are asked next
    found = await portfolio.summaries(ctx, rows)
    page = Page(items=[client_out(ctx, c, found[c.id]) for c in rows], total=total, limit=limit, offset=offset)
    # Built from validated models already: encoded as it is, not validated a second time against the response
    # model (a hundred rows with their summaries were a fifth of the request's CPU).
    return Response(page.model_dump_json(), media_type="application/json")


@router.post("", status_code=201)
async def create_client(body: ClientCreate, user: TraderUser, ctx: ContextDep, session: SessionDep) -> ClientOut:
    return await with_summary(ctx, session, await clients.create_client(session, ctx.vault, user, body))


@router.get("/{client_id}")
async def get_client(client_id: int, user: CurrentUser, ctx: ContextDep, session: SessionDep) -> ClientOut:
    return await with_summary(ctx, session, await clients.get_visible(session, user, client_id))


@router.patch("/{client_id}")
async def update_client(
    client_id: int, body: ClientUpdate, user: TraderUser, ctx: ContextDep, session: SessionDep
) -> ClientOut:
    return await with_summary(ctx, session, await clients.update_client(session, ctx.vault, user, client_id, body))


@router.post("/{client_id}/deactivate")
async def deactivate_client(client_id: int, user: TraderUser, ctx: ContextDep, session: SessionDep) -> ClientOut:
    body = ClientUpdate(is_active=False)
    return await with_summary(ctx, session, await clients.update_client(session, ctx.vault, user, client_id, body))


@router.get("/{client_id}/portfolio")
async def get_portfolio(client_id: int, user: CurrentUser, ctx: ContextDep, session: SessionDep) -> PortfolioOut:
    return await portfolio.portfolio(ctx, session, await clients.get_visible(session, user, client_id))


@router.post("/{client_id}/test-connection")
async def test_connection(
    client_id: int, user: TraderUser, ctx: ContextDep, session: SessionDep
) -> connections.ConnectionTestOut:
    """Log in to the client's broker account with the stored credentials and read its funds; ok or the reason."""
    return await connections.check_connection(ctx, session, user, client_id)
