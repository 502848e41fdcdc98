"""The simulator's demat holdings: a DELIVERY buy becomes a holding at the next trading day's start (T+1), at its
average cost; held shares can be sold with DELIVERY sells; settlement moves cash; a journal replay agrees."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.brokers.base import BrokerHolding, BrokerRejected, SegmentFunds
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.enums import Segment, Side, TradeType
from tests.brokers.test_simulator_orders import INFY, NIFTY_FUT, account, req

D = Decimal


class Clock:
    """A settable clock; starts on Thursday 2026-01-08 10:00 IST (04:30 UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 8, 4, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def days(self, n: int) -> None:
        self.now += timedelta(days=n)


def broker_on(clock: Clock, journal: Path | None = None) -> SimulatorBroker:
    broker = SimulatorBroker(
        SimulatorSettings(seed=7, slippage_bps=D(0), journal_path=journal, charges=False),
        initial_prices={INFY.token_id: D("100"), NIFTY_FUT.token_id: D("20000")},
        clock=clock,
    )
    broker.register(INFY)
    broker.register(NIFTY_FUT)
    return broker


@pytest.mark.asyncio
async def test_a_delivery_buy_is_a_position_today_and_a_holding_at_its_average_cost_the_next_trading_day() -> None:
    clock = Clock()
    broker = broker_on(clock)
    bob = account("100000")
    await broker.place_order(bob, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))
    broker.set_price(INFY.token_id, D("110"))
    await broker.place_order(bob, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))
    assert await broker.holdings(bob) == []
    [position] = await broker.positions(bob)
    assert (position.trade_type, position.net_quantity) == (TradeType.DELIVERY, 20)

    clock.days(1)  # Friday
    assert await broker.holdings(bob) == [
        BrokerHolding(tokens={"NSE": INFY.token_id}, quantity=20, average_price=D("105.0000"), last_price=D("110"))
    ]
    assert await broker.positions(bob) == []  # settled: not counted twice
    funds = await broker.funds(bob)
    # Paid for at settlement (20 x 105 leaves the ledger); a holding ties up no margin.
    assert (funds.cash, funds.margin_used, funds.margin_available) == (D("97900.00"), D("0.00"), D("97900.00"))


@pytest.mark.asyncio
async def test_a_friday_buy_settles_on_monday_not_over_the_weekend() -> None:
    clock = Clock()
    clock.days(1)  # Friday
    broker = broker_on(clock)
    bob = account("100000")
    await broker.place_order(bob, req(Side.BUY, 5, trade_type=TradeType.DELIVERY))
    clock.days(1)  # Saturday
    assert await broker.holdings(bob) == []
    clock.days(2)  # Monday
    [holding] = await broker.holdings(bob)
    assert holding.quantity == 5


@pytest.mark.asyncio
async def test_held_shares_are_sold_with_a_delivery_sell_and_never_more_than_held() -> None:
    clock = Clock()
    broker = broker_on(clock)
    bob = account("100000")
    await broker.place_order(bob, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))
    clock.days(1)
    broker.set_price(INFY.token_id, D("120"))

    await broker.place_order(bob, req(Side.SELL, 4, trade_type=TradeType.DELIVERY))
    # Today the sale is a short DELIVERY position; the holding is unchanged until it settles.
    [position] = await broker.positions(bob)
    assert (position.trade_type, position.net_quantity) == (TradeType.DELIVERY, -4)
    [holding] = await broker.holdings(bob)
    assert holding.quantity == 10
    # Selling held shares needs no margin, and no more than the 6 left can be sold.
    assert (await broker.funds(bob)).margin_used == D("0.00")
    with pytest.raises(BrokerRejected) as refused:
        await broker.place_order(bob, req(Side.SELL, 7, trade_type=TradeType.DELIVERY))
    assert refused.value.code == "INSUFFICIENT_HOLDINGS"

    clock.days(3)  # Monday
    [holding] = await broker.holdings(bob)
    assert (holding.quantity, holding.average_price) == (6, D("100.0000"))
    # Bought 10 x 100 (paid), sold 4 x 120 (received): 100000 - 1000 + 480.
    assert (await broker.funds(bob)).cash == D("99480.00")


@pytest.mark.asyncio
async def test_funds_are_reported_per_segment_from_one_cash_pool() -> None:
    broker = broker_on(Clock())
    bob = account("1000000")
    await broker.place_order(bob, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))  # 1000 at 1x
    await broker.place_order(bob, req(Side.BUY, 50, instrument=NIFTY_FUT))  # 50 x 20000 / 5 = 200000
    funds = await broker.funds(bob)
    assert funds.margin_used == D("201000.00")
    assert funds.segments == (
        SegmentFunds(Segment.CASH, D("799000.00"), D("1000.00")),
        SegmentFunds(Segment.FO, D("799000.00"), D("200000.00")),
    )


@pytest.mark.asyncio
async def test_a_journal_replayed_on_a_later_day_settles_the_same_way(tmp_path: Path) -> None:
    clock = Clock()
    journal = tmp_path / "sim.jsonl"
    broker = broker_on(clock, journal)
    bob = account("100000")
    await broker.place_order(bob, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))
    clock.days(1)
    await broker.place_order(bob, req(Side.SELL, 3, trade_type=TradeType.DELIVERY))
    await broker.place_order(bob, req(Side.BUY, 2, trade_type=TradeType.DELIVERY))
    before = (await broker.holdings(bob), await broker.positions(bob), await broker.funds(bob))
    await broker.close()

    again = broker_on(clock, journal)
    assert (await again.holdings(bob), await again.positions(bob), await again.funds(bob)) == before
    await again.close()
