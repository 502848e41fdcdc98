"""Reconciliation: what the broker's order book says about our orders that have no verdict or are still open.

Run at start-up (orders a crash left PENDING or FAILED) and then periodically. Each order is looked up by its
tag in its client's order book: found, the broker's state is recorded (a FAILED order that the broker filled
becomes FILLED); not found, an in-flight order never reached the broker and is CANCELLED with that reason.
Nothing is ever re-sent from here: after a crash the market has moved, and sending again is the advisor's call.
A batch a crash left half-written (rows planned, never written, so never sent) has those rows closed as FAILED
(app/services/unwritten_rows.py). A split order (app/services/order_legs.py) is settled leg by leg, each by its own
tag: a crash between two sends leaves legs the broker has (recorded) and legs it never saw (CANCELLED,
NOT_AT_BROKER), and the row follows them.
Each order is settled on its own: one the broker describes in a way we cannot record, or one client whose books
cannot be read, is logged and left for the next pass while the rest are settled. However many processes serve the
app, one runs a pass at a time (a lease; the periodic passes are the runner's alone); the others skip theirs.

Fills are copied into our trade book just after the order row records them, so a crash in between (or a broker
that could not be read then) leaves a row whose filled quantity is ahead of its copied fills; each pass copies
the missing ones from the broker's trade book.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from app.brokers.base import BrokerError, BrokerOrder
from app.context import AppContext
from app.enums import CLOSED_STATUSES, IN_FLIGHT_STATUSES, OPEN_STATUSES, OrderStatus
from app.models import Client, Order, OrderLeg, Trade
from app.models.types import utcnow
from app.services.accounts import broker_account
from app.services.batches import complete_if_done
from app.services.dispatch import apply_broker_update, order_id_from_tag, record_outcome
from app.services.leases import LeaseBusy, hold
from app.services.order_legs import leg_id_from_tag, record_leg_outcome
from app.services.order_state import Verdict
from app.services.order_writer import legs_of
from app.services.trades import sync_fills
from app.services.unwritten_rows import close_unwritten

log = logging.getLogger(__name__)

NOT_AT_BROKER = (
    "NOT_AT_BROKER: the server stopped before the broker confirmed this order, and the broker has no order "
    "with its tag; nothing was placed. Send it again if it is still wanted."
)
# How far back a pass looks for fills left uncopied: a broker's trade book is the day's (Motilal lists only today's
# trades), so an older gap could not be filled from it, and asking again at every pass would only cost calls.
FILLS_LOOKBACK = timedelta(days=1)


@dataclass
class ReconcileReport:
    checked: int = 0
    updated: int = 0
    not_at_broker: int = 0
    unreachable_clients: list[int] = field(default_factory=list)
    # Orders whose filled quantity was ahead of our trade book; their fills were copied where the broker answered.
    fill_gaps: int = 0
    # Orders whose broker state could not be recorded (each logged); the pass went on without them.
    failed_orders: list[int] = field(default_factory=list)
    # Batches a crash left with rows never written, now shown FAILED (app/services/unwritten_rows.py).
    unwritten_batches: list[int] = field(default_factory=list)


async def reconcile(ctx: AppContext, *, pending_older_than: timedelta, failed_older_than: timedelta) -> ReconcileReport:
    now = utcnow()
    async with ctx.sessions() as session:
        rows = (
            await session.execute(
                select(Order, Client)
                .join(Client, Client.id == Order.client_id)
                .where(
                    or_(
                        Order.status.in_(OPEN_STATUSES),
                        and_(Order.status == OrderStatus.PENDING, Order.created_at <= now - pending_older_than),
                        and_(Order.status == OrderStatus.FAILED, Order.updated_at <= now - failed_older_than),
                    )
                )
                .order_by(Order.id)
            )
        ).all()
        legs = await legs_of(session, [order.id for order, _ in rows if order.id is not None])
    by_client: dict[int, tuple[Client, list[Order]]] = {}
    for order, client in rows:
        by_client.setdefault(client.id, (client, []))[1].append(order)  # type: ignore[index]
    report = ReconcileReport(checked=len(rows))
    clients = list(by_client.values())
    ages = _LegAges(pending_before=now - pending_older_than, failed_before=now - failed_older_than)
    results = await asyncio.gather(
        *(_reconcile_client(ctx, client, orders, legs, ages, report) for client, orders in clients),
        return_exceptions=True,
    )
    for (client, _), result in zip(clients, results, strict=True):
        # One client's trouble (credentials that no longer decrypt, say) must not end the pass for the others.
        if isinstance(result, Exception):
            log.error("reconciliation: client %s's orders not settled", client.id, exc_info=result)
            report.unreachable_clients.append(client.id)  # type: ignore[arg-type]
    closed = await close_unwritten(ctx, older_than=pending_older_than)
    report.unwritten_batches = closed
    await _complete_batches(ctx, {o.batch_id for o, _ in rows if o.batch_id is not None} | set(closed))
    # After the orders above, whose own updates already copied their fills; a row updated as recently as a PENDING
    # order is young may still have its copy on the way from a live request.
    report.fill_gaps = await _catch_up_fills(ctx, since=now - FILLS_LOOKBACK, until=now - pending_older_than)
    if report.checked or report.fill_gaps:
        log.info(
            "reconciled %d orders: %d updated, %d not at the broker, %d not recorded, %d clients unreachable, "
            "%d orders with fills missing from our trade book",
            report.checked,
            report.updated,
            report.not_at_broker,
            len(report.failed_orders),
            len(report.unreachable_clients),
            report.fill_gaps,
        )
    return report


async def reconcile_once(
    ctx: AppContext, *, pending_older_than: timedelta, failed_older_than: timedelta
) -> ReconcileReport | None:
    """A pass, unless another process is running one (None then: its pass covers the same orders)."""
    try:
        async with hold(
            ctx.sessions,
            "job:reconcile",
            ttl_s=ctx.settings.lease_ttl_s,
            wait_s=0,
            busy=("RECONCILE_RUNNING", "another process is reconciling"),
        ):
            return await reconcile(ctx, pending_older_than=pending_older_than, failed_older_than=failed_older_than)
    except LeaseBusy:
        return None


@dataclass(frozen=True, slots=True)
class _LegAges:
    """A leg without a verdict is looked for only once it is as old as a whole order would have to be: a younger
    one may still be on its way to the broker from a live send."""

    pending_before: datetime
    failed_before: datetime

    def settles(self, leg: OrderLeg) -> bool:
        if leg.status == OrderStatus.PENDING:
            return leg.created_at <= self.pending_before
        return leg.status != OrderStatus.FAILED or leg.updated_at <= self.failed_before


async def _reconcile_client(
    ctx: AppContext,
    client: Client,
    orders: list[Order],
    legs: dict[int, list[OrderLeg]],
    ages: _LegAges,
    report: ReconcileReport,
) -> None:
    account = broker_account(ctx.vault, client)
    try:
        book = await ctx.brokers.call(client.broker, lambda adapter: adapter.order_book(account), read=True)
    except BrokerError as exc:
        log.warning("reconciliation: order book of client %s unavailable: %s", client.id, exc)
        assert client.id is not None
        report.unreachable_clients.append(client.id)
        return
    by_tag = {row.tag: row for row in book}
    for order in orders:
        assert order.id is not None
        try:
            if order.id in legs:
                await _reconcile_legs(ctx, order.id, legs[order.id], by_tag, ages, report)
            else:
                await _reconcile_order(ctx, order, by_tag.get(order.tag), report)
        except Exception:
            # One order the broker describes in a way we cannot record must not stop the rest; the next pass retries.
            log.exception("reconciliation: order %s not settled", order.id)
            report.failed_orders.append(order.id)


async def _reconcile_order(
    ctx: AppContext, order: Order, snapshot: BrokerOrder | None, report: ReconcileReport
) -> None:
    assert order.id is not None
    if snapshot is not None:
        if await apply_broker_update(ctx, order.id, snapshot):
            report.updated += 1
    elif order.status in IN_FLIGHT_STATUSES:
        await record_outcome(ctx, order.id, Verdict(OrderStatus.CANCELLED, NOT_AT_BROKER))
        report.not_at_broker += 1
    else:
        log.warning("order %s is %s here but missing from the broker's book", order.id, order.status)


async def _reconcile_legs(
    ctx: AppContext,
    order_id: int,
    legs: list[OrderLeg],
    by_tag: dict[str, BrokerOrder],
    ages: _LegAges,
    report: ReconcileReport,
) -> None:
    updated = False
    for leg in legs:
        if leg.status in CLOSED_STATUSES or not ages.settles(leg):
            continue
        snapshot = by_tag.get(leg.tag)
        if snapshot is not None:
            updated |= await record_leg_outcome(ctx, order_id, leg.leg_no, snapshot)
        elif leg.status in IN_FLIGHT_STATUSES:
            await record_leg_outcome(ctx, order_id, leg.leg_no, Verdict(OrderStatus.CANCELLED, NOT_AT_BROKER))
            report.not_at_broker += 1
        else:
            log.warning("leg %s of order %s is %s here but not in the broker's book", leg.leg_no, order_id, leg.status)
    report.updated += updated


async def _catch_up_fills(ctx: AppContext, *, since: datetime, until: datetime) -> int:
    """Copy the fills of orders updated in [since, until] whose filled quantity is ahead of our trade book."""
    copied = select(func.coalesce(func.sum(Trade.quantity), 0)).where(Trade.order_id == Order.id).scalar_subquery()
    async with ctx.sessions() as session:
        rows = (
            await session.execute(
                select(Order, Client)
                .join(Client, Client.id == Order.client_id)
                .where(Order.updated_at >= since, Order.updated_at <= until, Order.filled_quantity > copied)
                .order_by(Order.id)
            )
        ).all()
    by_client: dict[int, tuple[Client, list[Order]]] = {}
    for order, client in rows:
        by_client.setdefault(order.client_id, (client, []))[1].append(order)
    results = await asyncio.gather(
        *(sync_fills(ctx, client, client_orders) for client, client_orders in by_client.values()),
        return_exceptions=True,
    )
    for client_id, result in zip(by_client, results, strict=True):
        # One client's unreadable books must not stop the pass (at start-up, the server) for everyone else.
        if isinstance(result, Exception):
            log.error("reconciliation: fills of client %s's orders not copied", client_id, exc_info=result)
    return len(rows)


async def _complete_batches(ctx: AppContext, batch_ids: set[int]) -> None:
    async with ctx.sessions() as session:
        for batch_id in batch_ids:
            await complete_if_done(session, batch_id)


async def on_broker_order(ctx: AppContext, client_id: int, snapshot: BrokerOrder) -> None:
    """A broker pushed a change to one of its orders (a resting order filled, say)."""
    if leg_id_from_tag(snapshot.tag) is not None:
        async with ctx.sessions() as session:
            leg = await session.get(OrderLeg, leg_id_from_tag(snapshot.tag))
        if leg is None:
            log.warning("broker update for client %s names a leg we do not have: %r", client_id, snapshot.tag)
        else:
            await record_leg_outcome(ctx, leg.order_id, leg.leg_no, snapshot)
        return
    order_id = order_id_from_tag(snapshot.tag)
    if order_id is None:
        log.warning("broker update for client %s carries a tag that is not ours: %r", client_id, snapshot.tag)
        return
    await apply_broker_update(ctx, order_id, snapshot)


async def reconcile_due(ctx: AppContext) -> ReconcileReport | None:
    """The periodic pass the runner makes (app/services/runner.py): open orders, FAILED ones once they are
    reconcile_failed_after_s old, and PENDING ones older than a live request could still be sending."""
    settings = ctx.settings
    return await reconcile_once(
        ctx,
        pending_older_than=timedelta(seconds=2 * settings.broker_call_timeout_s + 5),
        failed_older_than=timedelta(seconds=settings.reconcile_failed_after_s),
    )
