"""The simulator's injected faults (latency, rejects, lost answers) and its behaviour under concurrent requests."""

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from app.brokers.base import (
    BrokerAccount,
    BrokerOrderRequest,
    BrokerRejected,
    BrokerUnavailable,
    InstrumentRef,
)
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.enums import OrderStatus, OrderType, Side, TradeType

D = Decimal
INFY = InstrumentRef(
    token_id=1594, symbol="INFY", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D("0.05")
)
ALICE = BrokerAccount(client_id=1, broker_client_id="SIM-A", credentials={}, opening_cash=D("1000000"))


def make_broker(settings: SimulatorSettings, **kwargs: Any) -> SimulatorBroker:
    broker = SimulatorBroker(settings, initial_prices={INFY.token_id: D("100")}, **kwargs)
    broker.register(INFY)
    return broker


def buy(tag: str, quantity: int = 10, trade_type: TradeType = TradeType.INTRADAY) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=tag, instrument=INFY, side=Side.BUY, quantity=quantity, order_type=OrderType.MARKET, trade_type=trade_type
    )


@pytest.mark.asyncio
async def test_reject_rate_one_rejects_every_order_and_books_nothing() -> None:
    broker = make_broker(SimulatorSettings(seed=1, reject_rate=1.0))
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(ALICE, buy("o-1"))
    assert (rejected.value.code, rejected.value.reason) == ("SIMULATED_REJECT", "SIMULATED_REJECT")
    assert await broker.order_book(ALICE) == []


@pytest.mark.asyncio
async def test_a_timed_out_order_accepted_before_the_timeout_is_found_by_its_tag() -> None:
    broker = make_broker(SimulatorSettings(seed=1, timeout_rate=1.0, timeout_after_accept=True))
    with pytest.raises(BrokerUnavailable):
        await broker.place_order(ALICE, buy("our-order-17"))

    [found] = [o for o in await broker.order_book(ALICE) if o.tag == "our-order-17"]
    assert (found.status, found.filled_quantity) == (OrderStatus.FILLED, 10)
    # Sending it again would double the order: the broker refuses the tag.
    broker.settings.timeout_rate = 0.0
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(ALICE, buy("our-order-17"))
    assert rejected.value.code == "DUPLICATE_TAG"
    assert len(await broker.order_book(ALICE)) == 1


@pytest.mark.asyncio
async def test_a_timed_out_cancel_may_still_have_cancelled() -> None:
    broker = make_broker(SimulatorSettings(seed=1))
    resting = await broker.place_order(
        ALICE,
        BrokerOrderRequest(
            tag="o-1",
            instrument=INFY,
            side=Side.BUY,
            quantity=1,
            order_type=OrderType.LIMIT,
            trade_type=TradeType.INTRADAY,
            price=D("90"),
        ),
    )
    broker.settings.timeout_rate = 1.0
    with pytest.raises(BrokerUnavailable):
        await broker.cancel_order(ALICE, resting.broker_order_id)
    assert (await broker.order_status(ALICE, resting.broker_order_id)).status is OrderStatus.CANCELLED


@pytest.mark.asyncio
async def test_a_timed_out_order_not_accepted_is_not_in_the_book() -> None:
    broker = make_broker(SimulatorSettings(seed=1, timeout_rate=1.0, timeout_after_accept=False))
    with pytest.raises(BrokerUnavailable):
        await broker.place_order(ALICE, buy("o-1"))
    assert await broker.order_book(ALICE) == []


@pytest.mark.asyncio
async def test_the_same_seed_replays_the_same_faults() -> None:
    async def outcomes(seed: int) -> list[str]:
        broker = make_broker(SimulatorSettings(seed=seed, reject_rate=0.3, timeout_rate=0.3))
        results = []
        for n in range(40):
            try:
                await broker.place_order(ALICE, buy(f"o-{n}", quantity=1))
                results.append("ok")
            except BrokerRejected:
                results.append("rejected")
            except BrokerUnavailable:
                results.append("timeout")
        return results

    first = await outcomes(11)
    assert first == await outcomes(11)
    assert {"ok", "rejected", "timeout"} <= set(first)


class CountingSleep:
    """Stands in for asyncio.sleep to record the latencies asked for and how many calls overlap."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.max_in_flight = 0
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(delay)
        finally:
            self.in_flight -= 1


@pytest.mark.asyncio
async def test_latency_of_concurrent_calls_overlaps() -> None:
    sleep = CountingSleep()
    broker = make_broker(SimulatorSettings(seed=1, latency_ms=50), sleep=sleep)
    accounts = [
        BrokerAccount(client_id=n, broker_client_id=f"C{n}", credentials={}, opening_cash=D("100000"))
        for n in range(100)
    ]
    acks = await asyncio.gather(*(broker.place_order(a, buy(f"o-{a.client_id}")) for a in accounts))
    assert all(ack.status is OrderStatus.FILLED for ack in acks)
    assert sleep.delays == [0.05] * 100
    assert sleep.max_in_flight > 1


@pytest.mark.asyncio
async def test_latency_jitter_stays_within_its_band() -> None:
    sleep = CountingSleep()
    broker = make_broker(SimulatorSettings(seed=1, latency_ms=20, latency_jitter_ms=10), sleep=sleep)
    for n in range(30):
        await broker.place_order(ALICE, buy(f"o-{n}", quantity=1))
    assert all(0.01 <= d <= 0.03 for d in sleep.delays)
    assert len(set(sleep.delays)) > 1


@pytest.mark.asyncio
async def test_concurrent_orders_on_one_account_cannot_spend_the_same_margin_twice() -> None:
    broker = make_broker(SimulatorSettings(seed=1, latency_ms=5, latency_jitter_ms=5, slippage_bps=D(0), charges=False))
    bob = BrokerAccount(client_id=2, broker_client_id="B", credentials={}, opening_cash=D("10000"))
    # Each order needs 3000 of the 10000: only three can be accepted, however the calls interleave.
    results = await asyncio.gather(
        *(broker.place_order(bob, buy(f"o-{n}", 30, TradeType.DELIVERY)) for n in range(10)), return_exceptions=True
    )
    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, BrokerRejected) and r.code == "INSUFFICIENT_MARGIN"]
    assert (len(accepted), len(refused)) == (3, 7)
    funds = await broker.funds(bob)
    assert (funds.margin_used, funds.margin_available) == (D("9000"), D("1000"))
