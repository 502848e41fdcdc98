"""`prices` frames: one per socket per flush, only the subscribed instruments that changed, at the simulator's own
prices, coalesced per emit interval, built once per subscription set, and never an unbounded queue for a slow socket."""

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from app.observability.metrics import PRICE_FRAMES_DEFERRED, PRICE_FRAMES_SENT, PRICE_QUOTES_SENT
from app.realtime.server import MultiDeskApp
from tests.conftest import Actor, Simulator
from tests.realtime.conftest import Connect, Recorder, wait_until
from tests.realtime.test_socket_auth import token_of

RELIANCE, TCS, HDFCBANK = 2885, 11536, 1333


@pytest.fixture
def emit_interval(app: MultiDeskApp) -> Iterator[float]:
    stream = app.realtime.prices
    before = stream.interval_s
    stream.interval_s = 0.05
    yield stream.interval_s
    stream.interval_s = before


def frames(socket: Recorder) -> list[dict[str, Any]]:
    return socket.received("prices")


def quotes_of(socket: Recorder, token_id: int) -> list[dict[str, Any]]:
    return [q for frame in frames(socket) for q in frame["quotes"] if q["token_id"] == token_id]


async def wait_for_quotes(socket: Recorder, token_id: int, count: int = 1, within: float = 5.0) -> list[dict[str, Any]]:
    await wait_until(lambda: len(quotes_of(socket, token_id)) >= count, within)
    return quotes_of(socket, token_id)


async def test_subscribed_instruments_stream_the_prices_orders_fill_at(
    connect: Connect, advisor: Actor, sim: Simulator, emit_interval: float
) -> None:
    socket = await connect(token_of(advisor))
    ack = await socket.call("subscribe", {"token_ids": [RELIANCE, 999_999_999]})
    assert ack["ok"] is True and ack["token_ids"] == [RELIANCE] and ack["unknown"] == [999_999_999]
    [snapshot] = ack["quotes"]
    assert snapshot["token_id"] == RELIANCE and snapshot["ltp"] == str(sim.broker.last_price(RELIANCE))
    assert set(snapshot) == {"token_id", "ltp", "change", "change_pct", "volume", "bid", "ask", "ts"}

    # Not registered with the price model until the subscription: set_price would raise KeyError otherwise.
    sim.broker.set_price(RELIANCE, Decimal("1401.25"))
    sim.broker.set_price(RELIANCE, Decimal("1402.50"))
    [update] = await wait_for_quotes(socket, RELIANCE)
    assert update["ltp"] == "1402.50"
    prev_close = Decimal(snapshot["ltp"])
    assert Decimal(update["change"]) == Decimal("1402.50") - prev_close
    assert set(update) == {"token_id", "ltp", "change", "change_pct", "volume", "bid", "ask"}
    # An uptick traded at the ask: the frame's touch moves with the last price, on the tick grid.
    assert (update["bid"], update["ask"]) == ("1402.40", "1402.50")
    [frame] = frames(socket)
    assert set(frame) == {"ts", "quotes"} and frame["ts"] >= snapshot["ts"]
    assert socket.received("price_update") == []  # the per-instrument event is gone

    await sim.price(TCS, "3100.00")  # moves, but nobody here subscribed to it
    sim.broker.tick()  # every registered instrument moves one step
    await wait_for_quotes(socket, RELIANCE, count=2)
    await asyncio.sleep(3 * emit_interval)
    assert {q["token_id"] for frame in frames(socket) for q in frame["quotes"]} == {RELIANCE}

    assert (await socket.call("unsubscribe", {"token_ids": [RELIANCE]})) == {"ok": True, "token_ids": []}
    seen = len(frames(socket))
    sim.broker.set_price(RELIANCE, Decimal("1500.00"))
    await asyncio.sleep(3 * emit_interval)
    assert len(frames(socket)) == seen


