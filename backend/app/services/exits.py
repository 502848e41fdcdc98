"""Exits: close one client's position in a token (from a trade), or every selected client's at once (a batch).

The position to close is the broker's own view at that moment, per trade type, less what working exit orders
(ours, not yet filled, cancelled or refused) are already selling or buying back: an opposite-side order for the
rest, MARKET unless a limit price is given. DELIVERY includes the client's demat holding in the token
(services/holdings.py: holding plus the day's DELIVERY position, counted once), sold with one DELIVERY sell; each
row says what it closes (POSITION, HOLDING or HOLDING_AND_POSITION). Nothing left to close is reported as SKIPPED,
saying why; a client whose positions or holdings cannot be read is reported FAILED with the reason, and nothing is
sent for it. Other open orders in the token are left as they are: cancelling them is a separate, explicit action.

Exits of one instrument are taken one at a time, across every process, by a lease held from reading the positions
until the exit orders are committed: two exits that overlap (exit-by-token twice, a trade exit beside it, from any
server) can never both sell the same shares, so no mix of them takes a client beyond flat. The working exit orders
are read before the positions: an earlier exit that fills in between is then counted twice (this exit closes too
little, and says so) rather than not at all (it would close too much).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerHolding
from app.context import AppContext
from app.db import write_turn
from app.enums import BatchKind, Closes, Execution, OrderStatus, Side, TradeType
from app.errors import Conflict
from app.models import Batch, Client, Instrument, Order, User
from app.schemas.orders import BatchOut, ExitByTokenRequest, ExitOrderTerms, OrderOut
from app.services import audit, leases
from app.services.accounts import broker_account
from app.services.allocation import visible_clients_by_id
from app.services.batches import SKIPPED, batch_out, find_by_key, request_hash, save_batch
from app.services.clients import visible_clients
from app.services.dispatch import send_one
from app.services.holdings import Lot, lots
from app.services.instruments import get_instrument
from app.services.intents import order_intent
from app.services.order_terms import Bounds, OrderTerms, check_on_tick, check_price_fields
from app.services.orders import new_order, require_active
from app.services.trades import get_visible_trade


async def open_lots(
    ctx: AppContext, client: Client, instrument: Instrument, *, with_holdings: bool = True
) -> list[Lot]:
    """The client's open lots in the instrument (positions, and holdings in DELIVERY), read from its broker."""
    account = broker_account(ctx.vault, client)
    reads = [ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True)]
    if with_holdings:
        reads.append(ctx.brokers.call(client.broker, lambda adapter: adapter.holdings(account), read=True))
    positions, *rest = await asyncio.gather(*reads)
    held: list[BrokerHolding] = rest[0] if rest else []
    return lots(instrument.token_id, instrument.exchange, positions, held)


# Exit orders that may still trade: at the broker and not done, or not yet answered (a FAILED order may have been
# taken; until reconciliation knows, it counts as working, so an exit errs towards closing too little).
WORKING = (OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.FAILED)

# (client id, trade type, side) -> quantity that working exit orders may still trade
Working = dict[tuple[int, TradeType, Side], int]


def closing_side(position: Lot) -> Side:
    return Side.SELL if position.net_quantity > 0 else Side.BUY


def exit_terms(position: Lot, quantity: int, body: ExitOrderTerms) -> OrderTerms:
    return OrderTerms(
        execution=Execution.EXIT,
        side=closing_side(position),
        order_type=body.order_type,
        trade_type=position.trade_type,
        quantity=quantity,
        price=body.price,
    )


@contextlib.asynccontextmanager
async def exit_lease(ctx: AppContext, token_id: int) -> AsyncIterator[None]:
    """One exit of this instrument at a time, across every process sharing the database."""
    async with leases.hold(
        ctx.sessions,
        f"exit:{token_id}",
        ttl_s=ctx.settings.lease_ttl_s,
        wait_s=ctx.settings.exit_wait_s,
        busy=("EXIT_IN_PROGRESS", "Another exit in this instrument is still being prepared; try again shortly."),
    ):
        yield


async def working_exits(session: AsyncSession, token_id: int, client_ids: Sequence[int]) -> Working:
    query = (
        select(Order.client_id, Order.trade_type, Order.side, func.sum(Order.quantity - Order.filled_quantity))
        .where(
            Order.token_id == token_id,
            Order.client_id.in_(client_ids),
            Order.execution == Execution.EXIT,
            Order.status.in_(WORKING),
        )
        .group_by(Order.client_id, Order.trade_type, Order.side)
    )
    return {
        (client_id, TradeType(trade_type), Side(side)): int(quantity)
        for client_id, trade_type, side, quantity in await session.execute(query)
    }


def left_to_exit(client_id: int, position: Lot, working: Working) -> tuple[int, int]:
    """(quantity still to close, quantity working exit orders already close) of this position."""
    covered = working.get((client_id, position.trade_type, closing_side(position)), 0)
    return max(abs(position.net_quantity) - covered, 0), covered


def _check_exit_price(instrument: Instrument, body: ExitOrderTerms, bounds: Bounds) -> None:
    check_price_fields(body.order_type, body.price, None)
    bounds.check_price(body.price)
    check_on_tick(instrument, body.price, "price")


