"""The simulator's trading day over the exchange calendar: orders refused while closed unless AMO, AMOs released
at the open against the opening price, the broker's own INTRADAY square-off at its time, and the rollover (DAY
orders of an earlier day expire, DELIVERY buys become holdings, T+1 skipping a holiday); the journal keeps it."""

import asyncio
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.brokers.base import BrokerOrder, BrokerRejected
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.enums import OrderStatus, OrderType, Side, TradeType
from app.market.calendar.indian import IndianExchangeCalendar
from app.market.clock import IST, FixedClock
from tests.brokers.test_simulator_orders import INFY, account, req

D = Decimal
CALENDAR = IndianExchangeCalendar()


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


class Venue:
    """A simulator on a settable clock, with the market shut outside the calendar's sessions."""

    def __init__(self, at: str, journal: Path | None = None) -> None:
        self.clock = FixedClock(ist(at))
        self.pushed: list[BrokerOrder] = []
        self.broker = SimulatorBroker(
            SimulatorSettings(always_open=False, slippage_bps=D(0), journal_path=journal),
            initial_prices={INFY.token_id: D("100")},
            clock=self.clock.now,
            calendar=CALENDAR,
        )
        self.broker.register(INFY)

        async def listen(client_id: int, order: BrokerOrder) -> None:
            self.pushed.append(order)

        self.broker.set_order_listener(listen)

    def at(self, text: str) -> None:
        self.clock.set(ist(text))
        self.broker.advance_day()

    async def order(self, broker_order_id: str) -> BrokerOrder:
        return await self.broker.order_status(BOB, broker_order_id)


BOB = account("1000000")


def amo(side: Side, quantity: int, **terms: object) -> object:
    return replace(req(side, quantity, **terms), amo=True)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_while_closed_an_order_is_refused_with_the_next_open_and_an_amo_waits_for_the_open() -> None:
    venue = Venue("2026-01-24T11:00")  # Saturday; Monday 26 is Republic Day
    with pytest.raises(BrokerRejected) as refused:
        await venue.broker.place_order(BOB, req(Side.BUY, 10))
    assert refused.value.code == "MARKET_CLOSED" and "Tue 27 Jan 2026 09:15" in refused.value.reason

    held = await venue.broker.place_order(BOB, amo(Side.BUY, 10))
    assert (held.status, held.filled_quantity) == (OrderStatus.OPEN, 0)
    # Prices scripted while shut do not fill it, nor does the holiday.
    venue.broker.set_price(INFY.token_id, D("90"))
    venue.at("2026-01-26T10:00")
    assert (await venue.order(held.broker_order_id)).status is OrderStatus.OPEN

    venue.broker.set_price(INFY.token_id, D("104"))  # where Tuesday opens
    venue.at("2026-01-27T09:15")
    released = await venue.order(held.broker_order_id)
    assert (released.status, released.average_price) == (OrderStatus.FILLED, D("104"))
    await asyncio.sleep(0)
    assert [o.status for o in venue.pushed] == [OrderStatus.FILLED]


@pytest.mark.asyncio
async def test_an_amo_limit_that_the_opening_price_does_not_reach_rests_as_a_day_order() -> None:
    venue = Venue("2026-12-01T17:00")
    held = await venue.broker.place_order(BOB, amo(Side.BUY, 5, order_type=OrderType.LIMIT, price="95"))
    venue.at("2026-12-02T09:15")
    assert (await venue.order(held.broker_order_id)).status is OrderStatus.OPEN
    venue.broker.set_price(INFY.token_id, D("94"))
    assert (await venue.order(held.broker_order_id)).status is OrderStatus.FILLED


@pytest.mark.asyncio
async def test_an_amo_while_open_is_an_ordinary_order() -> None:
    venue = Venue("2026-12-01T10:00")
    placed = await venue.broker.place_order(BOB, amo(Side.BUY, 1))
    assert placed.status is OrderStatus.FILLED


