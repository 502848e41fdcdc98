"""Batches: execute-all (one order per client), the idempotency key, the background run, progress and waiting.

A batch's order rows are committed in chunks (app/services/intents.py), each chunk before any of its rows is sent;
the run sends the PENDING rows of each committed chunk concurrently (the broker registry bounds how many at once).
One client's rejection, timeout or bad credentials is that client's row; it never stops the others.
"""

import hashlib
import json
import logging
import time
from collections import Counter
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.db import write_turn
from app.enums import BatchKind, BatchStatus, OrderStatus, Role, Side
from app.errors import Conflict, NotFound
from app.models import Batch, Client, Instrument, Order, User
from app.schemas.orders import BatchCounts, BatchOut, BatchRow, ExecuteAllRequest
from app.services import audit, intents, trading_day
from app.services.allocation import plan
from app.services.instruments import get_instrument
from app.services.intents import BatchSender, chunks, insert_intents, order_intent
from app.services.order_terms import (
    OrderTerms,
    TermsError,
    check_quantity,
)
from app.services.orders import side_of
from app.services.risk import check_orders, ensure_not_halted
from app.services.unwritten_rows import NOT_WRITTEN, plan_params, planned_rows, still_planned

log = logging.getLogger(__name__)

SKIPPED = "SKIPPED"


def request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def find_by_key(session: AsyncSession, user: User, key: str | None, body_hash: str) -> Batch | None:
    """The batch an earlier request with this Idempotency-Key made; the same key with another body is refused."""
    if key is None:
        return None
    batch = await session.scalar(select(Batch).where(Batch.created_by == user.id, Batch.idempotency_key == key))
    if batch is not None and batch.request_hash != body_hash:
        raise Conflict(
            "This Idempotency-Key was already used for a different request.",
            code="IDEMPOTENCY_KEY_REUSED",
            details={"batch_id": batch.id},
        )
    return batch


async def save_batch(
    ctx: AppContext,
    session: AsyncSession,
    user: User,
    batch: Batch,
    orders: list[Order],
    clients: dict[int, Client],
    instrument: Instrument,
    *,
    one_transaction: bool = False,
) -> BatchOut:
    """Write the batch and its orders chunk by chunk, sending each chunk once it is committed; a concurrent request
    with the same key gets the batch that won, and nothing more is sent. The batch's one audit event, listing every
    row, is written with its last chunk. `one_transaction` writes every row at once (a retry: its rows' uniqueness
    must refuse the whole retry, not a later chunk of it after the first was sent)."""
    parts = chunks(orders, None if one_transaction else intents.CHUNK_ROWS)
    batch.params = {**batch.params, **plan_params(orders, chunked=len(parts) > 1)}
    async with write_turn(ctx.write_turns, session):
        session.add(batch)
        try:
            await session.flush()
            assert batch.id is not None
            await insert_intents(session, batch.id, parts[0])
            if len(parts) == 1:
                await _audit_batch(session, user, batch, orders)
            await session.commit()
        except IntegrityError:
            await session.rollback()
            winner = await find_by_key(session, user, batch.idempotency_key, batch.request_hash)
            if winner is None:
                raise
            return await batch_out(session, winner)
    batch_id = batch.id
    assert batch_id is not None
    sender = BatchSender(ctx, batch_id, lambda: _complete(ctx, batch_id))
    written = 0
    try:
        for number, part in enumerate(parts):
            if number > 0:
                async with write_turn(ctx.write_turns, session):
                    await insert_intents(session, batch_id, part)
                    if not await still_planned(session, batch_id, len(orders)):
                        # Reconciliation took this writer for dead and closed the rest as not written. The chunk is
                        # taken back in this transaction: a rollback would expire the clients and instrument that the
                        # sender, still at work on the earlier chunks, reads.
                        await session.execute(delete(Order).where(Order.id.in_([o.id for o in part])))
                        await session.commit()
                        log.error(
                            "batch %s: closed by reconciliation after %d of %d rows", batch_id, written, len(orders)
                        )
                        orders = orders[:written]
                        break
                    if number == len(parts) - 1:
                        await _audit_batch(session, user, batch, orders)
                    await session.commit()
            written += len(part)
            # Handed over only now, committed: a row is never sent before its intent is written.
            sender.send([(o, clients[o.client_id], instrument) for o in part if o.status == OrderStatus.PENDING])
    except Exception:
        # The rows written are being sent; the rest are shown FAILED, or, if even that cannot be written, the
        # request fails and the rows not written wait as pending, visibly, for the advisor to look at.
        if not await _record_unwritten(ctx, user, batch, orders, written):
            raise
        log.exception("batch %s: %d of its %d rows could not be written", batch_id, len(orders) - written, len(orders))
        orders = orders[:written]
    finally:
        sender.finish()
    names = {client_id: client.display_name for client_id, client in clients.items()}
    return build_batch_out(batch, orders, names, instrument.symbol)


