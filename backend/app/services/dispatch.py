"""Sends written orders to their brokers and records every answer, moving orders forward only.

An order row is committed PENDING before this module sees it; its id goes to the broker as the tag. Once the send
has its broker slot it asks the halt gate (app/services/halt_gate.py): a kill switch in force makes the order
CANCELLED (HALTED) and nothing is sent. The answer moves it to OPEN/FILLED/REJECTED; no answer (timeout, network,
anything unexpected) moves it to FAILED, and it is never re-sent here: reconciliation looks it up by tag. Every
broker view of an order (the answer to a request, a pushed update, an order-book row) goes through
`merge_broker_state`, so a late or repeated view can never move an order backwards.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerAuthError, BrokerOrder, BrokerOrderRequest, BrokerRejected, BrokerUnavailable
from app.brokers.registry import NotAdmitted
from app.context import AppContext
from app.enums import CLOSED_STATUSES, IN_FLIGHT_STATUSES, OrderStatus
from app.models import Client, Instrument, Order
from app.models.instrument import instrument_ref
from app.models.types import utcnow
from app.schemas.orders import OrderOut
from app.security.vault import VaultError
from app.services.accounts import broker_account
from app.services.halt_gate import HALTED

log = logging.getLogger(__name__)

_RANK = {OrderStatus.PENDING: 0, OrderStatus.FAILED: 1, OrderStatus.OPEN: 2, OrderStatus.PARTIALLY_FILLED: 3}
_CLOSED_RANK = 4


def order_id_from_tag(tag: str) -> int | None:
    return int(tag[2:]) if tag.startswith("MD") and tag[2:].isdigit() else None


def _progress(status: OrderStatus, filled: int) -> tuple[int, int]:
    return (_CLOSED_RANK if status in CLOSED_STATUSES else _RANK[status], filled)


def merge_broker_state(order: Order, snapshot: BrokerOrder) -> bool:
    """Apply the broker's view of the order if it is not behind ours; True if anything changed."""
    if order.status in CLOSED_STATUSES:
        return False
    new, old = _progress(snapshot.status, snapshot.filled_quantity), _progress(order.status, order.filled_quantity)
    if new < old:
        return False
    changed = False
    if new > old:
        order.status = snapshot.status
        order.filled_quantity = snapshot.filled_quantity
        order.average_price = snapshot.average_price
        order.reason = snapshot.reason
        changed = True
    terms = (snapshot.quantity, snapshot.price, snapshot.trigger_price)
    if terms != (order.quantity, order.price, order.trigger_price):
        order.quantity, order.price, order.trigger_price = terms
        changed = True
    if order.broker_order_id != snapshot.broker_order_id:
        order.broker_order_id = snapshot.broker_order_id
        changed = True
    if snapshot.note and order.broker_note != snapshot.note:
        order.broker_note = snapshot.note
        changed = True
    return changed


@dataclass(frozen=True, slots=True)
class Verdict:
    """Our record of a request that produced no order-book row: a rejection or no answer."""

    status: OrderStatus
    reason: str


Outcome = BrokerOrder | Verdict


async def send_one(ctx: AppContext, order: Order, client: Client, instrument: Instrument) -> OrderOut:
    """Send one just-written order and answer with it as recorded: the caller already holds its client and
    instrument, so only the row is read back."""
    recorded = await send_loaded(ctx, order, client, instrument)
    if recorded is None:
        async with ctx.sessions() as session:
            recorded = await session.get(Order, order.id)
    assert recorded is not None
    return OrderOut(**recorded.model_dump(), client_name=client.display_name, symbol=instrument.symbol)


async def send_loaded(ctx: AppContext, order: Order, client: Client, instrument: Instrument) -> Order | None:
    """Send a PENDING order and record the answer; the row as recorded (None if it was not PENDING)."""
    if order.status != OrderStatus.PENDING:
        return None
    assert order.id is not None
    started = utcnow()
    outcome = await _place(ctx, client, instrument, order)
    labels = (client.display_name, instrument.symbol)
    return await record_outcome(ctx, order.id, outcome, sent_at=started, labels=labels)


async def _place(ctx: AppContext, client: Client, instrument: Instrument, order: Order) -> Outcome:
    try:
        account = broker_account(ctx.vault, client)
    except VaultError:
        return Verdict(OrderStatus.DENIED, "CREDENTIALS_UNREADABLE: this client's credentials cannot be decrypted")
    request = BrokerOrderRequest(
        tag=order.tag,
        instrument=instrument_ref(instrument),
        side=order.side,
        quantity=order.quantity,
        order_type=order.order_type,
        trade_type=order.trade_type,
        price=order.price,
        trigger_price=order.trigger_price,
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
        log.exception("placing order %s failed unexpectedly", order.id)
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
        if isinstance(outcome, Verdict):
            # A verdict without a broker row only settles an order that has none yet.
            if order.status not in IN_FLIGHT_STATUSES:
                return False
            order.status, order.reason = outcome.status, outcome.reason
            return True
        return merge_broker_state(order, outcome)

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
    return OrderOut(**order.model_dump(), client_name=client_name or "", symbol=symbol or "")
