"""Margin: what open positions hold and open orders block, scaled by the trade type's leverage.

Margin for a quantity at a price is quantity x price / leverage[trade type] (INTRADAY 5x, DELIVERY 1x = full
cash, MTF 4x by default). A position holds |net quantity| x average price / leverage. An open order blocks
margin only for the part that would open or enlarge a position: a SELL closing a long, or a BUY covering a
short, needs none. Open orders claim the closable quantity oldest first, so a second order cannot lean on a
position the first is already closing. DELIVERY and MTF sells never exceed the holdings (see sellable), so
they never block margin.
"""

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal

from app.brokers.simulator.book import Account, SimOrder
from app.enums import Side, TradeType


def opening_quantities(account: Account) -> Iterator[tuple[SimOrder, int]]:
    """Each open order with the part of its remaining quantity that would open or enlarge a position."""
    closable: dict[tuple[int, TradeType, Side], int] = {}
    for order in account.open_orders.values():
        key = (order.instrument.token_id, order.trade_type, order.side)
        if key not in closable:
            net = account.net_quantity(order.instrument.token_id, order.trade_type)
            closable[key] = max(0, -net) if order.side is Side.BUY else max(0, net)
        closing = min(order.remaining, closable[key])
        closable[key] -= closing
        yield order, order.remaining - closing


def margin_used(
    account: Account,
    leverage: Mapping[TradeType, Decimal],
    reference_price: Callable[[SimOrder], Decimal],
) -> Decimal:
    held = sum(
        (abs(p.net_quantity) * p.average_price / leverage[p.trade_type] for p in account.positions.values()),
        Decimal(0),
    )
    blocked = sum(
        (qty * reference_price(order) / leverage[order.trade_type] for order, qty in opening_quantities(account)),
        Decimal(0),
    )
    return held + blocked


def sellable(account: Account, token_id: int, trade_type: TradeType, exclude: SimOrder | None = None) -> int:
    """Quantity held that open sell orders (other than `exclude`) have not already claimed."""
    pending = sum(order.remaining for order in account.pending(token_id, trade_type, Side.SELL, exclude))
    return account.net_quantity(token_id, trade_type) - pending
