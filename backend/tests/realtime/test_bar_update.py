"""bar_update: a token's subscribers get its live 1-minute candle as it changes, and its close."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.market.candles import CandleAggregator
from app.realtime.server import MultiDeskApp
from tests.conftest import Actor, Simulator
from tests.market.candle_helpers import quote
from tests.realtime.conftest import Connect
from tests.realtime.test_socket_auth import token_of

RELIANCE, TCS = 2885, 11536


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
    [update] = await socket.wait_for("bar_update", token_id=RELIANCE)
    assert update["interval"] == "1m" and set(update["bar"]) == {
        "start", "open", "high", "low", "close", "volume", "complete"
    }  # fmt: skip
    assert update["bar"]["close"] == "1401.25" and update["bar"]["complete"] is False
    start = datetime.fromisoformat(update["bar"]["start"])
    assert start.second == 0 and start.tzinfo is not None

    fast_bars.on_quotes([quote(TCS, "3000", 0, datetime.now(UTC))])  # nobody here subscribed to it
    sim.broker.set_price(RELIANCE, Decimal("1399.00"))
    updates = await socket.wait_for("bar_update", count=2, token_id=RELIANCE)
    assert updates[-1]["bar"]["low"] == "1399.00"
    assert {u["token_id"] for u in socket.received("bar_update")} == {RELIANCE}


async def test_a_closed_minute_is_sent_once_more_complete(
    connect: Connect, app: MultiDeskApp, advisor: Actor, sim: Simulator, fast_bars: CandleAggregator
) -> None:
    socket = await connect(token_of(advisor))
    await socket.call("subscribe", {"token_ids": [RELIANCE]})
    minute_ago = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    # A quote stamped in the previous minute: the market clock has already passed its end.
    fast_bars.on_quotes([quote(RELIANCE, "1500.00", 0, minute_ago + timedelta(seconds=30))])
    [closed] = await socket.wait_for("bar_update", token_id=RELIANCE)
    assert closed["bar"]["complete"] is True and closed["bar"]["close"] == "1500.00"
    assert closed["bar"]["start"] == minute_ago.isoformat().replace("+00:00", "Z")
