"""Fills: copied from the broker's trade book into ours when an order's filled quantity moves; listed with filters."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.brokers.base import BrokerError
from app.brokers.registry import BrokerRegistry
from app.errors import NotFound
from app.models import Client, Instrument, Order, Trade, User
from app.models.order import LEG_TAG_PREFIX
from app.realtime import events
from app.schemas.orders import TradeOut
from app.security.vault import CredentialVault
from app.services.accounts import broker_account
from app.services.clients import visible_clients
from app.services.order_writer import insert_new_trades, legs_of, trade_row
from app.tasks import TaskSet

log = logging.getLogger(__name__)


class FillsContext(Protocol):
    """What copying fills uses of the app's shared objects. AppContext (app/context.py) is one; it is described
    here rather than imported, because the context builds the FillFollowUp below."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def vault(self) -> CredentialVault: ...

    @property
    def brokers(self) -> BrokerRegistry: ...

    @property
    def events(self) -> events.EventBus: ...

    @property
    def tasks(self) -> TaskSet: ...


async def sync_fills(ctx: FillsContext, client: Client, orders: list[Order], *, read_trade_book: bool = True) -> None:
    """Copy the broker's fills of these orders (one client's) that we do not have yet, then announce the client's
    positions in their instruments. `read_trade_book=False` when the fills were already written with the orders."""
    assert client.id is not None
    client_id = client.id
    account = broker_account(ctx.vault, client)
    try:
        # No database connection is held while these wait for the broker.
        book = (
            await ctx.brokers.call(client.broker, lambda adapter: adapter.trade_book(account), read=True)
            if read_trade_book
            else []
        )
        positions = await ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True)
    except BrokerError as exc:
        # The order rows already say how much filled; only the fill rows are missing until reconciliation copies them.
        log.warning("fills of client %s's orders %s not copied: %s", client_id, [o.id for o in orders], exc)
        return
    by_tag = {order.tag: order for order in orders}
    if any(fill.tag.startswith(LEG_TAG_PREFIX) for fill in book):
        # A split order's fills carry its legs' tags; they are the order's fills all the same.
        async with ctx.sessions() as session:
            legs = await legs_of(session, [order.id for order in orders if order.id is not None])
        by_tag.update({leg.tag: by_tag[order.tag] for order in orders for leg in legs.get(order.id, [])})  # type: ignore[arg-type]
    if new_fills := [trade_row(by_tag[fill.tag], fill) for fill in book if fill.tag in by_tag]:
        async with ctx.sessions() as session:
            await insert_new_trades(session, new_fills)
            await session.commit()
    traded = {(order.token_id, order.trade_type) for order in orders}
    for position in positions:
        if (position.token_id, position.trade_type) in traded:
            await ctx.events.publish(
                events.POSITION_UPDATE,
                events.client_room(client_id),
                {
                    "client_id": client_id,
                    "token_id": position.token_id,
                    "trade_type": position.trade_type,
                    "net_quantity": position.net_quantity,
                    "average_price": str(position.average_price),
                    "realised_pnl": str(position.realised_pnl),
                },
            )


class FillFollowUp:
    """After orders fill: their fills copied (when they did not come with the order) and positions announced.

    Off the order path and coalesced per client: a batch's thousand fills become at most one read of each
    client's books, a few clients at a time, so the follow-up never competes with the batch for connections.
    """

    CONCURRENCY = 8

    def __init__(self, ctx: FillsContext) -> None:
        self._ctx = ctx
        # client id -> order id -> (order, whether its fills must be read from the trade book)
        self._waiting: dict[int, dict[int, tuple[Order, bool]]] = {}
        self._running = False

    def request(self, orders: list[tuple[Order, bool]]) -> None:
        for order, read_book in orders:
            assert order.id is not None
            queued = self._waiting.setdefault(order.client_id, {})
            read_book = read_book or queued.get(order.id, (order, False))[1]
            queued[order.id] = (order, read_book)
        if not self._running:
            self._running = True
            self._ctx.tasks.spawn(self._drain(), name="fill-follow-up")

    async def _drain(self) -> None:
        slots = asyncio.Semaphore(self.CONCURRENCY)

        async def one(client: Client, queued: dict[int, tuple[Order, bool]]) -> None:
            async with slots:
                orders = [order for order, _ in queued.values()]
                await sync_fills(self._ctx, client, orders, read_trade_book=any(r for _, r in queued.values()))

        try:
            while self._waiting:
                waiting, self._waiting = self._waiting, {}
                async with self._ctx.sessions() as session:
                    clients = {c.id: c for c in await session.scalars(select(Client).where(Client.id.in_(waiting)))}
                results = await asyncio.gather(
                    *(one(clients[c], q) for c, q in waiting.items()), return_exceptions=True
                )
                for client_id, result in zip(waiting, results, strict=True):
                    if isinstance(result, Exception):
                        log.error("fill follow-up of client %s failed", client_id, exc_info=result)
        finally:
            self._running = False


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
