"""Margin: what open positions hold and open orders block, scaled by the trade type's leverage.

Margin for a quantity at a price is quantity x price / leverage[trade type] (INTRADAY 5x, DELIVERY 1x = full
cash, MTF 4x by default). A position holds |net quantity| x average price / leverage. An open order blocks
margin only for the part that would open or enlarge a position: a SELL closing a long, or a BUY covering a
short, needs none. Open orders claim the closable quantity oldest first, so a second order cannot lean on a
position the first is already closing. DELIVERY and MTF sells never exceed the holdings (see sellable), so
they never block margin; nor does a short DELIVERY position, which is held shares sold today (holdings.py).
Segments: instruments on NSE/BSE are the cash segment, any other exchange futures & options.
"""

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal

from app.brokers.simulator.book import Account, SimOrder
from app.enums import Segment, Side, TradeType

CASH_EXCHANGES = frozenset({"NSE", "BSE"})


def segment_of(exchange: str) -> Segment:
    return Segment.CASH if exchange.upper() in CASH_EXCHANGES else Segment.FO


def long_quantity(account: Account, token_id: int, trade_type: TradeType) -> int:
    """What a sell in this trade type closes rather than opens: the position, and for DELIVERY the holding too."""
    net = account.net_quantity(token_id, trade_type)
    return net + account.held(token_id) if trade_type is TradeType.DELIVERY else net


def opening_quantities(account: Account) -> Iterator[tuple[SimOrder, int]]:
    """Each open order with the part of its remaining quantity that would open or enlarge a position."""
    closable: dict[tuple[int, TradeType, Side], int] = {}
    for order in account.open_orders.values():
        key = (order.instrument.token_id, order.trade_type, order.side)
        if key not in closable:
            net = account.net_quantity(order.instrument.token_id, order.trade_type)
            long = long_quantity(account, order.instrument.token_id, order.trade_type)
            closable[key] = max(0, -net) if order.side is Side.BUY else max(0, long)
        closing = min(order.remaining, closable[key])
        closable[key] -= closing
        yield order, order.remaining - closing


def margin_by_segment(
    account: Account,
    leverage: Mapping[TradeType, Decimal],
    reference_price: Callable[[SimOrder], Decimal],
) -> dict[Segment, Decimal]:
    used = {segment: Decimal(0) for segment in Segment}
    for p in account.positions.values():
        if p.trade_type is TradeType.DELIVERY and p.net_quantity < 0:
            continue  # held shares sold today: paid for, nothing to cover
        segment = segment_of(account.exchanges.get(p.token_id, "NSE"))
        used[segment] += abs(p.net_quantity) * p.average_price / leverage[p.trade_type]
    for order, qty in opening_quantities(account):
        segment = segment_of(order.instrument.exchange)
        used[segment] += qty * reference_price(order) / leverage[order.trade_type]
    return used


def margin_used(
    account: Account,
    leverage: Mapping[TradeType, Decimal],
    reference_price: Callable[[SimOrder], Decimal],
) -> Decimal:
    return sum(margin_by_segment(account, leverage, reference_price).values(), Decimal(0))


def sellable(account: Account, token_id: int, trade_type: TradeType, exclude: SimOrder | None = None) -> int:
    """Quantity held (for DELIVERY, the holding too) that open sell orders (other than `exclude`) have not claimed."""
    pending = sum(order.remaining for order in account.pending(token_id, trade_type, Side.SELL, exclude))
    return long_quantity(account, token_id, trade_type) - pending
