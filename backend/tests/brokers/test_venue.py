"""The shared simulator venue through its adapter: the same verdicts and books as the in-process simulator, one set
of books for every adapter (process) that calls it, its pushes (fills of resting orders, ticks) reaching each of
them, no verdict while it is away, and its books kept across a restart.

The venue runs as its own process (`python -m app.cli simulator serve`, tests/live_venue.py), so the event stream is
a real connection and a kill is a real one.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.brokers.base import (
    BrokerAccount,
    BrokerOrder,
    BrokerOrderNotFound,
    BrokerOrderRequest,
    BrokerRejected,
    BrokerUnavailable,
    InstrumentRef,
    Quote,
)
from app.brokers.simulator.venue_client import VenueBroker
from app.brokers.simulator.venue_events import VenueEvents
from app.brokers.simulator.venue_settings import VenueSettings
from app.enums import OrderStatus, OrderType, Side, TradeType
from app.market.simulator import SimulatorMarketData
from tests.live_venue import VenueProcess, venue

D = Decimal
INFY = InstrumentRef(
    token_id=1594, symbol="INFY", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D("0.05")
)
ALICE = BrokerAccount(client_id=1, broker_client_id="SIM-A", credentials={}, opening_cash=D("1000000"))


@contextlib.asynccontextmanager
async def adapter(url: str) -> AsyncIterator[VenueBroker]:
    broker = VenueBroker(VenueSettings(url, timeout_s=2.0, reconnect_s=0.05), initial_prices={INFY.token_id: D("100")})
    await broker.start()
    try:
        await asyncio.wait_for(broker.connected.wait(), 5)
        yield broker
    finally:
        await broker.close()


_tags = iter(range(1, 1_000_000))


def req(
    side: Side, quantity: int, order_type: OrderType = OrderType.MARKET, price: str | None = None
) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=f"venue-{next(_tags)}",
        instrument=INFY,
        side=side,
        quantity=quantity,
        order_type=order_type,
        trade_type=TradeType.INTRADAY,
        price=None if price is None else D(price),
    )


async def eventually(check: Any, within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_orders_through_the_venue_get_the_simulators_verdicts(tmp_path: Path) -> None:
    async with venue(tmp_path) as running, adapter(running.url) as broker:
        ack = await broker.place_order(ALICE, req(Side.BUY, 10))
        assert ack.status is OrderStatus.FILLED and ack.filled_quantity == 10
        assert ack.average_price is not None and ack.average_price > D("100")  # slippage: a buyer pays up
        assert [fill.quantity for fill in ack.fills] == [10]

        with pytest.raises(BrokerRejected) as duplicate:
            await broker.place_order(ALICE, BrokerOrderRequest(**{**_fields(req(Side.BUY, 1)), "tag": ack.tag}))
        assert duplicate.value.code == "DUPLICATE_TAG"
        poor = BrokerAccount(client_id=2, broker_client_id="SIM-B", credentials={}, opening_cash=D("1000"))
        with pytest.raises(BrokerRejected) as margin:
            await broker.place_order(poor, req(Side.BUY, 1000))
        assert margin.value.code == "INSUFFICIENT_MARGIN"
        with pytest.raises(BrokerOrderNotFound):
            await broker.order_status(ALICE, "SIM-nope")

        # The books the venue keeps: the order, its trade, the position and the margin it uses.
        assert [o.broker_order_id for o in await broker.order_book(ALICE)] == [ack.broker_order_id]
        assert [t.quantity for t in await broker.trade_book(ALICE)] == [10]
        [position] = await broker.positions(ALICE)
        assert (position.token_id, position.net_quantity) == (INFY.token_id, 10)
        funds = await broker.funds(ALICE)
        assert funds.margin_used > 0 and funds.cash == D("1000000") - position.charges and position.charges > 0
        assert await broker.order_book(poor) == []

        resting = await broker.place_order(ALICE, req(Side.BUY, 5, OrderType.LIMIT, "90"))
        modified = await broker.modify_order(ALICE, resting.broker_order_id, price=D("91"))
        assert modified.price == D("91") and modified.status is OrderStatus.OPEN
        cancelled = await broker.cancel_order(ALICE, resting.broker_order_id)
        assert cancelled.status is OrderStatus.CANCELLED
        assert broker.capabilities.leverage[TradeType.INTRADAY] == D(5)


def _fields(request: BrokerOrderRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in request.__slots__}  # type: ignore[attr-defined]


async def test_two_adapters_share_one_set_of_books_and_both_hear_its_fills_and_ticks(tmp_path: Path) -> None:
    async with venue(tmp_path) as running, adapter(running.url) as first, adapter(running.url) as second:
        heard: dict[str, list[BrokerOrder]] = {"first": [], "second": []}
        ticks: dict[str, list[Quote]] = {"first": [], "second": []}
        for name, broker in (("first", first), ("second", second)):

            async def listen(client_id: int, order: BrokerOrder, name: str = name) -> None:
                heard[name].append(order)

            broker.set_order_listener(listen)
            market = SimulatorMarketData(broker.prices)
            market.add_listener(lambda quotes, name=name: ticks[name].extend(quotes))
            await market.watch([INFY])

        resting = await first.place_order(ALICE, req(Side.BUY, 7, OrderType.LIMIT, "95"))
        # The second process sees the order the first one placed, as it would at a real broker.
        assert [o.broker_order_id for o in await second.order_book(ALICE)] == [resting.broker_order_id]

        await second.set_price(INFY.token_id, D("94"))
        await eventually(lambda: all(any(o.status is OrderStatus.FILLED for o in got) for got in heard.values()))
        for got in heard.values():
            assert [(o.broker_order_id, o.filled_quantity) for o in got] == [(resting.broker_order_id, 7)]
            assert [fill.quantity for fill in got[0].fills] == [7]
        await eventually(lambda: all(any(q.ltp == D("94") for q in got) for got in ticks.values()))
        assert first.prices.latest(INFY.token_id).ltp == second.prices.latest(INFY.token_id).ltp == D("94")
        assert await first.positions(ALICE) == await second.positions(ALICE)


async def test_the_venue_answers_a_lost_answer_as_no_verdict_and_keeps_the_order(tmp_path: Path) -> None:
    async with venue(tmp_path, timeout_rate="1") as running, adapter(running.url) as broker:
        request = req(Side.BUY, 3)
        with pytest.raises(BrokerUnavailable):
            await broker.place_order(ALICE, request)
        # Reconciliation finds it by tag, as after any lost answer.
        assert [o.tag for o in await broker.order_book(ALICE)] == [request.tag]


async def test_a_venue_away_is_no_verdict_and_a_restarted_one_has_its_books_and_streams_again(tmp_path: Path) -> None:
    running = VenueProcess(tmp_path)
    await running.start()
    try:
        async with adapter(running.url) as broker:
            market = SimulatorMarketData(broker.prices)
            assert market.problem is None
            ack = await broker.place_order(ALICE, req(Side.BUY, 4))
            resting = await broker.place_order(ALICE, req(Side.SELL, 4, OrderType.LIMIT, "150"))
            books = (await broker.order_book(ALICE), await broker.positions(ALICE), await broker.funds(ALICE))
            await running.kill()
            with pytest.raises(BrokerUnavailable):
                await broker.place_order(ALICE, req(Side.BUY, 1))
            await eventually(lambda: not broker.connected.is_set())
            # /health/ready reports the market data degraded while the venue's prices cannot be current.
            assert market.problem is not None

            await running.start()
            await asyncio.wait_for(broker.connected.wait(), 10)
            assert market.problem is None
            # The same books; only the quoted price restarts (at the last fill price, journal.py).
            assert (await broker.order_book(ALICE), await broker.funds(ALICE)) == (books[0], books[2])
            assert [replace(p, last_price=None) for p in await broker.positions(ALICE)] == [
                replace(p, last_price=None) for p in books[1]
            ]
            assert ack.broker_order_id in {o.broker_order_id for o in books[0]}
            heard: list[BrokerOrder] = []

            async def listen(client_id: int, order: BrokerOrder) -> None:
                heard.append(order)

            broker.set_order_listener(listen)
            # The resting order survived the kill and fills when the restarted venue's price reaches it.
            await broker.set_price(INFY.token_id, D("151"))
            await eventually(lambda: [o.status for o in heard] == [OrderStatus.FILLED])
            assert heard[0].broker_order_id == resting.broker_order_id
    finally:
        if running.running:
            await running.kill()


async def test_a_subscriber_that_reconnects_gets_the_order_events_it_missed() -> None:
    events = VenueEvents(heartbeat_s=0.05)
    order = BrokerOrder(
        broker_order_id="SIM-1",
        tag="t",
        token_id=INFY.token_id,
        side=Side.BUY,
        order_type=OrderType.MARKET,
        trade_type=TradeType.INTRADAY,
        quantity=1,
        filled_quantity=1,
        average_price=D(100),
        price=None,
        trigger_price=None,
        status=OrderStatus.FILLED,
        reason=None,
        updated_at=datetime.now(UTC),
    )
    first = events.stream(None, list)
    assert (await anext(first)).startswith(b"event: hello")
    await anext(first)  # the price snapshot
    await events.order(1, order)
    seen = await anext(first)
    await first.aclose()
    last_id = seen.split(b"\n")[0].removeprefix(b"id: ").decode()
    await events.order(2, order)  # while it was away
    again = events.stream(last_id, list)
    await anext(again)
    missed = await anext(again)
    assert b'"client_id":2' in missed and b"event: order" in missed
    await again.aclose()
    # After a venue restart (another epoch) there is nothing to resend: reconciliation covers that gap.
    assert events._missed("00000000-1") == []
