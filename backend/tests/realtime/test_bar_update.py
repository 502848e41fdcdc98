"""`bars` frames: a token's subscribers get its live 1-minute candle as it changes, and its close, in one frame per
socket per round."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.market.candles import CandleAggregator
from app.realtime.server import MultiDeskApp
from tests.conftest import Actor, Simulator
from tests.market.candle_helpers import quote
from tests.realtime.conftest import Connect, Recorder, wait_until
from tests.realtime.test_socket_auth import token_of

RELIANCE, TCS = 2885, 11536


def bars_of(socket: Recorder, token_id: int | None = None) -> list[dict[str, Any]]:
    """Every item of every `bars` frame the socket got (for one instrument), in order."""
    items = [item for frame in socket.received("bars") for item in frame["bars"]]
    return [item for item in items if token_id is None or item["token_id"] == token_id]


async def wait_for_bars(socket: Recorder, token_id: int, count: int = 1) -> list[dict[str, Any]]:
    await wait_until(lambda: len(bars_of(socket, token_id)) >= count)
    return bars_of(socket, token_id)


@pytest.fixture
def fast_bars(app: MultiDeskApp) -> Iterator[CandleAggregator]:
    ctx = app.state.ctx
    before_candles, before_interval = ctx.candles, app.realtime.bars.interval_s
    ctx.candles = CandleAggregator()
    app.realtime.bars.interval_s = 0.05
    yield ctx.candles
    ctx.candles, app.realtime.bars.interval_s = before_candles, before_interval


async def test_subscribers_get_the_live_candle_of_their_tokens_only(
    connect: Connect, advisor: Actor, sim: Simulator, fast_bars: CandleAggregator
) -> None:
    socket = await connect(token_of(advisor))
    assert (await socket.call("subscribe", {"token_ids": [RELIANCE]}))["ok"] is True
    sim.broker.set_price(RELIANCE, Decimal("1401.25"))
    [update] = await wait_for_bars(socket, RELIANCE)
    assert update["interval"] == "1m" and set(update["bar"]) == {
        "start", "open", "high", "low", "close", "volume", "complete"
    }  # fmt: skip
    assert update["bar"]["close"] == "1401.25" and update["bar"]["complete"] is False
    start = datetime.fromisoformat(update["bar"]["start"])
    assert start.second == 0 and start.tzinfo is not None

    fast_bars.on_quotes([quote(TCS, "3000", 0, datetime.now(UTC))])  # nobody here subscribed to it
    sim.broker.set_price(RELIANCE, Decimal("1399.00"))
    updates = await wait_for_bars(socket, RELIANCE, count=2)
    assert updates[-1]["bar"]["low"] == "1399.00"
    assert {u["token_id"] for u in bars_of(socket)} == {RELIANCE}
    assert socket.received("bar_update") == []  # the per-instrument event is gone


async def test_a_closed_minute_is_sent_once_more_complete(
    connect: Connect, app: MultiDeskApp, advisor: Actor, sim: Simulator, fast_bars: CandleAggregator
) -> None:
    socket = await connect(token_of(advisor))
    await socket.call("subscribe", {"token_ids": [RELIANCE]})
    minute_ago = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    # A quote stamped in the previous minute: the market clock has already passed its end.
    fast_bars.on_quotes([quote(RELIANCE, "1500.00", 0, minute_ago + timedelta(seconds=30))])
    [closed] = await wait_for_bars(socket, RELIANCE)
    assert closed["bar"]["complete"] is True and closed["bar"]["close"] == "1500.00"
    assert closed["bar"]["start"] == minute_ago.isoformat().replace("+00:00", "Z")


async def test_each_socket_gets_one_frame_a_round_with_its_own_instruments(
    connect: Connect, advisor: Actor, sim: Simulator, fast_bars: CandleAggregator
) -> None:
    both = await connect(token_of(advisor))
    only_tcs = await connect(token_of(advisor))
    assert (await both.call("subscribe", {"token_ids": [RELIANCE, TCS]}))["ok"] is True
    assert (await only_tcs.call("subscribe", {"token_ids": [TCS]}))["ok"] is True
    # Both candles change between two rounds (no await in between): one frame carries both.
    sim.broker.set_price(RELIANCE, Decimal("1402.00"))
    sim.broker.set_price(TCS, Decimal("3102.00"))
    await wait_for_bars(both, RELIANCE)
    await wait_for_bars(both, TCS)
    await wait_for_bars(only_tcs, TCS)
    [frame] = both.received("bars")
    assert sorted((item["token_id"], item["bar"]["close"]) for item in frame["bars"]) == [
        (RELIANCE, "1402.00"),
        (TCS, "3102.00"),
    ]
    assert [(item["token_id"], item["bar"]["close"]) for item in bars_of(only_tcs)] == [(TCS, "3102.00")]
