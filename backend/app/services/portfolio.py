"""Portfolios from the broker's own books: cash, margin, positions with P&L, and who holds a token.

Realised P&L follows the broker's rule (the simulator uses weighted-average cost: a reduction realises
(exit price - average price) x quantity, the average is unchanged by reductions and resets when a position
flips). Unrealised P&L is (last price - average price) x net quantity, so it is negative for a short that
the price rose against. The list endpoint's summary and the portfolio page use the same numbers.
"""

import asyncio
import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerFunds, BrokerPosition
from app.context import AppContext
from app.db import release_connection
from app.enums import OPEN_STATUSES
from app.models import Client, Instrument, Order, User
from app.models.types import canonical_money
from app.schemas.clients import HolderOut, PortfolioOut, PortfolioSummary, PositionOut
from app.schemas.orders import OrderOut
from app.security.vault import VaultError
from app.services.accounts import broker_account
from app.services.clients import visible_clients

log = logging.getLogger(__name__)

ZERO = Decimal("0")
PAISE = Decimal("0.01")


def unrealised(position: BrokerPosition) -> Decimal:
    if position.last_price is None or position.net_quantity == 0:
        return ZERO
    return canonical_money(((position.last_price - position.average_price) * position.net_quantity).quantize(PAISE))


def summarise(funds: BrokerFunds, positions: list[BrokerPosition]) -> PortfolioSummary:
    return PortfolioSummary(
        cash=funds.cash,
        margin_used=funds.margin_used,
        margin_available=funds.margin_available,
        realised_pnl=sum((p.realised_pnl for p in positions), ZERO),
        unrealised_pnl=sum((unrealised(p) for p in positions), ZERO),
        open_positions=sum(1 for p in positions if p.net_quantity != 0),
    )


@dataclass(frozen=True, slots=True)
class Books:
    funds: BrokerFunds
    positions: list[BrokerPosition]


async def read_books(ctx: AppContext, client: Client) -> Books:
    account = broker_account(ctx.vault, client)
    funds = await ctx.brokers.call(client.broker, lambda adapter: adapter.funds(account), read=True)
    positions = await ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True)
    return Books(funds, positions)


async def summaries(ctx: AppContext, clients: list[Client]) -> dict[int, PortfolioSummary | str]:
    """Each client's summary, or why it could not be read; one slow broker never fails the whole list."""
    results = await asyncio.gather(*(read_books(ctx, c) for c in clients), return_exceptions=True)
    out: dict[int, PortfolioSummary | str] = {}
    for client, result in zip(clients, results, strict=True):
        assert client.id is not None
        if isinstance(result, BaseException):
            out[client.id] = _read_error(client, result)
        else:
            out[client.id] = summarise(result.funds, result.positions)
    return out


def _read_error(client: Client, error: BaseException) -> str:
    """Why one client's books could not be read; anything but a broker's own error is logged as the bug it is."""
    if isinstance(error, BrokerError):
        return f"{client.broker} did not answer: {error}"
    if isinstance(error, VaultError):
        return f"CREDENTIALS_UNREADABLE: {error}; enter them again"
    if not isinstance(error, Exception):
        raise error  # cancellation and the like end the request, not one row
    log.error("reading the books of client %s failed", client.id, exc_info=error)
    return f"the books of this {client.broker} account could not be read ({type(error).__name__})"


async def symbols(session: AsyncSession, token_ids: set[int]) -> dict[int, str]:
    if not token_ids:
        return {}
    rows = await session.execute(
        select(Instrument.token_id, Instrument.symbol).where(Instrument.token_id.in_(token_ids))
    )
    return dict(rows.all())  # type: ignore[arg-type]


async def portfolio(ctx: AppContext, session: AsyncSession, client: Client) -> PortfolioOut:
    await release_connection(session)  # no connection held while the broker answers
    books = await read_books(ctx, client)
    names = await symbols(session, {p.token_id for p in books.positions})
    open_orders = await session.execute(
        select(Order, Instrument.symbol)
        .join(Instrument, Instrument.token_id == Order.token_id)
        .where(Order.client_id == client.id, Order.status.in_(OPEN_STATUSES))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    assert client.id is not None
    return PortfolioOut(
        client_id=client.id,
        summary=summarise(books.funds, books.positions),
        positions=[
            PositionOut(
                token_id=p.token_id,
                symbol=names.get(p.token_id, str(p.token_id)),
                trade_type=p.trade_type,
                net_quantity=p.net_quantity,
                average_price=canonical_money(p.average_price),
                last_price=p.last_price,
                realised_pnl=p.realised_pnl,
                unrealised_pnl=unrealised(p),
            )
            for p in books.positions
        ],
        open_orders=[
            OrderOut(**o.model_dump(), client_name=client.display_name, symbol=symbol)
            for o, symbol in open_orders.all()
        ],
    )


async def holders(ctx: AppContext, session: AsyncSession, user: User, token_id: int) -> list[HolderOut]:
    """Every client of the caller with a non-zero position in the token, one row per trade type.

    A client whose broker cannot be read gets a row with `error` set, so nobody silently drops off the list.
    """
    query = visible_clients(user).where(Client.is_active.is_(True)).order_by(Client.display_name, Client.id)
    clients = list(await session.scalars(query))
    await release_connection(session)  # no connection held while the brokers answer
    found = await asyncio.gather(*(_positions(ctx, client) for client in clients), return_exceptions=True)
    rows: list[HolderOut] = []
    for client, positions in zip(clients, found, strict=True):
        assert client.id is not None
        if isinstance(positions, BaseException):
            rows.append(
                HolderOut(
                    client_id=client.id,
                    client_name=client.display_name,
                    trade_type=None,
                    net_quantity=0,
                    average_price=None,
                    last_price=None,
                    unrealised_pnl=None,
                    realised_pnl=None,
                    error=_read_error(client, positions),
                )
            )
            continue
        rows.extend(
            HolderOut(
                client_id=client.id,
                client_name=client.display_name,
                trade_type=p.trade_type,
                net_quantity=p.net_quantity,
                average_price=canonical_money(p.average_price),
                last_price=p.last_price,
                unrealised_pnl=unrealised(p),
                realised_pnl=p.realised_pnl,
            )
            for p in positions
            if p.token_id == token_id and p.net_quantity != 0
        )
    return rows


async def _positions(ctx: AppContext, client: Client) -> list[BrokerPosition]:
    account = broker_account(ctx.vault, client)
    return await ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True)
