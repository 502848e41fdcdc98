"""Sends written orders to their brokers and records every answer, moving orders forward only.

An order row is committed PENDING before this module sees it; its id goes to the broker as the tag. Once the send
has its broker slot it asks the halt gate (app/services/halt_gate.py): a kill switch in force makes the order
CANCELLED (HALTED) and nothing is sent. The answer moves it to OPEN/FILLED/REJECTED; no answer (timeout, network,
anything unexpected) moves it to FAILED, and it is never re-sent here: reconciliation looks it up by tag. Every
broker view of an order (the answer to a request, a pushed update, an order-book row) goes through
`merge_broker_state` (app/services/order_state.py), so a late or repeated view can never move an order backwards.

An order above its instrument's freeze quantity is sent as legs (app/services/order_legs.py): written first, then
sent together, each through the same halt gate and broker slot as a whole order, each answer recorded on its leg.
"""

import asyncio
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerAuthError, BrokerOrder, BrokerOrderRequest, BrokerRejected, BrokerUnavailable
from app.brokers.registry import NotAdmitted
from app.context import AppContext
from app.enums import OrderStatus
from app.models import Client, Instrument, Order, OrderLeg
from app.models.instrument import instrument_ref
from app.models.types import utcnow
from app.schemas.orders import OrderLegOut, OrderOut
from app.security.vault import VaultError
from app.services.accounts import broker_account
from app.services.halt_gate import HALTED
from app.services.order_legs import record_leg_outcome, split_for, too_many_legs, write_legs
from app.services.order_state import Outcome, Verdict, apply_outcome, merge_broker_state
from app.services.order_writer import legs_of

log = logging.getLogger(__name__)


def order_id_from_tag(tag: str) -> int | None:
    return int(tag[2:]) if tag.startswith("MD") and tag[2:].isdigit() else None


async def send_one(ctx: AppContext, order: Order, client: Client, instrument: Instrument) -> OrderOut:
    """Send one just-written order and answer with it as recorded: the caller already holds its client and
    instrument, so only the row is read back."""
    recorded = await send_loaded(ctx, order, client, instrument)
    split = split_for(order, instrument) is not None
    legs: list[OrderLeg] = []
    if recorded is None or split:
        async with ctx.sessions() as session:
            recorded = recorded or await session.get(Order, order.id)
            assert recorded is not None and recorded.id is not None
            if split:
                legs = (await legs_of(session, [recorded.id])).get(recorded.id, [])
    assert recorded is not None
    return OrderOut(
        **recorded.model_dump(),
        client_name=client.display_name,
        symbol=instrument.symbol,
        legs=[OrderLegOut.of(leg) for leg in legs],
    )


async def send_loaded(ctx: AppContext, order: Order, client: Client, instrument: Instrument) -> Order | None:
    """Send a PENDING order and record the answer; the row as recorded (None if it was not PENDING, or went out as
    legs: the row then moves with each leg's answer)."""
    if order.status != OrderStatus.PENDING:
        return None
    assert order.id is not None
    sizes = split_for(order, instrument)
    if sizes is not None:
        await _send_legs(ctx, order, client, instrument, sizes)
        return None
    started = utcnow()
    outcome = await _place(ctx, client, instrument, order, order.tag, order.quantity)
    labels = (client.display_name, instrument.symbol)
    return await record_outcome(ctx, order.id, outcome, sent_at=started, labels=labels)


async def _send_legs(ctx: AppContext, order: Order, client: Client, instrument: Instrument, sizes: list[int]) -> None:
    assert order.id is not None
    order_id = order.id
    refused = too_many_legs(sizes, instrument.freeze_quantity)
    if refused is not None:
        await record_outcome(ctx, order_id, refused)
        return
    legs = await write_legs(ctx, order, sizes)
    if legs is None:
        return

    async def send(leg: OrderLeg) -> None:
        started = utcnow()
        outcome = await _place(ctx, client, instrument, order, leg.tag, leg.quantity)
        await record_leg_outcome(ctx, order_id, leg.leg_no, outcome, sent_at=started)

    # Together, like a batch's rows: the broker registry's per-account throttle paces them, and a leg stopped by a
    # halt or refused by the broker does not hold back the others' verdicts.
    results = await asyncio.gather(*(send(leg) for leg in legs), return_exceptions=True)
    for leg, result in zip(legs, results, strict=True):
        if isinstance(result, Exception):
            # Recording failed (the database, say); the leg stays PENDING or FAILED and reconciliation settles it.
            log.error("recording leg %s of order %s failed", leg.leg_no, order_id, exc_info=result)


