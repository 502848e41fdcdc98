"""price_update: only subscribed instruments, at the simulator's own prices, coalesced per emit interval."""

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from app.realtime.server import MultiDeskApp
from tests.conftest import Actor, Simulator
from tests.realtime.conftest import Connect, wait_until
from tests.realtime.test_socket_auth import token_of

RELIANCE, TCS, HDFCBANK = 2885, 11536, 1333


@pytest.fixture
def emit_interval(app: MultiDeskApp) -> Iterator[float]:
    stream = app.realtime.prices
    before = stream.interval_s
    stream.interval_s = 0.05
    yield stream.interval_s
    stream.interval_s = before


async def test_subscribed_instruments_stream_the_prices_orders_fill_at(
    connect: Connect, advisor: Actor, sim: Simulator, emit_interval: float
) -> None:
    socket = await connect(token_of(advisor))
    ack = await socket.call("subscribe", {"token_ids": [RELIANCE, 999_999_999]})
    assert ack["ok"] is True and ack["token_ids"] == [RELIANCE] and ack["unknown"] == [999_999_999]
    [snapshot] = ack["quotes"]
    assert snapshot["token_id"] == RELIANCE and snapshot["ltp"] == str(sim.broker.last_price(RELIANCE))

    # Not registered with the price model until the subscription: set_price would raise KeyError otherwise.
    sim.broker.set_price(RELIANCE, Decimal("1401.25"))
    sim.broker.set_price(RELIANCE, Decimal("1402.50"))
    [update] = await socket.wait_for("price_update", token_id=RELIANCE)
    assert update["ltp"] == "1402.50"
    prev_close = Decimal(snapshot["ltp"])
    assert Decimal(update["change"]) == Decimal("1402.50") - prev_close
    assert set(update) == {"token_id", "ltp", "change", "change_pct", "volume", "ts"}

    await sim.price(TCS, "3100.00")  # moves, but nobody here subscribed to it
    sim.broker.tick()  # every registered instrument moves one step
    await socket.wait_for("price_update", count=2, token_id=RELIANCE)
    await asyncio.sleep(3 * emit_interval)
    assert {e["token_id"] for e in socket.received("price_update")} == {RELIANCE}

    assert (await socket.call("unsubscribe", {"token_ids": [RELIANCE]})) == {"ok": True, "token_ids": []}
    seen = len(socket.received("price_update"))
    sim.broker.set_price(RELIANCE, Decimal("1500.00"))
    await asyncio.sleep(3 * emit_interval)
    assert len(socket.received("price_update")) == seen


async def test_subscription_requests_are_validated_and_capped(
    connect: Connect, app: MultiDeskApp, advisor: Actor, sim: Simulator
) -> None:
    socket = await connect(token_of(advisor))
    for bad in ({"token_ids": "2885"}, {"token_ids": []}, {"token_ids": [True]}, {"token_ids": [-1]}, [2885], None):
        ack = await socket.call("subscribe", bad)
        assert ack["ok"] is False and ack["error"]["code"] == "INVALID_REQUEST", bad
    realtime = app.realtime
    before = realtime.commands.max_subscriptions
    realtime.commands.max_subscriptions = 2
    try:
        assert (await socket.call("subscribe", {"token_ids": [RELIANCE, TCS]}))["ok"] is True
        over = await socket.call("subscribe", {"token_ids": [HDFCBANK]})
        assert over["ok"] is False and over["error"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        assert (await socket.call("subscribe", {"token_ids": [TCS]}))["token_ids"] == [RELIANCE, TCS]
    finally:
        realtime.commands.max_subscriptions = before


async def test_a_burst_of_ticks_reaches_a_browser_coalesced(
    connect: Connect, app: MultiDeskApp, advisor: Actor, sim: Simulator
) -> None:
    stream = app.realtime.prices
    before = stream.interval_s
    stream.interval_s = 0.2
    try:
        socket = await connect(token_of(advisor))
        await socket.call("subscribe", {"token_ids": [RELIANCE]})
        loop = asyncio.get_running_loop()
        started = loop.time()
        prices = [Decimal("1400.00") + Decimal("0.05") * i for i in range(100)]
        for burst in range(10):
            for price in prices[burst * 10 : burst * 10 + 10]:
                sim.broker.set_price(RELIANCE, price)
            await asyncio.sleep(0.01)
        elapsed = loop.time() - started
        await asyncio.sleep(0.5)  # past the flush that carries the burst's last price
    finally:
        stream.interval_s = before
    assert elapsed < 0.2, "the burst must fit in one emit interval for this check to mean anything"
    updates = socket.received("price_update", token_id=RELIANCE)
    # 100 ticks inside one 200 ms interval straddle at most one flush boundary: one or two events, not a hundred.
    assert 1 <= len(updates) <= 2, [u["ltp"] for u in updates]
    assert updates[-1]["ltp"] == str(prices[-1])


async def test_a_socket_gone_while_its_subscription_starts_leaves_nothing_watched(
    connect: Connect, app: MultiDeskApp, advisor: Actor, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    market = app.state.ctx.market
    started, release = asyncio.Event(), asyncio.Event()
    watch = market.watch

    async def slow_watch(instruments: object) -> None:
        started.set()
        await release.wait()
        await watch(instruments)  # type: ignore[arg-type]

    market.watch = slow_watch  # type: ignore[method-assign]
    try:
        socket = await connect(token_of(advisor))
        pending = asyncio.create_task(socket.client.emit("subscribe", {"token_ids": [HDFCBANK]}))
        await asyncio.wait_for(started.wait(), 5)
        await socket.client.disconnect()
        await pending
        await wait_until(lambda: not app.realtime._sockets)
        release.set()
        await wait_until(lambda: HDFCBANK not in app.realtime.prices.subscribed)
        await asyncio.sleep(0.1)  # the subscribe command runs on after its socket left
    finally:
        market.watch = watch  # type: ignore[method-assign]
    assert HDFCBANK not in app.realtime.prices.subscribed
    assert HDFCBANK not in market._watched  # the market data does not go on fetching it for nobody
    assert not [r for r in caplog.records if "requested namespace" in r.getMessage()]