async def exit_by_token(
    ctx: AppContext, user: User, token_id: int, body: ExitByTokenRequest, key: str | None
) -> BatchOut:
    body_json = {"token_id": token_id, **body.model_dump(mode="json")}
    body_hash = request_hash(body_json)
    async with exit_lease(ctx, token_id):
        async with ctx.sessions() as session:
            existing = await find_by_key(session, user, key, body_hash)
            if existing is not None:
                return await batch_out(session, existing)
            instrument = await get_instrument(session, token_id)
            _check_exit_price(instrument, body, Bounds.of(ctx.settings))
            clients = await _selected_clients(session, user, body.client_ids)
            working = await working_exits(session, token_id, [c.id for c in clients])  # type: ignore[misc]
        # No connection is held while the brokers answer.
        found = await asyncio.gather(
            *(open_lots(ctx, client, instrument) for client in clients), return_exceptions=True
        )
        if body.trade_types is not None:
            wanted = set(body.trade_types)
            found = [
                f if isinstance(f, BaseException) else [lot for lot in f if lot.trade_type in wanted] for f in found
            ]
        async with ctx.sessions() as session:
            orders, without_order, closes, entry_prices = _exit_rows(
                user, instrument, clients, found, working, body, Bounds.of(ctx.settings)
            )
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
                    "closes": closes,
                    # The positions' average prices when the exit was planned: each row's realised P&L.
                    "entry_prices": entry_prices,
                },
            )
            return await save_batch(ctx, session, user, batch, orders, {c.id: c for c in clients}, instrument)  # type: ignore[misc]


def _exit_rows(
    user: User,
    instrument: Instrument,
    clients: list[Client],
    found: list[list[Lot] | BaseException],
    working: Working,
    body: ExitOrderTerms,
    bounds: Bounds,
) -> tuple[list[Order], list[dict[str, Any]], dict[str, str], dict[str, str]]:
    """One exit order per lot still to close; a row without an order for each client with nothing to send; what each
    order closes and the average price of what it closes, by "client id:trade type" (one exit order per client and
    trade type)."""
    orders: list[Order] = []
    without_order: list[dict[str, Any]] = []
    closes: dict[str, str] = {}
    entry_prices: dict[str, str] = {}
    for client, positions in zip(clients, found, strict=True):
        if isinstance(positions, BrokerError):
            without_order.append(
                {"client_id": client.id, "status": OrderStatus.FAILED, "reason": f"POSITIONS_UNAVAILABLE: {positions}"}
            )
            continue
        if isinstance(positions, BaseException):
            raise positions
        if not positions:
            without_order.append(
                {"client_id": client.id, "status": SKIPPED, "reason": f"no position or holding in {instrument.symbol}"}
            )
            continue
        for position in positions:
            quantity, covered = left_to_exit(client.id, position, working)  # type: ignore[arg-type]
            if quantity == 0:
                without_order.append(
                    {
                        "client_id": client.id,
                        "status": SKIPPED,
                        "trade_type": position.trade_type,
                        "closes": position.closes,
                        "reason": f"ALREADY_EXITING: working exit orders already close all {covered} of the "
                        f"{_what(position)} in {instrument.symbol}",
                    }
                )
                continue
            order = order_intent(client, instrument, exit_terms(position, quantity, body), user)
            closes[f"{client.id}:{position.trade_type}"] = position.closes
            entry_prices[f"{client.id}:{position.trade_type}"] = str(position.average_price)
            if not client.is_active:
                order.status, order.reason = OrderStatus.DENIED, "CLIENT_INACTIVE: the client is deactivated"
            elif quantity > bounds.max_quantity:
                order.status, order.reason = (
                    OrderStatus.DENIED,
                    f"QUANTITY_TOO_LARGE: {quantity} is above the largest order this desk takes "
                    f"({bounds.max_quantity}); close the position in parts",
                )
            orders.append(order)
    return orders, without_order, closes, entry_prices


def _what(lot: Lot) -> str:
    if lot.closes is Closes.HOLDING:
        return "demat holding"
    if lot.closes is Closes.HOLDING_AND_POSITION:
        return "demat holding and DELIVERY position"
    return f"{lot.trade_type} position"


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
        _check_exit_price(instrument, body, Bounds.of(ctx.settings))
    async with exit_lease(ctx, trade.token_id):
        async with ctx.sessions() as session:
            working = await working_exits(session, trade.token_id, [trade.client_id])
        trade_type = TradeType(trade.trade_type)
        # A DELIVERY fill of an earlier day has settled into the demat account: its exit sells the holding.
        found = await open_lots(ctx, client, instrument, with_holdings=trade_type is TradeType.DELIVERY)
        position = next((p for p in found if p.trade_type == trade_type), None)
        if position is None:
            raise Conflict(
                f"{client.display_name} has no open {trade.trade_type} position or holding in {instrument.symbol}.",
                code="NO_POSITION",
            )
        async with ctx.sessions() as session:
            quantity, covered = left_to_exit(trade.client_id, position, working)
            if quantity == 0:
                raise Conflict(
                    f"Working exit orders already close all {covered} of {client.display_name}'s "
                    f"{trade.trade_type} position in {instrument.symbol}.",
                    code="ALREADY_EXITING",
                    details={"working_quantity": covered},
                )
            Bounds.of(ctx.settings).check_quantity(quantity)
            order = new_order(client, instrument, exit_terms(position, quantity, body), user, batch_id=None)
            async with write_turn(ctx.write_turns, session):
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
                        "closes": position.closes,
                        **body.model_dump(mode="json"),
                    },
                )
                await session.commit()
    return await send_one(ctx, order, client, instrument)
