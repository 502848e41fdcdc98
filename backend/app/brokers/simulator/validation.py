"""The checks a broker runs on an order's terms before it looks at the account: lots, ticks, prices for the type."""

from decimal import Decimal

from app.brokers.base import BrokerRejected, InstrumentRef
from app.enums import OrderType, Side

PRICED_TYPES = frozenset({OrderType.LIMIT, OrderType.SL})
TRIGGERED_TYPES = frozenset({OrderType.SL, OrderType.SL_M})
# The largest order quantity the simulated exchange takes (real exchanges freeze far smaller orders); beyond it the
# books' money arithmetic would leave Decimal's precision.
MAX_QUANTITY = 2**31 - 1


def check_terms(
    instrument: InstrumentRef,
    side: Side,
    order_type: OrderType,
    quantity: int,
    price: Decimal | None,
    trigger_price: Decimal | None,
) -> None:
    if quantity > MAX_QUANTITY:
        raise BrokerRejected(
            f"INVALID_QUANTITY: {quantity} is above the largest order the exchange takes ({MAX_QUANTITY})",
            code="INVALID_QUANTITY",
        )
    if quantity <= 0 or quantity % instrument.lot_size:
        raise BrokerRejected(
            f"INVALID_QUANTITY: {quantity} is not a positive multiple of the lot size {instrument.lot_size}",
            code="INVALID_QUANTITY",
        )
    tick = instrument.tick_size
    _check_price("price", "INVALID_PRICE", price, order_type in PRICED_TYPES, order_type, tick)
    _check_price("trigger price", "INVALID_TRIGGER", trigger_price, order_type in TRIGGERED_TYPES, order_type, tick)
    if order_type is OrderType.SL:
        assert price is not None and trigger_price is not None
        # Exchange rule: a stop-limit's limit must leave room beyond its trigger.
        if (side is Side.BUY and trigger_price > price) or (side is Side.SELL and trigger_price < price):
            bound = "above" if side is Side.BUY else "below"
            raise BrokerRejected(
                f"INVALID_TRIGGER: an SL {side.value} trigger ({trigger_price}) cannot be {bound} its limit ({price})",
                code="INVALID_TRIGGER",
            )


def _check_price(
    label: str, code: str, value: Decimal | None, required: bool, order_type: OrderType, tick: Decimal
) -> None:
    if not required:
        if value is not None:
            raise BrokerRejected(f"{code}: a {order_type.value} order takes no {label}", code=code)
        return
    if value is None:
        raise BrokerRejected(f"{code}: a {order_type.value} order needs a {label}", code=code)
    if value <= 0 or value % tick:
        raise BrokerRejected(f"{code}: {label} {value} is not a positive multiple of the tick size {tick}", code=code)
