"""Exits: close one client's position in a token (from a trade), or every selected client's at once (a batch).

The position to close is the broker's own view at that moment, per trade type: an opposite-side order for the
net quantity, MARKET unless a limit price is given. Clients without a position are reported as SKIPPED; a
client whose positions cannot be read is reported FAILED with the reason, and nothing is sent for it. Open
orders in the token are left as they are: cancelling them is a separate, explicit action.
"""

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerPosition
from app.context import AppContext
from app.db import release_connection
from app.enums import BatchKind, Execution, OrderStatus, Side, TradeType
from app.errors import Conflict
from app.models import Batch, Client, Instrument, Order, User
from app.schemas.orders import BatchOut, ExitByTokenRequest, ExitOrderTerms, OrderOut
from app.services import audit
from app.services.accounts import broker_account
from app.services.batches import SKIPPED, batch_out, find_by_key, request_hash, save_batch, visible_clients_by_id
from app.services.clients import visible_clients
from app.services.dispatch import send_one
from app.services.instruments import get_instrument
from app.services.order_terms import OrderTerms, check_on_tick, check_price_fields
from app.services.orders import new_order, require_active
from app.services.trades import get_visible_trade


async def open_positions(ctx: AppContext, client: Client, token_id: int) -> list[BrokerPosition]:
    account = broker_account(ctx.vault, client)
    positions = await ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True)
    return [p for p in positions if p.token_id == token_id and p.net_quantity != 0]


def exit_terms(position: BrokerPosition, body: ExitOrderTerms) -> OrderTerms:
    return OrderTerms(
        execution=Execution.EXIT,
        side=Side.SELL if position.net_quantity > 0 else Side.BUY,
        order_type=body.order_type,
        trade_type=position.trade_type,
        quantity=abs(position.net_quantity),
        price=body.price,
    )


def _check_exit_price(instrument: Instrument, body: ExitOrderTerms) -> None:
    check_price_fields(body.order_type, body.price, None)
    check_on_tick(instrument, body.price, "price")


async def exit_by_token(
    ctx: AppContext, user: User, token_id: int, body: ExitByTokenRequest, key: str | None
) -> BatchOut:
    body_json = {"token_id": token_id, **body.model_dump(mode="json")}
    body_hash = request_hash(body_json)
    async with ctx.sessions() as session:
        existing = await find_by_key(session, user, key, body_hash)
        if existing is not None:
            return await batch_out(session, existing)
        instrument = await get_instrument(session, token_id)
        _check_exit_price(instrument, body)
        clients = await _selected_clients(session, user, body.client_ids)
        await release_connection(session)  # nothing written yet; no connection held while the brokers answer
        found = await asyncio.gather(
            *(open_positions(ctx, client, token_id) for client in clients), return_exceptions=True
        )
        orders: list[Order] = []
        without_order: list[dict[str, Any]] = []
        for client, positions in zip(clients, found, strict=True):
            if isinstance(positions, BrokerError):
                without_order.append(
                    {
                        "client_id": client.id,
                        "status": OrderStatus.FAILED,
                        "reason": f"POSITIONS_UNAVAILABLE: {positions}",
                    }
                )
                continue
            if isinstance(positions, BaseException):
                raise positions
            if not positions:
                without_order.append(
                    {"client_id": client.id, "status": SKIPPED, "reason": f"no position in {instrument.symbol}"}
                )
                continue
            for position in positions:
                order = new_order(client, instrument, exit_terms(position, body), user, batch_id=None)
                if not client.is_active:
                    order.status, order.reason = OrderStatus.DENIED, "CLIENT_INACTIVE: the client is deactivated"
                orders.append(order)
        batch = Batch(
            kind=BatchKind.EXIT_BY_TOKEN,
            created_by=user.id,  # type: ignore[arg-type]
            idempotency_key=key,
            request_hash=body_hash,
            token_id=token_id,
            params={
                "request": body_json,
                "client_order": [c.id for c in clients],
                "rows_without_order": without_order,
            },
        )
        return await save_batch(ctx, session, user, batch, orders, {c.id: c for c in clients}, instrument)  # type: ignore[arg-type]


async def _selected_clients(session: AsyncSession, user: User, client_ids: list[int] | None) -> list[Client]:
    if client_ids is None:
        query = visible_clients(user).where(Client.is_active.is_(True)).order_by(Client.display_name, Client.id)
        return list(await session.scalars(query))
    by_id = await visible_clients_by_id(session, user, client_ids)
    return [by_id[client_id] for client_id in dict.fromkeys(client_ids)]


async def exit_trade(ctx: AppContext, user: User, trade_id: int, body: ExitOrderTerms) -> OrderOut:
    """Close the position (client, token, trade type) that this fill belongs to."""
    async with ctx.sessions() as session:
        trade = await get_visible_trade(session, user, trade_id)
        client = await session.get(Client, trade.client_id)
        instrument = await get_instrument(session, trade.token_id)
        assert client is not None
        require_active(client)
        _check_exit_price(instrument, body)
    positions = await open_positions(ctx, client, trade.token_id)
    position = next((p for p in positions if p.trade_type == TradeType(trade.trade_type)), None)
    if position is None:
        raise Conflict(
            f"{client.display_name} has no open {trade.trade_type} position in {instrument.symbol}.",
            code="NO_POSITION",
        )
    async with ctx.sessions() as session:
        order = new_order(client, instrument, exit_terms(position, body), user, batch_id=None)
        session.add(order)
        await session.flush()
        await audit.record(
            session,
            "order.exit",
            actor_id=user.id,
            entity_type="order",
            entity_id=order.id,
            payload={
                "trade_id": trade_id,
                "quantity": order.quantity,
                "side": order.side,
                **body.model_dump(mode="json"),
            },
        )
        await session.commit()
    return await send_one(ctx, order, client, instrument)
