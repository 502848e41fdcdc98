"""Fills: copied from the broker's trade book into ours when an order's filled quantity moves; listed with filters."""

import logging
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError
from app.context import AppContext
from app.errors import NotFound
from app.models import Client, Instrument, Order, Trade, User
from app.realtime import events
from app.schemas.orders import TradeOut
from app.services.accounts import broker_account
from app.services.clients import visible_clients

log = logging.getLogger(__name__)


async def sync_fills(ctx: AppContext, order: Order) -> None:
    """Record the broker's fills of this order that we do not have yet, then announce the client's new position."""
    async with ctx.sessions() as session:
        client = await session.get(Client, order.client_id)
    assert client is not None
    account = broker_account(ctx.vault, client)
    try:
        # No database connection is held while these wait for the broker.
        book = await ctx.brokers.call(client.broker, lambda adapter: adapter.trade_book(account))
        positions = await ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account))
    except BrokerError as exc:
        # The order row already says how much filled; only the fill rows are missing until copied again.
        log.warning("fills of order %s not copied: %s", order.id, exc)
        return
    async with ctx.sessions() as session:
        known = set(
            await session.scalars(
                select(Trade.broker_trade_id).where(Trade.client_id == client.id, Trade.order_id == order.id)
            )
        )
        for fill in book:
            if fill.tag == order.tag and fill.trade_id not in known:
                session.add(
                    Trade(
                        order_id=order.id,
                        client_id=client.id,
                        token_id=fill.token_id,
                        broker_trade_id=fill.trade_id,
                        side=fill.side,
                        trade_type=fill.trade_type,
                        quantity=fill.quantity,
                        price=fill.price,
                        executed_at=fill.ts,
                    )
                )
        try:
            await session.commit()
        except IntegrityError:
            # Another path copied the same fills first; theirs stand.
            await session.rollback()
    for position in positions:
        if position.token_id == order.token_id and position.trade_type == order.trade_type:
            await ctx.events.publish(
                events.POSITION_UPDATE,
                events.client_room(order.client_id),
                {
                    "client_id": order.client_id,
                    "token_id": position.token_id,
                    "trade_type": position.trade_type,
                    "net_quantity": position.net_quantity,
                    "average_price": str(position.average_price),
                    "realised_pnl": str(position.realised_pnl),
                },
            )


def _visible_trades(user: User) -> Select[tuple[Trade, str, str]]:
    clients = visible_clients(user).subquery()
    return (
        select(Trade, clients.c.display_name, Instrument.symbol)
        .join(clients, clients.c.id == Trade.client_id)
        .join(Instrument, Instrument.token_id == Trade.token_id)
    )


async def list_trades(
    session: AsyncSession,
    user: User,
    *,
    client_id: int | None,
    token_id: int | None,
    date_from: datetime | None,
    date_to: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[TradeOut], int]:
    query = _visible_trades(user)
    if client_id is not None:
        query = query.where(Trade.client_id == client_id)
    if token_id is not None:
        query = query.where(Trade.token_id == token_id)
    if date_from is not None:
        query = query.where(Trade.executed_at >= date_from)
    if date_to is not None:
        query = query.where(Trade.executed_at < date_to)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(query.order_by(Trade.executed_at.desc(), Trade.id.desc()).limit(limit).offset(offset))
    return [
        TradeOut(**trade.model_dump(), client_name=name, symbol=symbol) for trade, name, symbol in rows.all()
    ], total or 0


async def get_visible_trade(session: AsyncSession, user: User, trade_id: int) -> Trade:
    row = (await session.execute(_visible_trades(user).where(Trade.id == trade_id))).first()
    if row is None:
        raise NotFound(f"No trade with id {trade_id}.", code="TRADE_NOT_FOUND")
    return row[0]
