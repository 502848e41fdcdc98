"""Single orders: place one, list the order book, cancel and modify open orders (a split order's through its legs)."""

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerOrder, BrokerRejected
from app.context import AppContext
from app.db import write_turn
from app.enums import OPEN_STATUSES, Execution, OrderStatus, Side
from app.errors import BrokerDown, Conflict, NotFound
from app.models import Client, Instrument, Order, OrderLeg, User
from app.models.types import utcnow
from app.schemas.orders import ModifyOrderRequest, OrderLegOut, OrderOut, PlaceOrderRequest
from app.services import audit, leg_actions, trading_day
from app.services.accounts import broker_account
from app.services.clients import get_visible, visible_clients
from app.services.dispatch import order_out, record_outcome, send_one
from app.services.instruments import get_instrument
from app.services.order_terms import (
    PRICED,
    TRIGGERED,
    Bounds,
    OrderTerms,
    TermsError,
    check_on_tick,
    check_quantity,
    check_terms,
)
from app.services.order_writer import legs_of
from app.services.risk import check_orders, ensure_not_halted


def side_of(execution: Execution) -> Side:
    return Side.BUY if execution == Execution.BUY else Side.SELL


def require_active(client: Client) -> None:
    if not client.is_active:
        raise Conflict(f"Client {client.display_name} is deactivated.", code="CLIENT_INACTIVE")


def new_order(client: Client, instrument: Instrument, terms: OrderTerms, user: User, batch_id: int | None) -> Order:
    assert client.id is not None and user.id is not None
    # Given, not left to the default factory: pydantic inspects a factory's signature on every call, which was a
    # measurable share of building an execute-all's thousand rows.
    now = utcnow()
    return Order(
        created_at=now,
        updated_at=now,
        client_id=client.id,
        token_id=instrument.token_id,
        batch_id=batch_id,
        created_by=user.id,
        execution=terms.execution,
        side=terms.side,
        order_type=terms.order_type,
        trade_type=terms.trade_type,
        quantity=terms.quantity,
        price=terms.price,
        trigger_price=terms.trigger_price,
    )


async def place_order(ctx: AppContext, user: User, body: PlaceOrderRequest) -> OrderOut:
    async with ctx.sessions() as session:
        client = await get_visible(session, user, body.client_id)
        require_active(client)
        await ensure_not_halted(session, user, [client])
        instrument = await get_instrument(session, body.token_id)
        terms = OrderTerms(
            execution=body.execution,
            side=side_of(body.execution),
            order_type=body.order_type,
            trade_type=body.trade_type,
            quantity=body.quantity,
            price=body.price,
            trigger_price=body.trigger_price,
        )
        check_terms(instrument, terms, Bounds.of(ctx.settings))
        amo = trading_day.amo_rows(ctx, [client], instrument.exchange, amo=bool(body.amo))[body.client_id]
        refused = await check_orders(ctx, session, instrument, [(client, terms)])
        if refused:
            raise refused[body.client_id]
        order = new_order(client, instrument, terms, user, batch_id=None)
        order.amo = amo
        async with write_turn(ctx.write_turns, session):
            session.add(order)
            await session.flush()
            await audit.record(
                session,
                "order.place",
                actor_id=user.id,
                entity_type="order",
                entity_id=order.id,
                payload=body.model_dump(mode="json"),
            )
            # Committed before the broker hears of it: a crash from here on leaves a row to reconcile, never nothing.
            await session.commit()
    return await send_one(ctx, order, client, instrument)


def _visible_orders(user: User) -> Select[tuple[Order]]:
    return select(Order).where(Order.client_id.in_(visible_clients(user).with_only_columns(Client.id)))


async def get_visible_order(session: AsyncSession, user: User, order_id: int) -> Order:
    order = await session.scalar(_visible_orders(user).where(Order.id == order_id))
    if order is None:
        raise NotFound(f"No order with id {order_id}.", code="ORDER_NOT_FOUND")
    return order


