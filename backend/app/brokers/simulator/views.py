"""The simulator's books as the broker contract reports them: positions, holdings and funds, rounded as a broker
rounds them (money to paise, average prices to four places)."""

from collections.abc import Mapping
from decimal import Decimal

from app.brokers.base import BrokerFunds, BrokerHolding, BrokerPosition, SegmentFunds
from app.brokers.simulator.book import AVERAGE_PRICE_PLACES
from app.brokers.simulator.holdings import Holding
from app.brokers.simulator.positions import Position
from app.enums import Segment

MONEY_PLACES = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_PLACES)


def position_view(position: Position, last_price: Decimal | None) -> BrokerPosition:
    return BrokerPosition(
        token_id=position.token_id,
        trade_type=position.trade_type,
        net_quantity=position.net_quantity,
        average_price=position.average_price.quantize(AVERAGE_PRICE_PLACES),
        realised_pnl=money(position.realised_pnl),
        buy_quantity=position.buy_quantity,
        sell_quantity=position.sell_quantity,
        last_price=last_price,
        charges=money(position.charges),
    )


def holding_view(holding: Holding, last_price: Decimal | None) -> BrokerHolding:
    """A settled DELIVERY buy (from the next trading day on, T+1) at its average cost; see holdings.py."""
    return BrokerHolding(
        tokens={holding.exchange: holding.token_id},
        quantity=holding.quantity,
        average_price=holding.average_price.quantize(AVERAGE_PRICE_PLACES),
        last_price=last_price,
    )


def funds_view(cash: Decimal, used_by_segment: Mapping[Segment, Decimal]) -> BrokerFunds:
    """One cash pool: each segment's available is the cash less all margin used; used is the segment's own."""
    used = sum(used_by_segment.values(), Decimal(0))
    return BrokerFunds(
        cash=money(cash),
        margin_used=money(used),
        margin_available=money(cash - used),
        segments=tuple(SegmentFunds(s, money(cash - used), money(u)) for s, u in used_by_segment.items()),
    )
