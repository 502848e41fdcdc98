"""Our own checks on an order's terms before anything is written or sent; each failure has its own code."""

from dataclasses import dataclass
from decimal import Decimal

from app.config import Settings
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


@dataclass(frozen=True, slots=True)
class Bounds:
    """The largest quantity and price one order may carry (MULTIDESK_MAX_ORDER_QUANTITY, MULTIDESK_MAX_ORDER_PRICE)."""

    max_quantity: int
    max_price: Decimal

    @classmethod
    def of(cls, settings: Settings) -> "Bounds":
        return cls(settings.max_order_quantity, settings.max_order_price)

    def check_quantity(self, quantity: int | None) -> None:
        if quantity is not None and quantity > self.max_quantity:
            raise TermsError(
                f"Quantity {quantity} is above the largest order this desk takes ({self.max_quantity}).",
                code="QUANTITY_TOO_LARGE",
                details={"max_quantity": self.max_quantity},
            )

    def check_price(self, value: Decimal | None, what: str = "price") -> None:
        if value is not None and value > self.max_price:
            raise TermsError(
                f"The {what} {value} is above the highest this desk takes ({self.max_price}).",
                code="PRICE_TOO_LARGE",
                details={"max_price": str(self.max_price)},
            )

    def check(self, quantity: int | None, price: Decimal | None, trigger_price: Decimal | None) -> None:
        self.check_quantity(quantity)
        self.check_price(price)
        self.check_price(trigger_price, "trigger price")


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


def check_terms(instrument: Instrument, terms: OrderTerms, bounds: Bounds) -> None:
    check_price_fields(terms.order_type, terms.price, terms.trigger_price)
    bounds.check(terms.quantity, terms.price, terms.trigger_price)
    check_quantity(instrument, terms.quantity)
    check_on_tick(instrument, terms.price, "price")
    check_on_tick(instrument, terms.trigger_price, "trigger price")
