"""Matching: whether an open order trades at the current price, at what price, and how much of it.

MARKET fills at the price ± slippage (buyers pay up, sellers receive less), rounded to the tick against the
trader. A LIMIT BUY fills when the price is at or below the limit, a LIMIT SELL when at or above, at the
price itself (never worse than the limit). A stop triggers when the price rises to a BUY's trigger or falls
to a SELL's; from then on SL works as a LIMIT at its price and SL-M as a MARKET. One pass fills at most
`liquidity` of an order; the rest waits for later passes.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from app.brokers.simulator.book import SimOrder
from app.brokers.simulator.ticks import to_tick
from app.enums import OrderType, Side

STOP_TYPES = frozenset({OrderType.SL, OrderType.SL_M})
MARKET_TYPES = frozenset({OrderType.MARKET, OrderType.SL_M})


def market_price(side: Side, ltp: Decimal, tick: Decimal, slippage_bps: Decimal) -> Decimal:
    slip = slippage_bps / 10_000
    if side is Side.BUY:
        return to_tick(ltp * (1 + slip), tick, ROUND_CEILING)
    return to_tick(ltp * (1 - slip), tick, ROUND_FLOOR)


def match(order: SimOrder, ltp: Decimal, *, slippage_bps: Decimal, liquidity: int) -> tuple[int, Decimal] | None:
    """The (quantity, price) the order trades now, or None; arms a stop order whose trigger is reached."""
    if order.order_type in STOP_TYPES and not order.triggered:
        assert order.trigger_price is not None
        order.triggered = ltp >= order.trigger_price if order.side is Side.BUY else ltp <= order.trigger_price
        if not order.triggered:
            return None
    if order.order_type in MARKET_TYPES:
        price = market_price(order.side, ltp, order.instrument.tick_size, slippage_bps)
    else:
        assert order.price is not None
        crossed = ltp <= order.price if order.side is Side.BUY else ltp >= order.price
        if not crossed:
            return None
        price = ltp
    return min(order.remaining, liquidity), price


def reference_price(order: SimOrder, ltp: Decimal, slippage_bps: Decimal) -> Decimal:
    """The price margin is blocked at: the limit, an untriggered SL-M's trigger, else today's market fill price."""
    if order.price is not None:
        return order.price
    if order.order_type is OrderType.SL_M and not order.triggered:
        assert order.trigger_price is not None
        return order.trigger_price
    return market_price(order.side, ltp, order.instrument.tick_size, slippage_bps)
