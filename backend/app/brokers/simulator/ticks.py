"""Tick-size arithmetic: every price the simulator quotes or fills at sits on the instrument's tick grid."""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

# The quoted spread: half a basis point of the price, never under one tick (a ₹1,400 stock with 5-paise ticks
# shows 10 paise between bid and ask; a ₹100 one a single tick), about what liquid NSE cash stocks show.
SPREAD_FRACTION = Decimal("0.00005")


def to_tick(value: Decimal, tick: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round value onto the tick grid; a price never goes below one tick."""
    return max((value / tick).to_integral_value(rounding) * tick, tick)


def on_tick(value: Decimal, tick: Decimal) -> bool:
    return value % tick == 0


def touch(ltp: Decimal, tick: Decimal, *, at_ask: bool) -> tuple[Decimal, Decimal]:
    """The best bid and ask around a last price on the tick grid: the last trade hit the ask (an uptick) or the
    bid, so the last price is one side of the spread; bid < ask always, and the bid is never below one tick."""
    spread = max((ltp * SPREAD_FRACTION / tick).to_integral_value(ROUND_CEILING), Decimal(1)) * tick
    if at_ask and ltp - spread >= tick:
        return ltp - spread, ltp
    return ltp, ltp + spread
