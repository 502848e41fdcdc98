"""Our own checks on an order's terms before anything is written or sent; each failure has its own code."""

from dataclasses import dataclass
from decimal import Decimal

from app.enums import Execution, OrderType, Side, TradeType
from app.errors import InvalidRequest
from app.models import Instrument

PRICED = frozenset({OrderType.LIMIT, OrderType.SL})
TRIGGERED = frozenset({OrderType.SL, OrderType.SL_M})


@dataclass(frozen=True, slots=True)
class OrderTerms:
    execution: Execution
    side: Side
    order_type: OrderType
    trade_type: TradeType
    quantity: int
    price: Decimal | None = None
    trigger_price: Decimal | None = None


class TermsError(InvalidRequest):
    """An order our validation refuses: a 422 for one order, a DENIED row in a batch."""


def check_price_fields(order_type: OrderType, price: Decimal | None, trigger: Decimal | None) -> None:
    if order_type in PRICED and price is None:
        raise TermsError(f"A {order_type} order needs a price.", code="PRICE_REQUIRED")
    if order_type not in PRICED and price is not None:
        raise TermsError(f"A {order_type} order takes no price.", code="PRICE_NOT_ALLOWED")
    if order_type in TRIGGERED and trigger is None:
        raise TermsError(f"A {order_type} order needs a trigger price.", code="TRIGGER_REQUIRED")
    if order_type not in TRIGGERED and trigger is not None:
        raise TermsError(f"A {order_type} order takes no trigger price.", code="TRIGGER_NOT_ALLOWED")


def check_quantity(instrument: Instrument, quantity: int) -> None:
    if quantity <= 0 or quantity % instrument.lot_size:
        raise TermsError(
            f"Quantity {quantity} must be a positive multiple of {instrument.symbol}'s lot size {instrument.lot_size}.",
            code="INVALID_QUANTITY",
            details={"lot_size": instrument.lot_size},
        )


def check_on_tick(instrument: Instrument, value: Decimal | None, what: str) -> None:
    if value is None:
        return
    if value <= 0 or value % instrument.tick_size:
        raise TermsError(
            f"The {what} {value} must be a positive multiple of the tick size {instrument.tick_size}.",
            code=f"{what.upper().replace(' ', '_')}_OFF_TICK",
            details={"tick_size": str(instrument.tick_size)},
        )


def check_terms(instrument: Instrument, terms: OrderTerms) -> None:
    check_price_fields(terms.order_type, terms.price, terms.trigger_price)
    check_quantity(instrument, terms.quantity)
    check_on_tick(instrument, terms.price, "price")
    check_on_tick(instrument, terms.trigger_price, "trigger price")