async def _audit_batch(session: AsyncSession, user: User, batch: Batch, orders: list[Order]) -> None:
    await audit.record(
        session,
        f"batch.{batch.kind.lower()}",
        actor_id=user.id,
        entity_type="batch",
        entity_id=batch.id,
        payload={**batch.params, "order_ids": [o.id for o in orders if o.id is not None]},
    )


async def _record_unwritten(ctx: AppContext, user: User, batch: Batch, orders: list[Order], written: int) -> bool:
    """A chunk after the first could not be written: the batch shrinks to the rows that were (they are being
    sent), and each row that was not is shown as FAILED, nothing sent, instead of waiting forever as pending."""
    unwritten = [
        {"client_id": o.client_id, "status": OrderStatus.FAILED, "trade_type": o.trade_type, "reason": NOT_WRITTEN}
        for o in orders[written:]
    ]
    try:
        async with ctx.sessions() as session, write_turn(ctx.write_turns, session):
            stored = await session.get(Batch, batch.id, with_for_update=True)
            assert stored is not None
            stored.params = {
                **stored.params,
                "planned_rows": written,
                "rows_without_order": [*stored.params.get("rows_without_order", []), *unwritten],
            }
            await _audit_batch(session, user, stored, orders[:written])
            await session.commit()
    except Exception:
        log.exception("batch %s: %d unwritten rows could not be recorded", batch.id, len(unwritten))
        return False
    batch.params = stored.params
    return True


async def _complete(ctx: AppContext, batch_id: int) -> None:
    async with ctx.sessions() as session:
        await complete_if_done(session, batch_id)


async def execute_all(ctx: AppContext, user: User, body: ExecuteAllRequest, key: str | None) -> BatchOut:
    # The form not used is left out, so an explicit-allocations body hashes (and is stored) as it always has.
    optional = ("allocations", "group_id", "client_ids", "allocation", "amo")
    unused = {name for name in optional if getattr(body, name) is None}
    body_json = body.model_dump(mode="json", exclude=unused)
    body_hash = request_hash(body_json)
    async with ctx.sessions() as session:
        existing = await find_by_key(session, user, key, body_hash)
        if existing is not None:
            return await batch_out(session, existing)
        instrument = await get_instrument(session, body.token_id)
        planned = await plan(ctx, session, user, body, instrument)
        clients = planned.clients
        await ensure_not_halted(session, user, list(clients.values()))
        wanted: list[tuple[Client, OrderTerms]] = []
        without_order: list[dict[str, Any]] = []
        for row in planned.rows:
            client = clients[row.client_id]
            if row.quantity == 0:
                without_order.append({"client_id": client.id, "status": SKIPPED, "reason": row.reason or "quantity 0"})
                continue
            wanted.append((client, terms_of(body, row.quantity)))
        amo = trading_day.amo_rows(ctx, [client for client, _ in wanted], instrument.exchange, amo=bool(body.amo))
        orders = await checked_orders(ctx, session, user, instrument, wanted)
        for order in orders:
            order.amo = amo[order.client_id]
        # Again, in the transaction that writes the batch: the checks above read the brokers, and a halt committed
        # meanwhile refuses the batch whole. One committed after this stops each row at the halt gate before it leaves.
        await ensure_not_halted(session, user, list(clients.values()))
        batch = Batch(
            kind=BatchKind.EXECUTE_ALL,
            created_by=user.id,  # type: ignore[arg-type]
            idempotency_key=key,
            request_hash=body_hash,
            token_id=instrument.token_id,
            params={
                "request": body_json,
                "client_order": [row.client_id for row in planned.rows],
                "rows_without_order": without_order,
                # How each sized row's quantity was computed, by client id (explicit allocations have none).
                "sizing": {str(row.client_id): row.sizing for row in planned.rows if row.sizing is not None},
            },
        )
        return await save_batch(ctx, session, user, batch, orders, clients, instrument)


