"""Every change to an order row, written in groups: one transaction and one round of announcements per group.

A thousand broker answers arriving together would otherwise be a thousand transactions, each with its own reads
to announce it, and a queue of callers waiting for database connections. A caller hands the writer a change (a
function of the locked row that says whether it changed anything) and waits for its result. Whichever caller
finds no write under way writes everything queued, in arrival order, until the queue is empty: changes to one
order are applied in the order they came, and no background task exists to be lost at shutdown. A group that
fails to commit is written again one change at a time, so a bad change (one that raises, or a value no column
holds) fails only its own caller; only an unavailable database fails a whole group.

Fills that arrive with the order (the broker's answer lists them) are written in the same transaction as the
row; the rest, and the client's new position, are left to the fill follow-up, off the order path.

A split order's legs (app/services/order_legs.py) are changed through their order row, under its lock: a leg change
is given the row and its legs, so the legs and the row derived from them are committed together.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.brokers.base import BrokerTrade
from app.db import DatabaseUnavailable
from app.enums import OrderStatus
from app.models import Batch, Client, Instrument, Order, OrderLeg, Trade
from app.models.types import utcnow
from app.observability.metrics import ORDERS_BY_STATUS
from app.realtime import events
from app.realtime.events import EventBus
from app.schemas.orders import OrderLegOut, OrderOut

log = logging.getLogger(__name__)

# Bounds one transaction's lock set and IN list; a larger queue is written in several groups.
MAX_GROUP = 500
_IN_CHUNK = 5000  # SQLite caps the bound parameters of one statement

# A change must depend only on the row it is given: if its group fails, it is applied again to a fresh copy.
Change = Callable[[Order], bool]
# The same for a split order: given the locked row and its legs (in leg order), which it may change too.
LegChange = Callable[[Order, list[OrderLeg]], bool]
# Orders whose filled quantity moved, each with whether its fills still have to be read from the trade book.
FillsListener = Callable[[list[tuple[Order, bool]]], None]


@dataclass(slots=True)
class _Queued:
    order_id: int
    change: LegChange
    fills: Sequence[BrokerTrade]
    result: "asyncio.Future[bool]"
    with_legs: bool = False
    # (client name, symbol) when the caller knows them: the announcement then reads nothing for this order.
    labels: tuple[str, str] | None = None
    # The row as this change left it, once committed.
    row: Order | None = None


@dataclass(slots=True)
class _Written:
    order: Order
    status_changed: bool
    fills_moved: bool
    fills_complete: bool
    legs: list[OrderLeg] | None = None


class OrderWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], bus: EventBus, on_fills: FillsListener) -> None:
        self._sessions = sessions
        self._bus = bus
        self._on_fills = on_fills
        self._queue: list[_Queued] = []
        self._writing: asyncio.Future[None] | None = None

    async def apply(self, order_id: int, change: Change, fills: Sequence[BrokerTrade] = ()) -> bool:
        """Apply `change` to the locked order row and commit; True if it changed anything (then announced)."""
        return (await self._submit(_Queued(order_id, lambda order, _: change(order), fills, self._future())))[0]

    async def write(
        self, order_id: int, change: Change, fills: Sequence[BrokerTrade] = (), *, labels: tuple[str, str] | None = None
    ) -> Order | None:
        """Like apply, answering with the row as committed (None if there is no such order), so the caller need not
        read it back; `labels` (client name, symbol) spare the announcement its read."""
        item = _Queued(order_id, lambda order, _: change(order), fills, self._future(), labels=labels)
        return (await self._submit(item))[1]

    async def apply_legs(self, order_id: int, change: LegChange, fills: Sequence[BrokerTrade] = ()) -> bool:
        """Apply `change` to the locked row of a split order and its legs, and commit; True if it changed anything."""
        return (await self._submit(_Queued(order_id, change, fills, self._future(), with_legs=True)))[0]

    @staticmethod
    def _future() -> "asyncio.Future[bool]":
        return asyncio.get_running_loop().create_future()

    async def _submit(self, item: _Queued) -> tuple[bool, Order | None]:
        self._queue.append(item)
        while not item.result.done():
            if self._writing is None:
                await self._write_queue()
            else:
                await asyncio.wait((item.result, self._writing), return_when=asyncio.FIRST_COMPLETED)
        return item.result.result(), item.row

    async def _write_queue(self) -> None:
        self._writing = asyncio.get_running_loop().create_future()
        try:
            while self._queue:
                group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                await self._write_group(group)
        finally:
            # Wakes the callers waiting on this write; one whose change is still queued takes over the writing.
            writing, self._writing = self._writing, None
            writing.set_result(None)

    async def _write_group(self, group: list[_Queued]) -> None:
        try:
            written, results = await self._commit(group)
        except Exception as exc:
            if len(group) == 1 or _database_down(exc):
                # These callers learn of the failure; the groups after it are still written.
                log.exception("writing %d order updates failed", len(group))
                for item in group:
                    item.result.set_exception(exc)
                return
            # One bad change (a value no column holds, a change that raises) must not fail its neighbours: each is
            # written again on its own, so only the bad one fails.
            log.warning("writing %d order updates failed (%r); writing them one at a time", len(group), exc)
            written = await self._write_one_by_one(group)
        except BaseException:
            for item in group:
                item.result.set_exception(RuntimeError("the order update was interrupted before it was committed"))
                # Marked as seen: at shutdown the callers are being cancelled too, and may never look.
                item.result.exception()
            raise
        else:
            for item, changed in zip(group, results, strict=True):
                item.result.set_result(changed)
        try:
            await self._announce(written, {item.order_id: item.labels for item in group if item.labels is not None})
        except Exception:
            # The rows are committed; a lost announcement is repaired by the next one or a page reload.
            log.exception("announcing %d order updates failed", len(written))

    async def _write_one_by_one(self, group: list[_Queued]) -> list[_Written]:
        written: list[_Written] = []
        down: Exception | None = None
        for index, item in enumerate(group):
            if down is not None:
                item.result.set_exception(down)
                continue
            try:
                own, [changed] = await self._commit([item])
            except Exception as exc:
                log.exception("writing the update of order %s failed", item.order_id)
                item.result.set_exception(exc)
                if _database_down(exc):
                    down = exc  # the rest would only wait for the same outage, one by one
                continue
            except BaseException:
                for rest in group[index:]:
                    rest.result.set_exception(RuntimeError("the order update was interrupted before it was committed"))
                raise
            item.result.set_result(changed)
            written.extend(own)
        return written

    async def _commit(self, group: list[_Queued]) -> tuple[list[_Written], list[bool]]:
        ids = sorted({item.order_id for item in group})
        async with self._sessions() as session:
            # Locked in id order, so two processes writing overlapping groups cannot deadlock.
            rows = await session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id).with_for_update())
            orders = {order.id: order for order in rows}
            before = {order_id: (order.status, order.filled_quantity) for order_id, order in orders.items()}
            legs = await legs_of(session, sorted({item.order_id for item in group if item.with_legs}))
            legs_filled = {leg.id: leg.filled_quantity for order_legs in legs.values() for leg in order_legs}
            fills: dict[int, dict[str, BrokerTrade]] = {}
            results = []
            changed_ids: set[int] = set()
            for item in group:
                order = orders.get(item.order_id)
                order_legs = legs.get(item.order_id, [])
                changed = order is not None and item.change(order, order_legs)
                item.row = order
                results.append(changed)
                if changed:
                    changed_ids.add(item.order_id)
                if order is not None:
                    tags = {order.tag, *(leg.tag for leg in order_legs)}
                    for fill in item.fills:
                        if fill.tag in tags:
                            fills.setdefault(item.order_id, {})[fill.trade_id] = fill
            now = utcnow()
            written = []
            for order_id in sorted(changed_ids):
                order, (status, filled) = orders[order_id], before[order_id]
                order.updated_at = now
                own_fills = fills.get(order_id, {})
                fills_moved = order.filled_quantity != filled
                order_legs = legs.get(order_id)
                written.append(
                    _Written(
                        order=order,
                        status_changed=order.status != status,
                        fills_moved=fills_moved,
                        fills_complete=_fills_complete(order, order_legs, legs_filled, own_fills.values()),
                        legs=order_legs,
                    )
                )
            await insert_new_trades(
                session,
                [
                    trade_row(w.order, fill)
                    for w in written
                    if w.fills_moved
                    for fill in fills.get(w.order.id, {}).values()
                ],
            )
            await session.commit()
        return written, results

    async def _announce(self, written: list[_Written], known: dict[int, tuple[str, str]]) -> None:
        if not written:
            return
        unlabelled = [w.order for w in written if w.order.id not in known]
        labels: dict[int, tuple[str, str]] = dict(known)
        progress: dict[int, tuple[int, int]] = {}
        if unlabelled or any(w.order.batch_id is not None for w in written):
            async with self._sessions() as session:
                read, progress = await _announcement_context(session, [w.order for w in written], unlabelled)
            labels.update(read)
        for w in written:
            order = w.order
            if w.status_changed:
                ORDERS_BY_STATUS.labels(str(order.status)).inc()
            client_name, symbol = labels.get(order.id, ("", ""))  # type: ignore[arg-type]
            legs = [OrderLegOut.of(leg) for leg in w.legs or ()]
            payload = OrderOut(**order.model_dump(), client_name=client_name, symbol=symbol, legs=legs).model_dump(
                mode="json"
            )
            await self._bus.publish(events.ORDER_UPDATE, events.client_room(order.client_id), payload)
            if order.batch_id is not None and order.batch_id in progress:
                done, total = progress[order.batch_id]
                await self._bus.publish(
                    events.BATCH_PROGRESS,
                    events.batch_room(order.batch_id),
                    {
                        "batch_id": order.batch_id,
                        "client_id": order.client_id,
                        "order_id": order.id,
                        "status": order.status,
                        "reason": order.reason,
                        "filled_quantity": order.filled_quantity,
                        "average_price": None if order.average_price is None else str(order.average_price),
                        "done": done,
                        "total": total,
                    },
                )
        moved = [(w.order, not w.fills_complete) for w in written if w.fills_moved]
        if moved:
            self._on_fills(moved)


async def legs_of(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[OrderLeg]]:
    """The legs of whichever of these orders were split, in leg order (the writer reads them under the orders' locks,
    which is what guards them)."""
    legs: dict[int, list[OrderLeg]] = {}
    for start in range(0, len(order_ids), _IN_CHUNK):
        chunk = order_ids[start : start + _IN_CHUNK]
        query = select(OrderLeg).where(OrderLeg.order_id.in_(chunk)).order_by(OrderLeg.order_id, OrderLeg.leg_no)
        for leg in await session.scalars(query):
            legs.setdefault(leg.order_id, []).append(leg)
    return legs


def _fills_complete(
    order: Order, legs: list[OrderLeg] | None, filled_before: dict[int | None, int], fills: Iterable[BrokerTrade]
) -> bool:
    """Whether the fills that came with the change account for all the filling it recorded, so none need reading
    from the trade book: the order's, or for a split order each leg's whose filled quantity moved."""
    if not legs:
        return sum(f.quantity for f in fills) == order.filled_quantity
    by_tag: dict[str, int] = {}
    for fill in fills:
        by_tag[fill.tag] = by_tag.get(fill.tag, 0) + fill.quantity
    return all(
        by_tag.get(leg.tag, 0) == leg.filled_quantity
        for leg in legs
        if leg.filled_quantity != filled_before.get(leg.id)
    )


def _database_down(error: BaseException) -> bool:
    """Whether the database itself failed (unreachable, pool exhausted), rather than one change being unwritable."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DatabaseUnavailable | PoolTimeout):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _announcement_context(
    session: AsyncSession, orders: list[Order], unlabelled: list[Order]
) -> tuple[dict[int, tuple[str, str]], dict[int, tuple[int, int]]]:
    """The (client name, symbol) of each unlabelled order and each batch's (done, total), read once for a group."""
    labels = {
        order_id: (name, symbol)
        for order_id, name, symbol in (
            await session.execute(
                select(Order.id, Client.display_name, Instrument.symbol)
                .join(Client, Client.id == Order.client_id)
                .join(Instrument, Instrument.token_id == Order.token_id)
                .where(Order.id.in_([o.id for o in unlabelled]))
            )
            if unlabelled
            else ()
        )
    }
    batch_ids = {o.batch_id for o in orders if o.batch_id is not None}
    progress = {batch_id: await batch_done_total(session, batch_id) for batch_id in sorted(batch_ids)}
    return labels, progress


