"""A batch's order intents written in chunks, each chunk sent the moment its transaction commits.

Execute-all, exit-by-token and retries write one order row per client. Each chunk (CHUNK_ROWS rows) is one
multi-row INSERT ... RETURNING in its own transaction; once it commits, its rows go to the batch's sender while the
next chunk is written, so the first broker calls of a thousand-client batch leave after two hundred rows are
written, not a thousand. No row is handed to the sender before the transaction that wrote it has committed.

A batch records how many rows it plans (`params["planned_rows"]`); until every one is written the rows not yet
written count as pending, so progress never reports a batch done while some of its rows are still to be written.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers, instrumentation

from app.context import AppContext
from app.models import Client, Instrument, Order, User
from app.models.types import utcnow
from app.observability.metrics import BATCH_DURATION
from app.services.dispatch import send_loaded
from app.services.order_terms import OrderTerms

log = logging.getLogger(__name__)

CHUNK_ROWS = 200

_TABLE = Order.__table__  # type: ignore[attr-defined]
_COLUMNS = [column.name for column in _TABLE.c if column.name != "id"]

Send = tuple[Order, Client, Instrument]


def order_intent(client: Client, instrument: Instrument, terms: OrderTerms, user: User) -> Order:
    """A new PENDING order, not yet written, built without the ORM constructor.

    The constructor sets every field through the ORM's instrumentation and cost about half a millisecond a row,
    a third of what a thousand-row batch may spend in total; the rows are written by insert_intents, never through
    a session, so they only need the ORM's instance state to have their id set afterwards.
    """
    assert client.id is not None and user.id is not None
    now = utcnow()
    order = Order.model_construct(
        created_at=now,
        updated_at=now,
        client_id=client.id,
        token_id=instrument.token_id,
        created_by=user.id,
        execution=terms.execution,
        side=terms.side,
        order_type=terms.order_type,
        trade_type=terms.trade_type,
        quantity=terms.quantity,
        price=terms.price,
        trigger_price=terms.trigger_price,
    )
    _manager().setup_instance(order)
    return order


_MANAGER: Any = None


def _manager() -> Any:
    global _MANAGER
    if _MANAGER is None:
        configure_mappers()
        _MANAGER = instrumentation.manager_of_class(Order)
    return _MANAGER


async def insert_intents(session: AsyncSession, batch_id: int, orders: Sequence[Order]) -> None:
    """Write the rows (one statement, many rows) and give each its id; the caller commits."""
    if not orders:
        return
    rows = [{name: getattr(order, name) for name in _COLUMNS} | {"batch_id": batch_id} for order in orders]
    statement = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
    ids = (await session.execute(statement, rows)).scalars().all()
    for order, order_id in zip(orders, ids, strict=True):
        order.id, order.batch_id = order_id, batch_id


def chunks(orders: Sequence[Order], size: int | None) -> list[list[Order]]:
    """The rows in writing order; `size` None writes them all in one transaction (at least one chunk, maybe empty)."""
    if size is None or len(orders) <= size:
        return [list(orders)]
    return [list(orders[i : i + size]) for i in range(0, len(orders), size)]


class BatchSender:
    """Sends each committed chunk as it is handed over, all chunks at once (the broker registry bounds how many
    calls are in flight); `finish` says no more chunks come. `on_done` runs once every row has its answer."""

    def __init__(self, ctx: AppContext, batch_id: int, on_done: Callable[[], Awaitable[Any]]) -> None:
        self._ctx = ctx
        self._batch_id = batch_id
        self._on_done = on_done
        self._chunks: asyncio.Queue[list[Send] | None] = asyncio.Queue()
        ctx.tasks.spawn(self._run(), name=f"batch-{batch_id}")

    def send(self, rows: list[Send]) -> None:
        self._chunks.put_nowait(rows)

    def finish(self) -> None:
        self._chunks.put_nowait(None)

    async def _run(self) -> None:
        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            while (rows := await self._chunks.get()) is not None:
                group.create_task(self._send_chunk(rows))
        BATCH_DURATION.observe(time.perf_counter() - started)
        await self._on_done()

    async def _send_chunk(self, rows: list[Send]) -> None:
        ctx = self._ctx
        results = await asyncio.gather(
            *(send_loaded(ctx, order, client, instrument) for order, client, instrument in rows),
            return_exceptions=True,
        )
        for (order, _, _), result in zip(rows, results, strict=True):
            # One row whose answer could not be recorded must not stop the others; reconciliation settles it by tag.
            if isinstance(result, Exception):
                log.error("batch %s: order %s not recorded", self._batch_id, order.id, exc_info=result)
