"""Batches a crash left half-written: the rows planned but never written are closed as FAILED, nothing sent.

Execute-all and exit-by-token write their rows in chunks (app/services/intents.py) and send each chunk as it
commits. A process that dies between two chunks leaves a batch whose later rows were never written: nothing was
sent for them, but the batch would count them pending for ever. Reconciliation closes such a batch once it is
older than a live write could be: each planned row without an order becomes a FAILED `NOT_WRITTEN` row of the batch,
as when a chunk fails to write, and the batch can complete. The batch row is locked while this is done, and the
writer takes the same lock before it commits each later chunk (`still_planned`), so a slow writer that is still
alive either commits its chunk first (then that chunk is not missing) or finds the batch closed, rolls the chunk
back and stops.
"""

import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.db import write_turn
from app.enums import BatchStatus, OrderStatus
from app.models import Batch, Order
from app.models.types import utcnow
from app.services import audit

log = logging.getLogger(__name__)

NOT_WRITTEN = "NOT_WRITTEN: this row could not be written, so nothing was sent for it; send it again if still wanted"


def planned_rows(batch: Batch) -> int:
    """How many order rows the batch plans (batches written before chunking say nothing: 0, no floor)."""
    return int(batch.params.get("planned_rows", 0))


def plan_params(orders: list[Order], chunked: bool) -> dict[str, object]:
    """What a batch records of its plan: the row count, and for a batch written in several chunks each row's client
    and trade type, so the rows a crash left unwritten can be named."""
    params: dict[str, object] = {"planned_rows": len(orders)}
    if chunked:
        params["planned"] = [[order.client_id, str(order.trade_type)] for order in orders]
    return params


async def still_planned(session: AsyncSession, batch_id: int, rows: int) -> bool:
    """Lock the batch (until the caller's commit) and say whether it still plans `rows` rows: False once
    reconciliation (or the writer's own failure path) closed its unwritten rows."""
    params = await _lock(session, batch_id)
    return params is not None and int(params.get("planned_rows", 0)) == rows


async def _lock(session: AsyncSession, batch_id: int) -> dict | None:
    """The batch's params, its row locked first: a no-op UPDATE takes the row lock on PostgreSQL and the write lock
    on SQLite, where a read first would pin a snapshot that a write after another's commit could not build on."""
    statement = (
        update(Batch)
        .where(Batch.id == batch_id)
        .values(status=Batch.status)
        .returning(Batch.params)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def close_unwritten(ctx: AppContext, *, older_than: timedelta) -> list[int]:
    """Close the unwritten rows of every running batch older than `older_than`; the ids of the batches closed."""
    cutoff = utcnow() - older_than
    async with ctx.sessions() as session:
        written = (
            select(func.count()).where(Order.batch_id == Batch.id).correlate(Batch).scalar_subquery().label("written")
        )
        candidates = (
            await session.execute(
                select(Batch.id, Batch.params, written).where(
                    Batch.status == BatchStatus.RUNNING, Batch.created_at <= cutoff
                )
            )
        ).all()
    closed = []
    for batch_id, params, count in candidates:
        if count < int((params or {}).get("planned_rows", 0)) and await _close(ctx, batch_id):
            closed.append(batch_id)
    return closed


async def _close(ctx: AppContext, batch_id: int) -> bool:
    async with ctx.sessions() as session, write_turn(ctx.write_turns, session):
        await _lock(session, batch_id)
        batch = await session.get(Batch, batch_id, populate_existing=True)
        assert batch is not None
        rows = (
            await session.execute(select(Order.id, Order.client_id, Order.trade_type).where(Order.batch_id == batch_id))
        ).all()
        if len(rows) >= planned_rows(batch):
            return False  # the writer was alive after all and wrote them
        missing = Counter((client_id, trade_type) for client_id, trade_type in batch.params.get("planned", []))
        missing.subtract((client_id, str(trade_type)) for _, client_id, trade_type in rows)
        unwritten = [
            {"client_id": client_id, "status": OrderStatus.FAILED, "trade_type": trade_type, "reason": NOT_WRITTEN}
            for (client_id, trade_type), count in missing.items()
            for _ in range(max(count, 0))
        ]
        batch.params = {
            **batch.params,
            "planned_rows": len(rows),
            "rows_without_order": [*batch.params.get("rows_without_order", []), *unwritten],
        }
        await audit.record(
            session,
            f"batch.{batch.kind.lower()}",
            actor_id=batch.created_by,
            entity_type="batch",
            entity_id=batch.id,
            payload={
                **batch.params,
                "order_ids": sorted(order_id for order_id, _, _ in rows),
                "closed_by": "reconciliation",
            },
        )
        await session.commit()
    log.warning(
        "batch %s: %d planned rows were never written (a crash between chunks); shown FAILED", batch_id, len(unwritten)
    )
    return True
