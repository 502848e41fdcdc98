"""Indicators against published worked examples, and resampling 1-minute candles to the chart intervals."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.market.bar_store import StoredBar
from app.market.indicators import compute
from app.market.resample import bucket_start, resample

T0 = datetime(2026, 11, 2, 3, 45, tzinfo=UTC)  # 09:15 IST


def closes_to_bars(closes: list[float], step: timedelta = timedelta(days=1)) -> list[StoredBar]:
    return [
        StoredBar(T0 + i * step, Decimal(str(c)), Decimal(str(c)), Decimal(str(c)), Decimal(str(c)), 100)
        for i, c in enumerate(closes)
    ]


def near(got: list[Decimal | None], expected: list[float], tolerance: float) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g is not None and abs(float(g) - e) <= tolerance, (got, expected)


# StockCharts ChartSchool, "Moving Averages - Simple and Exponential" (its cs-movavg.xls, a 10-day SMA and EMA of
# these 30 closes): https://chartschool.stockcharts.com/table-of-contents/technical-indicators-and-overlays/
# technical-overlays/moving-averages-simple-and-exponential
MA_CLOSES = [
    22.27,
    22.19,
    22.08,
    22.17,
    22.18,
    22.13,
    22.23,
    22.43,
    22.24,
    22.29,
    22.15,
    22.39,
    22.38,
    22.61,
    23.36,
    24.05,
    23.75,
    23.83,
    23.95,
    23.63,
    23.82,
    23.87,
    23.65,
    23.19,
    23.10,
    23.33,
    22.68,
    23.10,
    22.40,
    22.17,
]
SMA_10 = [
    22.22,
    22.21,
    22.23,
    22.26,
    22.31,
    22.42,
    22.61,
    22.77,
    22.91,
    23.08,
    23.21,
    23.38,
    23.53,
    23.65,
    23.71,
    23.69,
    23.61,
    23.51,
    23.43,
    23.28,
    23.13,
]
EMA_10 = [
    22.22,
    22.21,
    22.24,
    22.27,
    22.33,
    22.52,
    22.80,
    22.97,
    23.13,
    23.28,
    23.34,
    23.43,
    23.51,
    23.53,
    23.47,
    23.40,
    23.39,
    23.26,
    23.23,
    23.08,
    22.92,
]


def test_sma_matches_stockcharts() -> None:
    values = compute("sma", closes_to_bars(MA_CLOSES), 10)
    assert values[:9] == [None] * 9
    # The spreadsheet's closes carry four decimals (22.2734, 22.1940, ...); the article shows them rounded to two,
    # as here: within a cent.
    near(values[9:], SMA_10, 0.01)
    assert values[9] == Decimal("22.2210")


def test_ema_matches_stockcharts_seeded_with_the_sma() -> None:
    values = compute("ema", closes_to_bars(MA_CLOSES), 10)
    assert values[:9] == [None] * 9
    near(values[9:], EMA_10, 0.006)


# StockCharts ChartSchool, "Relative Strength Index (RSI)" (cs-rsi.xls, 14-day Wilder RSI):
# https://chartschool.stockcharts.com/table-of-contents/technical-indicators-and-overlays/technical-indicators/
# relative-strength-index-rsi. The published table rounds its intermediate averages to 4 places (its first average
# loss is 0.0996 where the exact one is 0.1000), so it differs from exact arithmetic by up to about 0.07 points.
RSI_CLOSES = [
    44.34,
    44.09,
    44.15,
    43.61,
    44.33,
    44.83,
    45.10,
    45.42,
    45.84,
    46.08,
    45.89,
    46.03,
    45.61,
    46.28,
    46.28,
    46.00,
    46.03,
    46.41,
    46.22,
    45.64,
    46.21,
    46.25,
    45.71,
    46.45,
    45.78,
    45.35,
    44.03,
    44.18,
    44.22,
    44.57,
    43.42,
    42.66,
    43.13,
]
RSI_14 = [
    70.53,
    66.32,
    66.55,
    69.41,
    66.36,
    57.97,
    62.93,
    63.26,
    56.06,
    62.38,
    54.71,
    50.42,
    39.99,
    41.46,
    41.87,
    45.46,
    37.30,
    33.08,
    37.77,
]


def test_rsi_matches_stockcharts_wilder() -> None:
    values = compute("rsi", closes_to_bars(RSI_CLOSES), 14)
    assert values[:14] == [None] * 14
    near(values[14:], RSI_14, 0.1)
    # Exact arithmetic on the first point: average gain 3.34/14 (0.2386), average loss 1.40/14 (0.1000).
    assert values[14] == Decimal("70.4641")


# StockCharts ChartSchool, "Average True Range (ATR)" (cs-atr.xls, 14-day Wilder ATR):
# https://chartschool.stockcharts.com/table-of-contents/technical-indicators-and-overlays/technical-indicators/
# average-true-range-atr
ATR_HIGH = [
    48.70,
    48.72,
    48.90,
    48.87,
    48.82,
    49.05,
    49.20,
    49.35,
    49.92,
    50.19,
    50.12,
    49.66,
    49.88,
    50.19,
    50.36,
    50.57,
    50.65,
    50.43,
    49.63,
    50.33,
    50.29,
    50.17,
    49.32,
    48.50,
    48.32,
    46.80,
    47.80,
    48.39,
    48.66,
    48.79,
]
ATR_LOW = [
    47.79,
    48.14,
    48.39,
    48.37,
    48.24,
    48.64,
    48.94,
    48.86,
    49.50,
    49.87,
    49.20,
    48.90,
    49.43,
    49.73,
    49.26,
    50.09,
    50.30,
    49.21,
    48.98,
    49.61,
    49.20,
    49.43,
    48.08,
    47.64,
    41.55,
    44.28,
    47.31,
    47.20,
    47.90,
    47.73,
]
ATR_CLOSE = [
    48.16,
    48.61,
    48.75,
    48.63,
    48.74,
    49.03,
    49.07,
    49.32,
    49.91,
    50.13,
    49.53,
    49.50,
    49.75,
    50.03,
    50.31,
    50.52,
    50.41,
    49.34,
    49.37,
    50.23,
    49.24,
    49.93,
    48.43,
    48.18,
    46.57,
    45.41,
    47.77,
    47.72,
    48.62,
    47.85,
]
ATR_14 = [0.56, 0.59, 0.59, 0.57, 0.62, 0.62, 0.64, 0.67, 0.69, 0.78, 0.78, 1.21, 1.30, 1.38, 1.37, 1.34, 1.32]


def test_atr_matches_stockcharts_wilder() -> None:
    bars = [
        StoredBar(T0 + timedelta(days=i), Decimal(str(c)), Decimal(str(h)), Decimal(str(lo)), Decimal(str(c)), 100)
        for i, (h, lo, c) in enumerate(zip(ATR_HIGH, ATR_LOW, ATR_CLOSE, strict=True))
    ]
    values = compute("atr", bars, 14)
    assert values[:13] == [None] * 13
    # The spreadsheet's source prices carry a third decimal the table shows rounded: within a cent.
    near(values[13:], ATR_14, 0.01)


# VWAP as StockCharts ChartSchool "Volume-Weighted Average Price (VWAP)" defines it: typical price (H+L+C)/3 times
# volume, cumulated over the day, divided by cumulative volume:
# https://chartschool.stockcharts.com/table-of-contents/technical-indicators-and-overlays/technical-overlays/
# volume-weighted-average-price-vwap. Its spreadsheet's figures could not be checked here, so these three rows are a
# worked example by hand with that method: bar 1 TP = (127.36+126.99+127.28)/3 = 127.21, VWAP 127.21;
# bar 2 TP = (127.31+127.10+127.11)/3 = 127.1733, VWAP = (127.21*89329 + 127.1733*16137) / 105466 = 127.2044;
# bar 3 TP = (127.21+127.11+127.15)/3 = 127.1567, VWAP = (... + 127.1567*23945) / 129411 = 127.1956.
VWAP_ROWS = [
    (127.36, 126.99, 127.28, 89329),
    (127.31, 127.10, 127.11, 16137),
    (127.21, 127.11, 127.15, 23945),
]


def test_vwap_cumulates_typical_price_by_volume_and_restarts_each_ist_day() -> None:
    minute = timedelta(minutes=1)
    bars = [
        StoredBar(T0 + i * minute, Decimal(str(c)), Decimal(str(h)), Decimal(str(lo)), Decimal(str(c)), v)
        for i, (h, lo, c, v) in enumerate(VWAP_ROWS)
    ]
    next_day = T0 + timedelta(days=1)
    bars.append(StoredBar(next_day, Decimal("130"), Decimal("131"), Decimal("129"), Decimal("130"), 10))
    values = compute("vwap", bars, 14)
    near(values[:3], [127.21, 127.2044, 127.1956], 0.0001)
    assert values[3] == Decimal("130.0000")  # a new trading day starts from its own first candle


def test_too_few_candles_give_nulls_not_errors() -> None:
    for name in ("sma", "ema", "rsi", "atr"):
        assert compute(name, closes_to_bars([1.0, 2.0]), 14) == [None, None]
    assert compute("sma", [], 14) == []


def m(minute: int, o: str, h: str, lo: str, c: str, v: int, base: datetime = T0) -> StoredBar:
    return StoredBar(base + timedelta(minutes=minute), Decimal(o), Decimal(h), Decimal(lo), Decimal(c), v)


def test_five_minute_candles_take_first_open_extremes_last_close_and_summed_volume() -> None:
    minutes = [
        m(0, "100.05", "100.50", "99.95", "100.10", 10),
        m(1, "100.10", "101.25", "100.00", "101.00", 20),
        m(4, "101.00", "101.10", "99.50", "99.60", 5),
        m(5, "99.60", "99.70", "99.55", "99.65", 7),
        # 03:55-04:00 empty: no candle
        m(16, "99.00", "99.00", "98.00", "98.50", 1),
    ]
    five = resample(minutes, "5m")
    assert [(b.start - T0, str(b.open), str(b.high), str(b.low), str(b.close), b.volume) for b in five] == [
        (timedelta(minutes=0), "100.05", "101.25", "99.50", "99.60", 35),
        (timedelta(minutes=5), "99.60", "99.70", "99.55", "99.65", 7),
        (timedelta(minutes=15), "99.00", "99.00", "98.00", "98.50", 1),
    ]
    assert all(isinstance(b.high, Decimal) for b in five)


def test_prices_survive_resampling_exactly_even_with_six_decimals_and_large_values() -> None:
    minutes = [m(0, "12345678.123456", "99999999.999999", "0.000001", "1.100000", 1)]
    [bar] = resample(minutes, "1h")
    assert (str(bar.open), str(bar.high), str(bar.low), str(bar.close)) == (
        "12345678.123456",
        "99999999.999999",
        "0.000001",
        "1.10",
    )


def test_hours_start_at_the_nse_session_and_days_at_ist_midnight() -> None:
    # 09:15 IST is 03:45 UTC; an hour bucket runs 09:15-10:15 IST.
    assert bucket_start(datetime(2026, 11, 30, 4, 44, tzinfo=UTC), "1h") == datetime(2026, 11, 30, 3, 45, tzinfo=UTC)
    assert bucket_start(datetime(2026, 11, 30, 4, 45, tzinfo=UTC), "1h") == datetime(2026, 11, 30, 4, 45, tzinfo=UTC)
    # 23:59 IST on the 30th is 18:29 UTC: still the 30th's IST day, which began 18:30 UTC on the 29th.
    day = datetime(2026, 11, 29, 18, 30, tzinfo=UTC)
    assert bucket_start(datetime(2026, 11, 30, 18, 29, tzinfo=UTC), "1d") == day
    assert bucket_start(datetime(2026, 11, 30, 18, 30, tzinfo=UTC), "1d") == day + timedelta(days=1)
    assert bucket_start(datetime(2026, 11, 30, 4, 7, 30, tzinfo=UTC), "15m") == datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def test_a_day_candle_spans_the_ist_session() -> None:
    session = [m(i * 60, "100", str(100 + i), str(100 - i), str(100 + i / 2), 10) for i in range(7)]
    [day] = resample(session, "1d")
    assert day.start == datetime(2026, 11, 1, 18, 30, tzinfo=UTC)
    assert (str(day.high), str(day.low), str(day.close), day.volume) == ("106.00", "94.00", "103.00", 70)


@pytest.mark.parametrize("interval", ["1m", "5m", "15m", "1h", "1d"])
def test_every_interval_resamples(interval: str) -> None:
    minutes = [m(i, "100", "101", "99", "100.5", 1) for i in range(90)]
    out = resample(minutes, interval)
    assert sum(b.volume for b in out) == 90 and out == sorted(out, key=lambda b: b.start)
