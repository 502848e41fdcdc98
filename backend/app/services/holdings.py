"""What a client holds in one instrument: its positions per trade type, with its demat holding joined to DELIVERY.

A broker's DELIVERY position is the day's delivery trades; shares bought on an earlier day are in the demat
account (the holding), and a sale of held shares shows as a short DELIVERY position until it settles. So the
delivery shares a client holds are the holding plus the DELIVERY position, counted once, never below zero (a
cash-segment delivery position cannot be short: a negative total means the broker has already taken the sold
shares out of the holding, and buying them back would be wrong). Both are closed by one DELIVERY sell.

A holding matches an instrument through the token of the instrument's own exchange (NSE symbol token or BSE scrip
code), so the same shares are reachable from the NSE and the BSE instrument; the broker refuses a sell beyond what
is held.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.brokers.base import BrokerHolding, BrokerPosition
from app.enums import Closes, TradeType

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class Lot:
    """What an exit in one trade type closes: `net_quantity` (negative = short), of which `held` is demat shares."""

    trade_type: TradeType
    net_quantity: int
    held: int
    average_price: Decimal
    realised_pnl: Decimal
    last_price: Decimal | None
    closes: Closes


def matching(holdings: Sequence[BrokerHolding], token_id: int, exchange: str) -> list[BrokerHolding]:
    return [h for h in holdings if h.token_for(exchange) == token_id and h.quantity > 0]


def lots(
    token_id: int, exchange: str, positions: Sequence[BrokerPosition], holdings: Sequence[BrokerHolding]
) -> list[Lot]:
    """The client's lots in the instrument, one per trade type, flat ones left out."""
    held_in = matching(holdings, token_id, exchange)
    held = sum(h.quantity for h in held_in)
    held_cost = sum((h.average_price * h.quantity for h in held_in), ZERO)
    held_price = next((h.last_price for h in held_in if h.last_price is not None), None)
    found: list[Lot] = []
    delivery: BrokerPosition | None = None
    for p in positions:
        if p.token_id != token_id:
            continue
        if p.trade_type is TradeType.DELIVERY:
            delivery = p
        elif p.net_quantity:
            found.append(
                Lot(p.trade_type, p.net_quantity, 0, p.average_price, p.realised_pnl, p.last_price, Closes.POSITION)
            )
    lot = _delivery_lot(delivery, held, held_cost, held_price)
    if lot is not None:
        found.append(lot)
    return found


def _delivery_lot(
    position: BrokerPosition | None, held: int, held_cost: Decimal, held_price: Decimal | None
) -> Lot | None:
    today = position.net_quantity if position else 0
    total = max(held + today, 0)
    realised = position.realised_pnl if position else ZERO
    last_price = position.last_price if position and position.last_price is not None else held_price
    if total == 0:
        return None
    if held == 0:
        assert position is not None
        return Lot(TradeType.DELIVERY, total, 0, position.average_price, realised, last_price, Closes.POSITION)
    held_average = held_cost / held
    if today > 0:
        assert position is not None
        average = (held_cost + position.average_price * today) / total
        return Lot(TradeType.DELIVERY, total, held, average, realised, last_price, Closes.HOLDING_AND_POSITION)
    if today < 0:
        # Held shares sold today: the position's average is their sale price, realised against their cost.
        assert position is not None
        realised += (position.average_price - held_average) * -today
    return Lot(TradeType.DELIVERY, total, min(held, total), held_average, realised, last_price, Closes.HOLDING)