async def batch_done_total(session: AsyncSession, batch_id: int) -> tuple[int, int]:
    """Rows with a verdict (anything but PENDING) and all rows, skipped clients and rows not yet written included."""
    of_batch = Order.batch_id == batch_id
    query = select(
        select(Batch.params).where(Batch.id == batch_id).scalar_subquery(),
        select(func.count()).where(of_batch).scalar_subquery(),
        select(func.count()).where(of_batch, Order.status == OrderStatus.PENDING).scalar_subquery(),
    )
    params, orders, pending = (await session.execute(query)).one()
    params = params or {}
    without_order = len(params.get("rows_without_order", []))
    # Rows of a batch still being written in chunks (app/services/intents.py) are not done yet.
    written = max(orders, int(params.get("planned_rows", 0)))
    total = written + without_order
    return total - pending - (written - orders), total


def trade_row(order: Order, fill: BrokerTrade) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "client_id": order.client_id,
        "token_id": fill.token_id,
        "broker_trade_id": fill.trade_id,
        "side": fill.side,
        "trade_type": fill.trade_type,
        "quantity": fill.quantity,
        "price": fill.price,
        "executed_at": fill.ts,
    }


async def insert_new_trades(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert fills, skipping any already copied (by another path or process) instead of failing the transaction."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # Executed with many parameter sets: compiled once, sent in batches (SQLAlchemy's insertmanyvalues).
    insert = dialect.insert(Trade).on_conflict_do_nothing(index_elements=["client_id", "broker_trade_id"])
    await session.execute(insert, rows)
