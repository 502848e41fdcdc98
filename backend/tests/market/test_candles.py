"""Ticks to 1-minute candles: minute boundaries, gaps, late ticks, cumulative volume and its resets, closing on
the clock, and what is handed to the writer and the socket stream."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.market.candles import CandleAggregator
from app.observability.metrics import BAR_LATE_TICKS_DROPPED
from tests.market.candle_helpers import DAY, at, quote

T = 2885


def ohlcv(candle) -> tuple[str, str, str, str, int]:  # type: ignore[no-untyped-def]
    return (str(candle.open), str(candle.high), str(candle.low), str(candle.close), candle.volume)


def test_ticks_spanning_a_minute_boundary_make_two_candles_split_at_the_boundary() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "100.00", 1000, at(0, 5))])  # baseline: what traded before is unknown
    agg.on_quotes([quote(T, "101.50", 1200, at(0, 30)), quote(T, "99.75", 1250, at(0, 59.999))])
    agg.on_quotes([quote(T, "99.80", 1300, at(1, 0))])  # exactly on the boundary: the next minute
    first, second = agg.candles(T, DAY, DAY + timedelta(hours=1))
    assert first.start == DAY and second.start == at(1)
    assert ohlcv(first) == ("100.00", "101.50", "99.75", "99.75", 250)
    assert ohlcv(second) == ("99.80", "99.80", "99.80", "99.80", 50)
    assert agg.live(T) is second


def test_a_minute_without_ticks_has_no_candle() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "100", 0, at(0, 1)), quote(T, "102", 10, at(3, 1))])
    starts = [c.start for c in agg.candles(T, DAY, DAY + timedelta(hours=1))]
    assert starts == [at(0), at(3)]


def test_ticks_in_another_zone_fall_in_their_utc_minute() -> None:
    agg = CandleAggregator()
    ist = at(0, 10).astimezone(ZoneInfo("Asia/Kolkata"))
    agg.on_quotes([quote(T, "100", 0, ist)])
    live = agg.live(T)
    assert live is not None and live.start == DAY and live.start.tzinfo is UTC


def test_a_late_tick_within_the_grace_updates_its_closed_minute_without_moving_its_close_or_volume() -> None:
    agg = CandleAggregator(late_grace=timedelta(minutes=2))
    agg.on_quotes([quote(T, "100", 1000, at(0, 10)), quote(T, "101", 1100, at(0, 50))])
    agg.on_quotes([quote(T, "102", 1200, at(1, 5))])
    agg.take_dirty()
    # Sent at 00:20 but delivered after 01:05: a new high for minute 0, not its close.
    agg.on_quotes([quote(T, "105", 1050, at(0, 20))])
    first, live = agg.candles(T, DAY, DAY + timedelta(hours=1))
    assert ohlcv(first) == ("100", "105", "100", "101", 100)
    assert ohlcv(live) == ("102", "102", "102", "102", 100)
    assert agg.take_dirty() == [first]  # written again
    # An earlier tick than the minute's first one becomes its open.
    agg.on_quotes([quote(T, "99", 1000, at(0, 1))])
    assert ohlcv(first) == ("99", "105", "99", "101", 100)


def test_a_tick_older_than_the_grace_is_dropped_and_counted() -> None:
    agg = CandleAggregator(late_grace=timedelta(minutes=2))
    agg.on_quotes([quote(T, "100", 0, at(0, 10)), quote(T, "101", 10, at(5, 10))])
    before = BAR_LATE_TICKS_DROPPED._value.get()
    agg.take_dirty()
    agg.on_quotes([quote(T, "150", 5, at(0, 30))])
    assert BAR_LATE_TICKS_DROPPED._value.get() == before + 1
    assert agg.take_dirty() == []
    assert [ohlcv(c) for c in agg.candles(T, DAY, DAY + timedelta(hours=1))] == [
        ("100", "100", "100", "100", 0),
        ("101", "101", "101", "101", 10),
    ]


def test_a_late_tick_for_an_empty_minute_within_the_grace_makes_its_candle() -> None:
    agg = CandleAggregator(late_grace=timedelta(minutes=2))
    agg.on_quotes([quote(T, "100", 0, at(0, 10)), quote(T, "101", 10, at(2, 10))])
    agg.on_quotes([quote(T, "100.5", 5, at(1, 30))])
    assert [c.start for c in agg.candles(T, DAY, DAY + timedelta(hours=1))] == [at(0), at(1), at(2)]


def test_a_drop_in_cumulative_volume_is_a_new_day_counted_from_zero() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "100", 5_000_000, at(0, 1)), quote(T, "100", 5_000_400, at(0, 30))])
    # The feed's day rolled over (or it restarted): cumulative volume starts again.
    agg.on_quotes([quote(T, "101", 300, at(1, 1)), quote(T, "101", 450, at(1, 40))])
    first, second = agg.candles(T, DAY, DAY + timedelta(hours=1))
    assert first.volume == 400 and second.volume == 450


def test_an_equal_cumulative_volume_adds_nothing() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "100", 700, at(0, 1)), quote(T, "100.1", 700, at(0, 2))])
    assert agg.live(T).volume == 0  # type: ignore[union-attr]


def test_the_clock_closes_a_quiet_minute_and_a_tick_for_it_arriving_after_still_lands_in_it() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "100", 0, at(0, 10))])
    agg.take_updates({T})
    agg.close_due(at(0, 59))
    assert agg.live(T) is not None  # still running
    agg.close_due(at(1, 0))
    assert agg.live(T) is None
    [(closed, complete)] = agg.take_updates({T})
    assert complete is True and closed.start == DAY
    agg.on_quotes([quote(T, "103", 0, at(0, 59.5))])  # stamped before the boundary, delivered after
    [only] = agg.candles(T, DAY, DAY + timedelta(hours=1))
    assert only is closed and str(only.high) == "103" and str(only.close) == "103"
    agg.on_quotes([quote(T, "104", 0, at(1, 2))])
    assert agg.live(T) is not None and agg.live(T).start == at(1)  # type: ignore[union-attr]


def test_closed_candles_past_the_grace_leave_memory() -> None:
    agg = CandleAggregator(late_grace=timedelta(minutes=2))
    agg.on_quotes([quote(T, "100", 0, at(0, 10))])
    agg.close_due(at(10))
    assert agg.candles(T, DAY, DAY + timedelta(hours=1)) == []


def test_updates_stream_a_close_before_the_next_minute_and_only_for_wanted_instruments() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "100", 0, at(0, 10)), quote(T, "100.5", 0, at(0, 20)), quote(11536, "3000", 0, at(0, 5))])
    [(live, complete)] = agg.take_updates({T})
    assert complete is False and str(live.close) == "100.5"
    assert agg.take_updates({T}) == []  # nothing changed since
    agg.on_quotes([quote(T, "99", 0, at(1, 1))])
    updates = agg.take_updates({T})
    assert [(c.start, complete) for c, complete in updates] == [(at(0), True), (at(1), False)]
    payload = updates[0][0].payload(True)
    assert payload == {
        "start": "2026-11-30T04:00:00Z",
        "open": "100.00",
        "high": "100.50",
        "low": "100.00",
        "close": "100.50",
        "volume": 0,
        "complete": True,
    }


def test_a_failed_write_gives_the_candles_back() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "100", 0, at(0, 10))])
    dirty = agg.take_dirty()
    agg.give_back(dirty)
    assert agg.take_dirty() == dirty


def test_prices_stay_exact_decimals() -> None:
    agg = CandleAggregator()
    agg.on_quotes([quote(T, "0.1", 0, at(0, 1)), quote(T, "0.2", 0, at(0, 2))])
    live = agg.live(T)
    assert live is not None and live.high == Decimal("0.2") and isinstance(live.high, Decimal)
    assert datetime.now(UTC) > live.start