async def get_order(ctx: AppContext, user: User, order_id: int) -> OrderOut:
    async with ctx.sessions() as session:
        return await order_out(session, await get_visible_order(session, user, order_id))


async def list_orders(
    session: AsyncSession,
    user: User,
    *,
    client_id: int | None,
    token_id: int | None,
    status: OrderStatus | None,
    batch_id: int | None,
    date_from: datetime | None,
    date_to: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[OrderOut], int]:
    clients = visible_clients(user).subquery()
    query = (
        select(Order, clients.c.display_name, Instrument.symbol)
        .join(clients, clients.c.id == Order.client_id)
        .join(Instrument, Instrument.token_id == Order.token_id)
    )
    for column, value in (
        (Order.client_id, client_id),
        (Order.token_id, token_id),
        (Order.status, status),
        (Order.batch_id, batch_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if date_from is not None:
        query = query.where(Order.created_at >= date_from)
    if date_to is not None:
        query = query.where(Order.created_at < date_to)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = (
        await session.execute(query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit).offset(offset))
    ).all()
    legs = await legs_of(session, [o.id for o, _, _ in rows])
    return [
        OrderOut(
            **o.model_dump(),
            client_name=name,
            symbol=symbol,
            legs=[OrderLegOut.of(leg) for leg in legs.get(o.id, [])],  # type: ignore[arg-type]
        )
        for o, name, symbol in rows
    ], total or 0


async def _open_order_at_broker(
    ctx: AppContext, user: User, order_id: int
) -> tuple[Order, Client, Instrument, list[OrderLeg]]:
    """The open order, its client and instrument, and its legs if it was split (then they, not it, are at the
    broker)."""
    async with ctx.sessions() as session:
        order = await get_visible_order(session, user, order_id)
        legs = (await legs_of(session, [order_id])).get(order_id, [])
        if order.status not in OPEN_STATUSES or (order.broker_order_id is None and not legs):
            raise Conflict(f"Order {order_id} is {order.status}; only open orders change.", code="ORDER_NOT_OPEN")
        client = await session.get(Client, order.client_id)
        instrument = await session.get(Instrument, order.token_id)
    assert client is not None and instrument is not None
    return order, client, instrument, legs


async def _refresh_after_refusal(ctx: AppContext, client: Client, order: Order, exc: BrokerRejected) -> None:
    """The broker refused a change (often: the order filled meanwhile); take its current view of the order."""
    account = broker_account(ctx.vault, client)
    broker_order_id = order.broker_order_id
    assert broker_order_id is not None and order.id is not None
    try:
        current: BrokerOrder = await ctx.brokers.call(
            client.broker, lambda adapter: adapter.order_status(account, broker_order_id), read=True
        )
        await record_outcome(ctx, order.id, current)
    except BrokerError:
        pass
    raise Conflict(f"The broker refused: {exc.reason}", code=exc.code or "BROKER_REFUSED") from exc


def adds_risk(order: Order, body: ModifyOrderRequest) -> bool:
    """Whether the change makes the order bigger or likelier to fill: what a halt forbids (it allows the reverse).

    A buy fills sooner at a higher limit and, as a stop, triggers sooner at a lower trigger; a sell the opposite.
    """
    buy = order.side == Side.BUY
    if body.quantity is not None and body.quantity > order.quantity:
        return True
    if (
        body.price is not None
        and order.price is not None
        and (body.price > order.price if buy else body.price < order.price)
    ):
        return True
    trigger, current = body.trigger_price, order.trigger_price
    return trigger is not None and current is not None and (trigger < current if buy else trigger > current)


async def cancel_order(ctx: AppContext, user: User, order_id: int) -> OrderOut:
    order, client, _, legs = await _open_order_at_broker(ctx, user, order_id)
    async with ctx.sessions() as session, write_turn(ctx.write_turns, session):
        await audit.record(session, "order.cancel", actor_id=user.id, entity_type="order", entity_id=order_id)
        await session.commit()
    if legs:
        await leg_actions.cancel_legs(ctx, client, order_id, legs)
        return await get_order(ctx, user, order_id)
    account = broker_account(ctx.vault, client)
    broker_order_id = order.broker_order_id
    assert broker_order_id is not None
    try:
        ack = await ctx.brokers.call(client.broker, lambda adapter: adapter.cancel_order(account, broker_order_id))
    except BrokerRejected as exc:
        await _refresh_after_refusal(ctx, client, order, exc)
    except BrokerError as exc:
        raise BrokerDown(f"The broker did not confirm the cancel ({exc}); check the order again shortly.") from exc
    await record_outcome(ctx, order_id, ack)
    return await get_order(ctx, user, order_id)


async def modify_order(ctx: AppContext, user: User, order_id: int, body: ModifyOrderRequest) -> OrderOut:
    order, client, instrument, legs = await _open_order_at_broker(ctx, user, order_id)
    if body.quantity is None and body.price is None and body.trigger_price is None:
        raise TermsError("Give a new quantity, price or trigger price.", code="NOTHING_TO_MODIFY")
    if legs and body.quantity is not None:
        raise Conflict(
            f"Order {order_id} was sent as {len(legs)} orders (its quantity is above the freeze quantity); its "
            "quantity cannot change. Change its price, or cancel it and place the quantity wanted.",
            code="SPLIT_QUANTITY_FIXED",
        )
    if body.price is not None and order.order_type not in PRICED:
        raise TermsError(f"A {order.order_type} order takes no price.", code="PRICE_NOT_ALLOWED")
    if body.trigger_price is not None and order.order_type not in TRIGGERED:
        raise TermsError(f"A {order.order_type} order takes no trigger price.", code="TRIGGER_NOT_ALLOWED")
    Bounds.of(ctx.settings).check(body.quantity, body.price, body.trigger_price)
    if body.quantity is not None:
        check_quantity(instrument, body.quantity)
    check_on_tick(instrument, body.price, "price")
    check_on_tick(instrument, body.trigger_price, "trigger price")
    async with ctx.sessions() as session:
        if order.execution != Execution.EXIT and adds_risk(order, body):
            await ensure_not_halted(session, user, [client])
        if order.execution != Execution.EXIT and (body.quantity is not None or body.price is not None):
            # The new terms meet the same pre-trade limits as a new order; exits are never limited.
            terms = OrderTerms(
                execution=order.execution,
                side=order.side,
                order_type=order.order_type,
                trade_type=order.trade_type,
                quantity=body.quantity or order.quantity,
                price=body.price if body.price is not None else order.price,
                trigger_price=body.trigger_price if body.trigger_price is not None else order.trigger_price,
            )
            refused = await check_orders(ctx, session, instrument, [(client, terms)])
            if refused:
                raise refused[order.client_id]
        async with write_turn(ctx.write_turns, session):
            await audit.record(
                session,
                "order.modify",
                actor_id=user.id,
                entity_type="order",
                entity_id=order_id,
                payload=body.model_dump(mode="json", exclude_none=True),
            )
            await session.commit()
    if legs:
        await leg_actions.modify_legs(ctx, client, order_id, legs, price=body.price, trigger_price=body.trigger_price)
        return await get_order(ctx, user, order_id)
    account = broker_account(ctx.vault, client)
    broker_order_id = order.broker_order_id
    assert broker_order_id is not None
    try:
        ack = await ctx.brokers.call(
            client.broker,
            lambda adapter: adapter.modify_order(
                account, broker_order_id, quantity=body.quantity, price=body.price, trigger_price=body.trigger_price
            ),
            throttle_account=account.client_id,
        )
    except BrokerRejected as exc:
        await _refresh_after_refusal(ctx, client, order, exc)
    except BrokerError as exc:
        raise BrokerDown(f"The broker did not confirm the change ({exc}); check the order again shortly.") from exc
    await record_outcome(ctx, order_id, ack)
    return await get_order(ctx, user, order_id)
