"""Retry: send again, as a new batch, the rows of an execute-all that the broker never took.

Retried: rows REJECTED by the broker and rows CANCELLED with NOT_AT_BROKER (reconciliation proved the broker has no
such order). Not retried: FAILED rows, whose fate is unknown (the broker may hold the order, so sending it again
could double it) until reconciliation settles them; DENIED rows (our own refusal, not a failure); exits, whose
quantities must come from the positions now (running exit-by-token again does that, and is idempotent against
working exits).

The new batch goes the execute-all way: written with all its rows before any broker call, halt-checked and
risk-checked, then sent by the same run. Each row records the order it retries, and a unique constraint lets an
order be sent again only once: two retries racing for one batch cannot both commit its rows.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.enums import BatchKind, OrderStatus, Role
from app.errors import Conflict, NotFound
from app.models import Batch, Client, Instrument, Order, User
from app.schemas.orders import BatchOut, RetryRequest
from app.services.allocation import visible_clients_by_id
from app.services.batches import (
    batch_out,
    checked_orders,
    find_by_key,
    request_hash,
    save_batch,
)
from app.services.instruments import get_instrument
from app.services.order_terms import PRICED, Bounds, OrderTerms, TermsError, check_on_tick
from app.services.risk import ensure_not_halted

RETRIABLE_KINDS = frozenset({BatchKind.EXECUTE_ALL, BatchKind.RETRY})
NOT_AT_BROKER = "NOT_AT_BROKER"


def is_retryable(order: Order) -> bool:
    """Settled, and proven not at the broker: sending it again cannot double it."""
    if order.status == OrderStatus.REJECTED:
        return True
    return order.status == OrderStatus.CANCELLED and (order.reason or "").startswith(NOT_AT_BROKER)


async def retryable_orders(session: AsyncSession, batch_id: int) -> list[Order]:
    """The batch's retryable rows that no earlier retry has sent again, in id order."""
    already = select(Order.retry_of_order_id).where(Order.retry_of_order_id.is_not(None))
    rows = await session.scalars(
        select(Order)
        .where(
            Order.batch_id == batch_id,
            Order.status.in_([OrderStatus.REJECTED, OrderStatus.CANCELLED]),
            Order.id.not_in(already),
        )
        .order_by(Order.id)
    )
    return [order for order in rows if is_retryable(order)]


async def retry_batch(ctx: AppContext, user: User, batch_id: int, body: RetryRequest, key: str) -> BatchOut:
    body_json: dict[str, Any] = {"retry_of": batch_id, **body.model_dump(mode="json")}
    body_hash = request_hash(body_json)
    async with ctx.sessions() as session:
        original = await session.get(Batch, batch_id)
        if original is None or (user.role == Role.ADVISOR and original.created_by != user.id):
            raise NotFound(f"No batch with id {batch_id}.", code="BATCH_NOT_FOUND")
        existing = await find_by_key(session, user, key, body_hash)
        if existing is not None:
            return await batch_out(session, existing)
        if original.kind not in RETRIABLE_KINDS:
            raise Conflict(
                "An exit is not retried: its quantities must come from the positions now. "
                "Run exit-by-token again; it leaves alone the exits still working.",
                code="RETRY_NOT_SUPPORTED",
            )
        failed = await retryable_orders(session, batch_id)
        if not failed:
            raise Conflict(
                "No row of this batch can be retried: only REJECTED rows and rows cancelled as NOT_AT_BROKER are, "
                "each once. FAILED rows wait for reconciliation, since the broker may have them.",
                code="NOTHING_TO_RETRY",
            )
        instrument = await get_instrument(session, original.token_id)
        # One execute-all has one order type for every row.
        order_type = failed[0].order_type
        if body.price is not None and order_type not in PRICED:
            raise TermsError(f"A {order_type} order takes no price.", code="PRICE_NOT_ALLOWED")
        check_on_tick(instrument, body.price, "price")
        Bounds.of(ctx.settings).check_price(body.price)
        clients = await visible_clients_by_id(session, user, sorted({o.client_id for o in failed}))
        await ensure_not_halted(session, user, list(clients.values()))
        wanted = [
            (
                clients[old.client_id],
                OrderTerms(
                    execution=old.execution,
                    side=old.side,
                    order_type=old.order_type,
                    trade_type=old.trade_type,
                    quantity=old.quantity,
                    price=body.price if body.price is not None else old.price,
                    trigger_price=old.trigger_price,
                ),
            )
            for old in failed
        ]
        orders = await checked_orders(ctx, session, user, instrument, wanted)
        for order, old in zip(orders, failed, strict=True):
            # A DENIED row is never sent: its original stays retryable once whatever refused it is fixed.
            if order.status != OrderStatus.DENIED:
                order.retry_of_order_id = old.id
        await ensure_not_halted(session, user, list(clients.values()))
        batch = Batch(
            kind=BatchKind.RETRY,
            created_by=user.id,  # type: ignore[arg-type]
            idempotency_key=key,
            request_hash=body_hash,
            token_id=instrument.token_id,
            retry_of=batch_id,
            params={
                "request": body_json,
                "client_order": [o.client_id for o in failed],
                "rows_without_order": [],
                "retried_order_ids": [o.id for o in failed],
            },
        )
        return await _save(ctx, session, user, batch, orders, clients, instrument)


async def _save(
    ctx: AppContext,
    session: AsyncSession,
    user: User,
    batch: Batch,
    orders: list[Order],
    clients: dict[int, Client],
    instrument: Instrument,
) -> BatchOut:
    try:
        return await save_batch(ctx, session, user, batch, orders, clients, instrument, one_transaction=True)
    except IntegrityError:
        # Another retry of this batch committed these rows first; sending them here would double them.
        raise Conflict(
            "Another retry of this batch is sending these rows; nothing was sent twice.",
            code="ALREADY_RETRIED",
            details={"batch_id": batch.retry_of},
        ) from None
