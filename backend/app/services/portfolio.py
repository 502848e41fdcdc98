"""Portfolios from the broker's own books: cash, margin per segment, positions and demat holdings with P&L, and
who holds a token (positions and holdings, services/holdings.py).

Realised P&L follows the broker's rule (the simulator uses weighted-average cost: a reduction realises
(exit price - average price) x quantity, the average is unchanged by reductions and resets when a position
flips). Unrealised P&L is (last price - average price) x net quantity, so it is negative for a short that
the price rose against. The list endpoint's summary and the portfolio page use the same numbers.
"""

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerFunds, BrokerHolding, BrokerPosition
from app.context import AppContext
from app.db import release_connection
from app.enums import OPEN_STATUSES
from app.models import Client, Instrument, Order, User
from app.models.instrument import instrument_ref
from app.models.types import canonical_money
from app.schemas.clients import (
    HolderOut,
    HoldingOut,
    PortfolioOut,
    PortfolioSummary,
    PositionOut,
    SegmentFundsOut,
    SummaryPosition,
)
from app.schemas.orders import OrderOut
from app.security.vault import VaultError
from app.services.accounts import broker_account
from app.services.clients import visible_clients
from app.services.holdings import Lot, lots
from app.services.market_data import last_prices, market_priced

log = logging.getLogger(__name__)

ZERO = Decimal("0")
PAISE = Decimal("0.01")
AVERAGE = Decimal("0.0001")


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
        charges=sum((p.charges for p in positions), ZERO),
        realised_pnl_net=sum((p.realised_pnl - p.charges for p in positions), ZERO),
        open_positions=sum(1 for p in positions if p.net_quantity != 0),
        segments=[SegmentFundsOut(segment=s.segment, available=s.available, used=s.used) for s in funds.segments],
        positions=[
            SummaryPosition(
                token_id=p.token_id,
                trade_type=p.trade_type,
                net_quantity=p.net_quantity,
                average_price=canonical_money(p.average_price),
            )
            for p in positions
            if p.net_quantity != 0
        ],
    )


@dataclass(frozen=True, slots=True)
class Books:
    funds: BrokerFunds
    positions: list[BrokerPosition]
    holdings: list[BrokerHolding]


async def read_books(ctx: AppContext, client: Client, *, with_holdings: bool = False) -> Books:
    account = broker_account(ctx.vault, client)
    reads: list[Awaitable[Any]] = [
        ctx.brokers.call(client.broker, lambda adapter: adapter.funds(account), read=True),
        ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True),
    ]
    if with_holdings:
        reads.append(ctx.brokers.call(client.broker, lambda adapter: adapter.holdings(account), read=True))
    funds, positions, *held = await asyncio.gather(*reads)
    return Books(funds, market_priced(ctx.market, positions), held[0] if held else [])


async def summaries(ctx: AppContext, clients: list[Client]) -> dict[int, PortfolioSummary | str]:
    """Each client's summary, or why it could not be read; one slow broker never fails the whole list."""
    results = await asyncio.gather(*(read_books(ctx, c) for c in clients), return_exceptions=True)
    out: dict[int, PortfolioSummary | str] = {}
    for client, result in zip(clients, results, strict=True):
        assert client.id is not None
        if isinstance(result, BaseException):
            out[client.id] = read_error(client, result)
        else:
            out[client.id] = summarise(result.funds, result.positions)
    return out


def read_error(client: Client, error: BaseException) -> str:
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
    books = await read_books(ctx, client, with_holdings=True)
    names = await symbols(session, {p.token_id for p in books.positions})
    holdings = await holding_rows(ctx, session, books)
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
                charges=p.charges,
                realised_pnl_net=p.realised_pnl - p.charges,
            )
            for p in books.positions
        ],
        holdings=holdings,
        open_orders=[
            OrderOut(**o.model_dump(), client_name=client.display_name, symbol=symbol)
            for o, symbol in open_orders.all()
        ],
    )