def terms_of(body: ExecuteAllRequest, quantity: int) -> OrderTerms:
    return OrderTerms(
        execution=body.execution,
        side=side_of(body.execution),
        order_type=body.order_type,
        trade_type=body.trade_type,
        quantity=quantity,
        price=body.price,
        trigger_price=body.trigger_price,
    )


async def checked_orders(
    ctx: AppContext,
    session: AsyncSession,
    user: User,
    instrument: Instrument,
    wanted: list[tuple[Client, OrderTerms]],
) -> list[Order]:
    """One new order per (client, terms), in that order, DENIED where our row checks or the risk limits refuse it
    (nothing is written here; the risk checks may read the brokers with no connection held)."""
    orders: list[Order] = []
    to_check: list[tuple[Client, OrderTerms, Order]] = []
    for client, terms in wanted:
        order = order_intent(client, instrument, terms, user)
        denial = row_denial(client, instrument, terms.quantity)
        if denial is not None:
            order.status, order.reason = OrderStatus.DENIED, denial
        else:
            to_check.append((client, terms, order))
        orders.append(order)
    if to_check:
        refused = await check_orders(ctx, session, instrument, [(c, t) for c, t, _ in to_check])
        for client, _, order in to_check:
            if (exc := refused.get(client.id)) is not None:  # type: ignore[arg-type]
                order.status, order.reason = OrderStatus.DENIED, f"{exc.code}: {exc.message}"
    return orders


def row_denial(client: Client, instrument: Instrument, quantity: int) -> str | None:
    if not client.is_active:
        return "CLIENT_INACTIVE: the client is deactivated"
    try:
        check_quantity(instrument, quantity)
    except TermsError as exc:
        return f"{exc.code}: {exc.message}"
    return None


async def complete_if_done(session: AsyncSession, batch_id: int) -> bool:
    """Mark the batch COMPLETED once no row is PENDING (every row has a verdict, or FAILED awaiting reconcile)."""
    batch = await session.get(Batch, batch_id)
    if batch is None or batch.status == BatchStatus.COMPLETED:
        return False
    pending = await session.scalar(
        select(Order.id).where(Order.batch_id == batch_id, Order.status == OrderStatus.PENDING).limit(1)
    )
    if pending is not None:
        return False
    written = await session.scalar(select(func.count()).where(Order.batch_id == batch_id))
    if (written or 0) < planned_rows(batch):
        return False  # its last chunks are still being written
    last_change = await session.scalar(select(func.max(Order.updated_at)).where(Order.batch_id == batch_id))
    # The time readers were already shown (build_batch_out derives it the same way before this commit).
    batch.status, batch.finished_at = BatchStatus.COMPLETED, finished_at(batch, [last_change])
    await session.commit()
    return True


def finished_at(batch: Batch, changes: list[datetime | None]) -> datetime:
    """When a batch whose rows all have their verdict finished: its rows' last change, never before it began."""
    return max([batch.created_at, *(change for change in changes if change is not None)])


async def get_batch(ctx: AppContext, user: User, batch_id: int, *, wait: bool, timeout_s: float) -> BatchOut:
    """The batch now, or with `wait` once no row is PENDING (or the wait is up). Waiting holds no connection: each
    look is a short session, and between looks the request sleeps until a row changes (app/services/batch_waits)."""
    deadline = time.monotonic() + min(timeout_s, ctx.settings.batch_wait_max_s)
    while True:
        changed = ctx.batch_waits.watch(batch_id)
        async with ctx.sessions() as session:
            batch = await session.scalar(select(Batch).where(Batch.id == batch_id))
            if batch is None or (user.role == Role.ADVISOR and batch.created_by != user.id):
                raise NotFound(f"No batch with id {batch_id}.", code="BATCH_NOT_FOUND")
            out = await batch_out(session, batch)
        remaining = deadline - time.monotonic()
        if not wait or out.counts.pending == 0 or remaining <= 0:
            return out
        await ctx.batch_waits.wait(changed, remaining)


