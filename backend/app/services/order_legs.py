"""Freeze-quantity split: an order above its instrument's freeze quantity goes to the broker as several legs.

The exchange takes at most `freeze_quantity` units in one order, so a larger order is cut into legs of at most that
(whole lots; full legs first, the remainder last). The legs are written, all of them, in one commit before any is
sent, each with its own broker tag (`ML<leg id>`), so a broker answer, a pushed update or reconciliation finds the
leg it is about, and a crash between two sends leaves PENDING legs that reconciliation settles, never nothing.

The advisor sees one row: the order. Its filled quantity and average price are across the legs and its status is
derived from theirs (`derive`), written in the same transaction as the leg that moved it:
- all legs FILLED -> FILLED;
- all legs closed, none filled -> REJECTED if any leg was rejected, else CANCELLED (or DENIED if all were);
- all legs closed, some filled but not all -> CANCELLED (done for its batch; never retried, since part of it is at
  the exchange), its reason saying how much filled and naming the legs that did not;
- a leg not yet answered -> PENDING (with the fills of the others): the row has its verdict, for its batch too,
  once every leg has;
- else a leg with fills -> PARTIALLY_FILLED; a leg open at the broker -> OPEN; else (a leg with no answer) FAILED.
Unsplit orders have no legs and never come here.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.exc import IntegrityError

from app.context import AppContext
from app.enums import CLOSED_STATUSES, OPEN_STATUSES, OrderStatus
from app.models import Instrument, Order, OrderLeg
from app.models.order import LEG_TAG_PREFIX
from app.models.types import canonical_money, utcnow
from app.services.order_state import Outcome, Verdict, apply_outcome
from app.services.order_writer import LegChange

# One order never becomes an unbounded fan-out of broker calls: a quantity needing more legs is refused (DENIED).
MAX_LEGS = 50
TOO_MANY_LEGS = "TOO_MANY_LEGS"
PARTLY_FILLED = "PARTLY_FILLED"
_MICRO = Decimal("0.000001")


def leg_sizes(quantity: int, freeze_quantity: int | None, lot_size: int) -> list[int]:
    """The quantities to send, largest first; [quantity] when one order may carry it all."""
    # A freeze quantity below one lot is a bad master row, not a reason to refuse every order in the instrument.
    most = (freeze_quantity or 0) // lot_size * lot_size
    if most <= 0 or quantity <= most:
        return [quantity]
    full, rest = divmod(quantity, most)
    return [most] * full + ([rest] if rest else [])


def split_for(order: Order, instrument: Instrument) -> list[int] | None:
    """The legs this order is sent as, or None when it goes as one order."""
    sizes = leg_sizes(order.quantity, instrument.freeze_quantity, instrument.lot_size)
    return sizes if len(sizes) > 1 else None


def too_many_legs(sizes: Sequence[int], freeze_quantity: int | None) -> Verdict | None:
    if len(sizes) <= MAX_LEGS:
        return None
    return Verdict(
        OrderStatus.DENIED,
        f"{TOO_MANY_LEGS}: {sum(sizes)} would be {len(sizes)} orders of at most {freeze_quantity} (the freeze "
        f"quantity); at most {MAX_LEGS} are sent for one row, nothing was sent",
    )


async def write_legs(ctx: AppContext, order: Order, sizes: Sequence[int]) -> list[OrderLeg] | None:
    """Commit the legs (the intent) before any is sent; None if this order's legs were already written, by a send
    that got here first: sending them again could double the order."""
    assert order.id is not None
    now = utcnow()
    legs = [
        OrderLeg(
            order_id=order.id,
            leg_no=number,
            quantity=quantity,
            price=order.price,
            trigger_price=order.trigger_price,
            created_at=now,
            updated_at=now,
        )
        for number, quantity in enumerate(sizes, start=1)
    ]
    async with ctx.sessions() as session:
        session.add_all(legs)
        try:
            await session.commit()
        except IntegrityError:
            return None
    return legs


def derive(order: Order, legs: Sequence[OrderLeg]) -> bool:
    """Set the order row from its legs (rule in the module docstring); True if anything changed."""
    filled = sum(leg.filled_quantity for leg in legs)
    value = sum((leg.average_price * leg.filled_quantity for leg in legs if leg.average_price), Decimal(0))
    status, reason = _status(legs, filled)
    sent = [leg.sent_at for leg in legs if leg.sent_at is not None]
    live = [leg for leg in legs if leg.status in OPEN_STATUSES]
    # A modify changes the price of the legs still working; the row shows what they work at.
    price, trigger = (live[0].price, live[0].trigger_price) if live else (order.price, order.trigger_price)
    notes = [leg.broker_note for leg in legs if leg.broker_note]
    fields = {
        "status": status,
        "reason": reason,
        "filled_quantity": filled,
        "average_price": canonical_money((value / filled).quantize(_MICRO, ROUND_HALF_EVEN)) if filled else None,
        "price": price,
        "trigger_price": trigger,
        "sent_at": min(sent) if sent else order.sent_at,
        # What the broker did to the legs on its own (the same to each: they share their terms).
        "broker_note": notes[0] if notes else order.broker_note,
    }
    changed = False
    for name, new in fields.items():
        if getattr(order, name) != new:
            setattr(order, name, new)
            changed = True
    return changed


def _status(legs: Sequence[OrderLeg], filled: int) -> tuple[OrderStatus, str | None]:
    statuses = {leg.status for leg in legs}
    if statuses <= CLOSED_STATUSES:
        unfilled = [leg for leg in legs if leg.status != OrderStatus.FILLED]
        if not unfilled:
            return OrderStatus.FILLED, None
        if filled:
            quantity = sum(leg.quantity for leg in legs)
            return OrderStatus.CANCELLED, f"{PARTLY_FILLED}: {filled} of {quantity} filled; {_failures(unfilled)}"
        if len(statuses) == 1:
            return legs[0].status, _failures(legs)
        status = OrderStatus.REJECTED if OrderStatus.REJECTED in statuses else OrderStatus.CANCELLED
        return status, _failures(legs)
    if OrderStatus.PENDING in statuses:
        return OrderStatus.PENDING, None
    if filled:
        return OrderStatus.PARTIALLY_FILLED, None
    if statuses & OPEN_STATUSES:
        return OrderStatus.OPEN, None
    return OrderStatus.FAILED, _failures([leg for leg in legs if leg.status == OrderStatus.FAILED])


def _failures(legs: Sequence[OrderLeg]) -> str:
    """The legs' reasons: verbatim when they share one (so its code, e.g. NOT_AT_BROKER, leads), else leg by leg."""
    reasons = {leg.reason for leg in legs}
    if len(reasons) == 1:
        return f"{reasons.pop() or legs[0].status}"
    return "; ".join(f"leg {leg.leg_no} {leg.status}: {leg.reason or '-'}" for leg in legs)


def leg_change(leg_no: int, outcome: Outcome, *, sent_at: datetime | None = None) -> LegChange:
    """The order-writer change that records `outcome` on leg `leg_no` and derives the row again."""

    def change(order: Order, legs: list[OrderLeg]) -> bool:
        leg = next((leg for leg in legs if leg.leg_no == leg_no), None)
        if leg is None:
            return False
        moved = sent_at is not None and leg.sent_at is None
        if moved:
            leg.sent_at = sent_at
        if apply_outcome(leg, outcome) or moved:
            leg.updated_at = utcnow()
        return derive(order, legs)

    return change


async def record_leg_outcome(
    ctx: AppContext, order_id: int, leg_no: int, outcome: Outcome, *, sent_at: datetime | None = None
) -> bool:
    fills = () if isinstance(outcome, Verdict) else outcome.fills
    return await ctx.order_writer.apply_legs(order_id, leg_change(leg_no, outcome, sent_at=sent_at), fills)


def leg_id_from_tag(tag: str) -> int | None:
    digits = tag[len(LEG_TAG_PREFIX) :]
    return int(digits) if tag.startswith(LEG_TAG_PREFIX) and digits.isdigit() else None
