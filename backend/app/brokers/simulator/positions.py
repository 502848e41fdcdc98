"""A net position per (instrument, trade type), with realised P&L by the weighted-average-cost rule.

The rule: a fill that opens or adds to a position moves the average price to the quantity-weighted average of
the old average and the fill price. A fill that reduces it realises (exit price - average price) x closed
quantity for a long, (average price - exit price) x closed quantity for a short, and leaves the average price
unchanged. A fill larger than the position closes it and opens the remainder on the other side at the fill
price; a position that goes flat has no average price (zero).

Example: buy 10 @ 100, buy 10 @ 110 → long 20 @ 105; sell 5 @ 120 → realised (120 - 105) x 5 = 75, long 15 @ 105.
"""

from dataclasses import dataclass
from decimal import Decimal

from app.enums import Side, TradeType


@dataclass(slots=True)
class Position:
    token_id: int
    trade_type: TradeType
    net_quantity: int = 0
    average_price: Decimal = Decimal(0)
    realised_pnl: Decimal = Decimal(0)
    buy_quantity: int = 0
    sell_quantity: int = 0
    # Brokerage and statutory charges of the fills (realised_pnl is gross of them).
    charges: Decimal = Decimal(0)

    def apply(self, side: Side, quantity: int, price: Decimal) -> None:
        if side is Side.BUY:
            self.buy_quantity += quantity
            signed = quantity
        else:
            self.sell_quantity += quantity
            signed = -quantity
        held = abs(self.net_quantity)
        if self.net_quantity == 0 or (self.net_quantity > 0) == (signed > 0):
            self.average_price = (self.average_price * held + price * quantity) / (held + quantity)
            self.net_quantity += signed
            return
        closed = min(quantity, held)
        direction = 1 if self.net_quantity > 0 else -1
        self.realised_pnl += (price - self.average_price) * closed * direction
        self.net_quantity += signed
        if self.net_quantity == 0:
            self.average_price = Decimal(0)
        elif quantity > held:
            self.average_price = price