async def batch_out(session: AsyncSession, batch: Batch) -> BatchOut:
    orders = list(await session.scalars(select(Order).where(Order.batch_id == batch.id).order_by(Order.id)))
    without_order = batch.params.get("rows_without_order", [])
    client_ids = {o.client_id for o in orders} | {row["client_id"] for row in without_order}
    names = dict((await session.execute(select(Client.id, Client.display_name).where(Client.id.in_(client_ids)))).all())
    symbol = await session.scalar(select(Instrument.symbol).where(Instrument.token_id == batch.token_id))
    retries = list(await session.scalars(select(Batch.id).where(Batch.retry_of == batch.id).order_by(Batch.id)))
    return build_batch_out(batch, orders, names, symbol or "", retries)


def exit_result(order: Order, entry: str | None) -> dict[str, Decimal | None]:
    """An exit row's entry price and the P&L its fills realised against it (to the paisa); nothing for other rows."""
    if entry is None:
        return {}
    entry_price = Decimal(entry)
    if not order.filled_quantity or order.average_price is None:
        return {"entry_price": entry_price, "realised_pnl": None}
    # A SELL exit closes a long (gain when sold above the entry); a BUY exit covers a short (gain when bought below).
    per_share = order.average_price - entry_price if order.side == Side.SELL else entry_price - order.average_price
    realised = (per_share * order.filled_quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"entry_price": entry_price, "realised_pnl": realised}


def build_batch_out(
    batch: Batch, orders: list[Order], names: dict[int, str], symbol: str, retries: list[int] | None = None
) -> BatchOut:
    extra = batch.params.get("rows_without_order", [])
    closes = batch.params.get("closes", {})  # exits: what each order closes, by "client id:trade type"
    sizing = batch.params.get("sizing", {})
    entries = batch.params.get("entry_prices", {})
    rows = [
        BatchRow(
            client_id=o.client_id,
            client_name=names.get(o.client_id, ""),
            order_id=o.id,
            status=o.status,
            reason=o.reason,
            trade_type=o.trade_type,
            quantity=o.quantity,
            filled_quantity=o.filled_quantity,
            average_price=o.average_price,
            closes=closes.get(f"{o.client_id}:{o.trade_type}"),
            sizing=sizing.get(str(o.client_id)),
            **exit_result(o, entries.get(f"{o.client_id}:{o.trade_type}")),
        )
        for o in orders
    ] + [
        BatchRow(
            client_id=row["client_id"],
            client_name=names.get(row["client_id"], ""),
            order_id=None,
            status=row["status"],
            reason=row["reason"],
            trade_type=row.get("trade_type"),
            quantity=0,
            filled_quantity=0,
            average_price=None,
            closes=row.get("closes"),
            sizing=sizing.get(str(row["client_id"])),
        )
        for row in extra
    ]
    position = {client_id: index for index, client_id in enumerate(batch.params.get("client_order", []))}
    rows.sort(key=lambda row: position.get(row.client_id, len(position)))
    tally = Counter(str(row.status) for row in rows)
    # Rows of chunks still being written are pending too: a batch is never done before all its rows exist.
    unwritten = max(planned_rows(batch) - len(orders), 0)
    counts = BatchCounts(
        total=len(rows) + unwritten,
        done=len(rows) - tally[OrderStatus.PENDING],
        pending=tally[OrderStatus.PENDING] + unwritten,
        open=tally[OrderStatus.OPEN],
        partially_filled=tally[OrderStatus.PARTIALLY_FILLED],
        filled=tally[OrderStatus.FILLED],
        cancelled=tally[OrderStatus.CANCELLED],
        denied=tally[OrderStatus.DENIED],
        rejected=tally[OrderStatus.REJECTED],
        failed=tally[OrderStatus.FAILED],
        skipped=tally[SKIPPED],
    )
    assert batch.id is not None
    done = counts.pending == 0
    # complete_if_done stores the finish time a moment after the last verdict; until then it is derived here, so
    # a COMPLETED batch always says when it finished.
    finished = batch.finished_at or (finished_at(batch, [o.updated_at for o in orders]) if done else None)
    return BatchOut(
        batch_id=batch.id,
        kind=batch.kind,
        # Derived from the rows, so a reader never sees RUNNING once every row has its verdict.
        status=BatchStatus.COMPLETED if done else BatchStatus.RUNNING,
        token_id=batch.token_id,
        symbol=symbol,
        created_at=batch.created_at,
        finished_at=finished,
        counts=counts,
        rows=rows,
        retry_of=batch.retry_of,
        retries=retries or [],
    )