async def _place(
    ctx: AppContext, client: Client, instrument: Instrument, order: Order, tag: str, quantity: int
) -> Outcome:
    try:
        account = broker_account(ctx.vault, client)
    except VaultError:
        return Verdict(OrderStatus.DENIED, "CREDENTIALS_UNREADABLE: this client's credentials cannot be decrypted")
    request = BrokerOrderRequest(
        tag=tag,
        instrument=instrument_ref(instrument),
        side=order.side,
        quantity=quantity,
        order_type=order.order_type,
        trade_type=order.trade_type,
        price=order.price,
        trigger_price=order.trigger_price,
        amo=order.amo,
    )
    place = lambda adapter: adapter.place_order(account, request)  # noqa: E731
    try:
        # Never sent twice from here: an adapter whose session was refused logs in again and repeats the
        # placement itself, once, because only it can tell a refusal that proves nothing was taken.
        return await ctx.brokers.call(
            client.broker,
            place,
            throttle_account=account.client_id,
            admit=lambda: ctx.halt_gate.admits(order, client.owner_id),
        )
    except NotAdmitted:
        return Verdict(OrderStatus.CANCELLED, HALTED)
    except BrokerAuthError as exc:
        return Verdict(OrderStatus.REJECTED, f"BROKER_LOGIN_FAILED: {exc}")
    except BrokerRejected as exc:
        return Verdict(OrderStatus.REJECTED, exc.reason)
    except BrokerUnavailable as exc:
        return Verdict(OrderStatus.FAILED, f"NO_ANSWER: {exc}; it will be looked up at the broker, not re-sent")
    except Exception as exc:
        log.exception("placing order %s (tag %s) failed unexpectedly", order.id, tag)
        return Verdict(OrderStatus.FAILED, f"NO_ANSWER: {type(exc).__name__}; it will be looked up at the broker")


async def record_outcome(
    ctx: AppContext,
    order_id: int,
    outcome: Outcome,
    *,
    sent_at: datetime | None = None,
    labels: tuple[str, str] | None = None,
) -> Order | None:
    """Record a broker's answer (or our verdict on the lack of one); announced once committed. The row as recorded
    is returned; `labels` (client name, symbol) spare the announcement a read."""

    def apply(order: Order) -> bool:
        if sent_at is not None and order.sent_at is None:
            order.sent_at = sent_at
        return apply_outcome(order, outcome)

    fills = () if isinstance(outcome, Verdict) else outcome.fills
    return await ctx.order_writer.write(order_id, apply, fills, labels=labels)


async def apply_broker_update(ctx: AppContext, order_id: int, snapshot: BrokerOrder) -> bool:
    """A broker's pushed or polled view of one of our orders."""
    return await ctx.order_writer.apply(order_id, lambda order: merge_broker_state(order, snapshot), snapshot.fills)


async def order_out(session: AsyncSession, order: Order) -> OrderOut:
    names = select(
        select(Client.display_name).where(Client.id == order.client_id).scalar_subquery(),
        select(Instrument.symbol).where(Instrument.token_id == order.token_id).scalar_subquery(),
    )
    client_name, symbol = (await session.execute(names)).one()
    assert order.id is not None
    legs = (await legs_of(session, [order.id])).get(order.id, [])
    return OrderOut(
        **order.model_dump(),
        client_name=client_name or "",
        symbol=symbol or "",
        legs=[OrderLegOut.of(leg) for leg in legs],
    )