@pytest.mark.asyncio
async def test_the_broker_squares_off_intraday_at_its_time_and_leaves_delivery_alone() -> None:
    venue = Venue("2026-12-01T10:00")
    await venue.broker.place_order(BOB, req(Side.BUY, 10))  # INTRADAY long 10 @ 100
    await venue.broker.place_order(BOB, req(Side.SELL, 4, instrument=INFY))  # long 6
    await venue.broker.place_order(BOB, req(Side.BUY, 3, trade_type=TradeType.DELIVERY))
    resting = await venue.broker.place_order(BOB, req(Side.BUY, 2, order_type=OrderType.LIMIT, price="50"))
    venue.broker.set_price(INFY.token_id, D("110"))

    venue.at("2026-12-01T15:14:59")
    intraday = {p.trade_type: p for p in await venue.broker.positions(BOB)}
    assert intraday[TradeType.INTRADAY].net_quantity == 6

    venue.at("2026-12-01T15:15")
    positions = {p.trade_type: p for p in await venue.broker.positions(BOB)}
    assert positions[TradeType.INTRADAY].net_quantity == 0
    # 4 sold at 100 (flat P&L) and 6 squared off at 110: +60.
    assert positions[TradeType.INTRADAY].realised_pnl == D("60")
    assert positions[TradeType.DELIVERY].net_quantity == 3
    cancelled = await venue.order(resting.broker_order_id)
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.reason.startswith("SQUARED_OFF")
    book = await venue.broker.order_book(BOB)
    [square_off] = [o for o in book if o.tag.startswith("SQOFF")]
    assert (square_off.side, square_off.quantity, square_off.status) == (Side.SELL, 6, OrderStatus.FILLED)
    await asyncio.sleep(0)
    # Our cancelled order is pushed; the broker's own square-off order is not one of ours.
    assert [o.broker_order_id for o in venue.pushed] == [resting.broker_order_id]

    venue.at("2026-12-01T15:20")  # again: nothing left to square off
    assert len([o for o in await venue.broker.order_book(BOB) if o.tag.startswith("SQOFF")]) == 1


@pytest.mark.asyncio
async def test_rollover_expires_yesterdays_day_orders_and_settles_delivery_t_plus_1_past_a_holiday() -> None:
    venue = Venue("2026-01-23T11:00")  # Friday before Republic Day
    stale = await venue.broker.place_order(BOB, req(Side.BUY, 5, order_type=OrderType.LIMIT, price="50"))
    await venue.broker.place_order(BOB, req(Side.BUY, 7, trade_type=TradeType.DELIVERY))
    venue.at("2026-01-23T18:00")
    weekend_amo = await venue.broker.place_order(BOB, amo(Side.BUY, 1, order_type=OrderType.LIMIT, price="50"))

    venue.at("2026-01-26T10:00")  # the holiday is not a new trading day
    assert (await venue.order(stale.broker_order_id)).status is OrderStatus.OPEN
    assert await venue.broker.holdings(BOB) == []

    venue.at("2026-01-27T00:05")  # Tuesday begins
    expired = await venue.order(stale.broker_order_id)
    assert expired.status is OrderStatus.CANCELLED and expired.reason.startswith("EXPIRED")
    assert (await venue.order(weekend_amo.broker_order_id)).status is OrderStatus.OPEN  # good for today
    [holding] = await venue.broker.holdings(BOB)
    assert (holding.quantity, holding.average_price) == (7, D("100"))
    await asyncio.sleep(0)
    assert [(o.broker_order_id, o.status) for o in venue.pushed] == [(stale.broker_order_id, OrderStatus.CANCELLED)]


@pytest.mark.asyncio
async def test_a_restarted_simulator_keeps_its_amos_waiting_and_releases_them_at_the_open(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    first = Venue("2026-12-01T20:00", journal)
    held = await first.broker.place_order(BOB, amo(Side.BUY, 3))
    stale = await first.broker.place_order(BOB, amo(Side.BUY, 1, order_type=OrderType.LIMIT, price="1"))
    await first.broker.close()

    second = Venue("2026-12-02T09:15", journal)
    second.broker.set_price(INFY.token_id, D("101"))
    second.broker.advance_day()
    assert (await second.order(held.broker_order_id)).average_price == D("101")
    second.at("2026-12-03T09:00")
    assert (await second.order(stale.broker_order_id)).reason.startswith("EXPIRED")
    await second.broker.close()
    third = Venue("2026-12-03T09:30", journal)
    replayed = await third.order(stale.broker_order_id)
    assert replayed.status is OrderStatus.CANCELLED and replayed.reason.startswith("EXPIRED")
    await third.broker.close()
