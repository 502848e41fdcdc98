"""Tick-size arithmetic: every price the simulator quotes or fills at sits on the instrument's tick grid."""

from decimal import ROUND_HALF_UP, Decimal


def to_tick(value: Decimal, tick: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round value onto the tick grid; a price never goes below one tick."""
    return max((value / tick).to_integral_value(rounding) * tick, tick)


def on_tick(value: Decimal, tick: Decimal) -> bool:
    return value % tick == 0