async def test_one_frame_per_socket_carries_every_changed_instrument_it_subscribes_to(
    connect: Connect, app: MultiDeskApp, advisor: Actor, sim: Simulator
) -> None:
    # Flushed by hand below; the stream's own flush may run first, and a frame's contents are the same either way.
    stream = app.realtime.prices
    both = await connect(token_of(advisor))
    also_both = await connect(token_of(advisor))
    only_tcs = await connect(token_of(advisor))
    for socket, tokens in ((both, [RELIANCE, TCS]), (also_both, [TCS, RELIANCE]), (only_tcs, [TCS])):
        assert (await socket.call("subscribe", {"token_ids": tokens}))["ok"] is True
    await stream.flush()  # whatever moved while subscribing
    await asyncio.sleep(0.1)
    counts = [len(frames(s)) for s in (both, also_both, only_tcs)]
    sent_before = PRICE_FRAMES_SENT._value.get(), PRICE_QUOTES_SENT._value.get()

    sim.broker.set_price(RELIANCE, Decimal("1410.00"))
    sim.broker.set_price(TCS, Decimal("3110.00"))
    await stream.flush()
    await wait_until(lambda: len(frames(only_tcs)) > counts[2] and len(frames(both)) > counts[0])
    await wait_until(lambda: len(frames(also_both)) > counts[1])
    for socket, count in ((both, counts[0]), (also_both, counts[1])):
        [frame] = frames(socket)[count:]
        assert sorted((q["token_id"], q["ltp"]) for q in frame["quotes"]) == [(RELIANCE, "1410.00"), (TCS, "3110.00")]
    [frame] = frames(only_tcs)[counts[2] :]
    assert [(q["token_id"], q["ltp"]) for q in frame["quotes"]] == [(TCS, "3110.00")]
    # /metrics counts what the sockets got: three frames, five quotes (what the tick benchmark compares against).
    assert (PRICE_FRAMES_SENT._value.get(), PRICE_QUOTES_SENT._value.get()) == (sent_before[0] + 3, sent_before[1] + 5)

    # Only RELIANCE moves: the TCS-only socket gets no frame at all, the others one with RELIANCE alone.
    sim.broker.set_price(RELIANCE, Decimal("1420.00"))
    await stream.flush()
    await wait_until(lambda: len(frames(both)) == counts[0] + 2)
    await asyncio.sleep(0.1)
    assert [q["ltp"] for q in frames(both)[-1]["quotes"]] == ["1420.00"]
    assert len(frames(only_tcs)) == counts[2] + 1


async def test_a_socket_with_a_full_queue_is_skipped_and_later_gets_the_latest_it_missed(
    connect: Connect, app: MultiDeskApp, advisor: Actor, sim: Simulator
) -> None:
    stream, price_frames = app.realtime.prices, app.realtime.price_frames
    before = price_frames.max_queued
    try:
        socket = await connect(token_of(advisor))
        await socket.call("subscribe", {"token_ids": [RELIANCE, TCS]})
        await stream.flush()
        await asyncio.sleep(0.1)
        seen = len(frames(socket))

        deferred = PRICE_FRAMES_DEFERRED._value.get()
        price_frames.max_queued = 0  # every socket counts as backed up: nothing is queued for it
        for price in ("1430.00", "1431.00", "1432.00"):
            sim.broker.set_price(RELIANCE, Decimal(price))
            await stream.flush()
        await asyncio.sleep(0.2)
        assert len(frames(socket)) == seen
        assert PRICE_FRAMES_DEFERRED._value.get() >= deferred + 3

        # Caught up, and nothing changed since: the next flush still brings what it missed, once, latest only.
        price_frames.max_queued = before
        await stream.flush()
        await wait_until(lambda: len(frames(socket)) == seen + 1)
        [frame] = frames(socket)[seen:]
        assert [(q["token_id"], q["ltp"]) for q in frame["quotes"]] == [(RELIANCE, "1432.00")]
        await stream.flush()
        await asyncio.sleep(0.2)
        assert len(frames(socket)) == seen + 1
    finally:
        price_frames.max_queued = before


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
    updates = quotes_of(socket, RELIANCE)
    # 100 ticks inside one 200 ms interval straddle at most one flush boundary: one or two frames, not a hundred.
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
