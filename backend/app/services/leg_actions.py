"""Cancel and modify of a split order (app/services/order_legs.py): each acts on the legs still working at the broker.

The legs are asked together; every answer is recorded on its leg, and the row follows them. A leg the broker refuses
to change (most often: it filled meanwhile) takes the broker's current view; a leg with no answer is left for the
next look. The caller hears of either after all legs were asked, so one leg's trouble never leaves another working.
"""

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

from app.brokers.base import BrokerAdapter, BrokerError, BrokerOrder, BrokerRejected
from app.context import AppContext
from app.enums import OPEN_STATUSES
from app.errors import BrokerDown, Conflict
from app.models import Client, OrderLeg
from app.services.accounts import broker_account
from app.services.order_legs import record_leg_outcome

LegRequest = Callable[[BrokerAdapter, str], Awaitable[BrokerOrder]]


def working(legs: list[OrderLeg]) -> list[OrderLeg]:
    return [leg for leg in legs if leg.status in OPEN_STATUSES and leg.broker_order_id is not None]


async def cancel_legs(ctx: AppContext, client: Client, order_id: int, legs: list[OrderLeg]) -> None:
    account = broker_account(ctx.vault, client)
    await _each_leg(
        ctx, client, order_id, legs, lambda adapter, broker_id: adapter.cancel_order(account, broker_id), throttle=False
    )


async def modify_legs(
    ctx: AppContext,
    client: Client,
    order_id: int,
    legs: list[OrderLeg],
    *,
    price: Decimal | None,
    trigger_price: Decimal | None,
) -> None:
    account = broker_account(ctx.vault, client)
    await _each_leg(
        ctx,
        client,
        order_id,
        legs,
        lambda adapter, broker_id: adapter.modify_order(account, broker_id, price=price, trigger_price=trigger_price),
        throttle=True,
    )


async def _each_leg(
    ctx: AppContext, client: Client, order_id: int, legs: list[OrderLeg], request: LegRequest, *, throttle: bool
) -> None:
    account = broker_account(ctx.vault, client)
    targets = working(legs)
    if not targets:
        raise Conflict(
            f"No leg of order {order_id} is working at the broker; only working legs change.", code="ORDER_NOT_OPEN"
        )

    async def one(leg: OrderLeg) -> BrokerError | None:
        broker_id = leg.broker_order_id
        assert broker_id is not None
        try:
            ack = await ctx.brokers.call(
                client.broker,
                lambda adapter: request(adapter, broker_id),
                throttle_account=account.client_id if throttle else None,
            )
        except BrokerRejected as exc:
            try:
                current = await ctx.brokers.call(
                    client.broker, lambda adapter: adapter.order_status(account, broker_id), read=True
                )
                await record_leg_outcome(ctx, order_id, leg.leg_no, current)
            except BrokerError:
                pass
            return exc
        except BrokerError as exc:
            return exc
        await record_leg_outcome(ctx, order_id, leg.leg_no, ack)
        return None

    answers = await asyncio.gather(*(one(leg) for leg in targets))
    errors = dict(zip((leg.leg_no for leg in targets), answers, strict=True))
    refused = {no: exc for no, exc in errors.items() if isinstance(exc, BrokerRejected)}
    silent = [no for no, exc in errors.items() if exc is not None and not isinstance(exc, BrokerRejected)]
    if silent:
        raise BrokerDown(
            f"The broker did not confirm the change of leg(s) {', '.join(map(str, silent))}; check the order again "
            "shortly.",
            details={"legs": silent},
        )
    if refused:
        first = next(iter(refused.values()))
        raise Conflict(
            "The broker refused: " + "; ".join(f"leg {no}: {exc.reason}" for no, exc in refused.items()),
            code=first.code or "BROKER_REFUSED",
            details={"legs": sorted(refused)},
        )