async def holding_rows(ctx: AppContext, session: AsyncSession, books: Books) -> list[HoldingOut]:
    """The holdings, each on our instrument of its exchange (NSE preferred), priced at the market-data port's last
    price, else the broker's own (Motilal sends none with holdings) or the position book's."""
    tokens = {(exchange, token) for h in books.holdings for exchange, token in h.tokens.items()}
    instruments: dict[tuple[str, int], Instrument] = {}
    if tokens:
        found = await session.scalars(select(Instrument).where(Instrument.token_id.in_({t for _, t in tokens})))
        instruments = {(i.exchange.upper(), i.token_id): i for i in found}
    traded = {p.token_id: p.last_price for p in books.positions if p.last_price is not None}
    placed = [(h, _our_instrument(h, instruments)) for h in books.holdings]
    priced = {i.token_id: instrument_ref(i) for _, i in placed if i is not None}
    market = await last_prices(ctx.market, list(priced.values()))
    rows = []
    for h, instrument in placed:
        token_id = instrument.token_id if instrument else None
        last_price = None if token_id is None else market.get(token_id) or h.last_price or traded.get(token_id)
        rows.append(
            HoldingOut(
                token_id=token_id,
                symbol=instrument.symbol if instrument else (h.name or "?"),
                exchange=instrument.exchange if instrument else None,
                quantity=h.quantity,
                average_price=canonical_money(h.average_price),
                last_price=last_price,
                unrealised_pnl=None
                if last_price is None
                else canonical_money(((last_price - h.average_price) * h.quantity).quantize(PAISE)),
            )
        )
    return rows


def _our_instrument(holding: BrokerHolding, instruments: dict[tuple[str, int], Instrument]) -> Instrument | None:
    ours = [instruments[key] for key in sorted(holding.tokens.items(), key=_nse_first) if key in instruments]
    return ours[0] if ours else None


def _nse_first(item: tuple[str, int]) -> tuple[bool, str]:
    return item[0] != "NSE", item[0]


async def holders(ctx: AppContext, session: AsyncSession, user: User, token_id: int) -> list[HolderOut]:
    """Every client of the caller with a non-zero position or a holding in the token, one row per trade type
    (the holding is part of DELIVERY: services/holdings.py).

    A client whose broker cannot be read gets a row with `error` set, so nobody silently drops off the list.
    """
    query = visible_clients(user).where(Client.is_active.is_(True)).order_by(Client.display_name, Client.id)
    clients = list(await session.scalars(query))
    instrument = await session.get(Instrument, token_id)
    exchange = instrument.exchange if instrument is not None else "NSE"
    await release_connection(session)  # no connection held while the brokers answer
    found = await asyncio.gather(
        *(_lots(ctx, client, token_id, exchange) for client in clients), return_exceptions=True
    )
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
                    error=read_error(client, positions),
                )
            )
            continue
        rows.extend(
            HolderOut(
                client_id=client.id,
                client_name=client.display_name,
                trade_type=lot.trade_type,
                net_quantity=lot.net_quantity,
                average_price=canonical_money(lot.average_price.quantize(AVERAGE)),
                last_price=lot.last_price,
                unrealised_pnl=_lot_unrealised(lot),
                realised_pnl=canonical_money(lot.realised_pnl.quantize(PAISE)),
                held_quantity=lot.held,
            )
            for lot in positions
        )
    return rows


def _lot_unrealised(lot: Lot) -> Decimal:
    if lot.last_price is None:
        return ZERO
    return canonical_money(((lot.last_price - lot.average_price) * lot.net_quantity).quantize(PAISE))


async def _lots(ctx: AppContext, client: Client, token_id: int, exchange: str) -> list[Lot]:
    account = broker_account(ctx.vault, client)
    positions, held = await asyncio.gather(
        ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True),
        ctx.brokers.call(client.broker, lambda adapter: adapter.holdings(account), read=True),
    )
    return lots(token_id, exchange, market_priced(ctx.market, positions), held)
