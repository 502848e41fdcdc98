"""Indicators over candles with pandas: SMA, EMA, RSI and ATR (Wilder), VWAP.

Indicator values are statistics, not prices anyone trades at: they are computed in float64 (about 15 significant
digits) and reported rounded to 4 decimal places. Definitions follow StockCharts' ChartSchool, whose worked
examples the tests check (tests/market/test_indicators.py):
- SMA(n): the mean of the last n closes.
- EMA(n): seeded with the SMA of the first n closes, then close * k + previous * (1 - k), k = 2 / (n + 1).
- RSI(n), Wilder: average gain and loss seeded with the mean of the first n changes, then smoothed as
  (previous * (n - 1) + current) / n; RSI = 100 - 100 / (1 + gain / loss) (100 with no loss, 50 with neither).
- ATR(n), Wilder: true range max(high - low, |high - previous close|, |low - previous close|) (the first is
  high - low), its first n averaged, then smoothed as RSI's averages.
- VWAP: cumulative typical price (high + low + close) / 3 * volume over cumulative volume, restarting each IST
  trading day; `period` does not apply.
A value is null until enough candles exist.
"""

import math
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd

from app.market.bar_store import StoredBar
from app.market.resample import IST

NAMES = ("sma", "ema", "rsi", "atr", "vwap")


def frame(bars: Sequence[StoredBar]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "high": [float(b.high) for b in bars],
            "low": [float(b.low) for b in bars],
            "close": [float(b.close) for b in bars],
            "volume": [float(b.volume) for b in bars],
        },
        index=pd.DatetimeIndex([b.start for b in bars]),
    )


def _wilder_seeded(values: pd.Series, n: int, alpha: float) -> pd.Series:
    """The mean of the first n values, then exponential smoothing with `alpha` (NaN before the n-th)."""
    seeded = values.copy()
    if len(values) < n:
        return seeded * math.nan
    seeded.iloc[: n - 1] = math.nan
    seeded.iloc[n - 1] = values.iloc[:n].mean()
    return seeded.ewm(alpha=alpha, adjust=False).mean()


def sma(df: pd.DataFrame, n: int) -> pd.Series:
    return df["close"].rolling(n).mean()


def ema(df: pd.DataFrame, n: int) -> pd.Series:
    return _wilder_seeded(df["close"], n, 2 / (n + 1))


def rsi(df: pd.DataFrame, n: int) -> pd.Series:
    change = df["close"].diff().iloc[1:]
    gain = _wilder_seeded(change.clip(lower=0), n, 1 / n)
    loss = _wilder_seeded(-change.clip(upper=0), n, 1 / n)
    value = 100 - 100 / (1 + gain / loss)
    value = value.mask(loss == 0, 100.0).mask((loss == 0) & (gain == 0), 50.0).where(gain.notna())
    return value.reindex(df.index)


def atr(df: pd.DataFrame, n: int) -> pd.Series:
    previous = df["close"].shift()
    true_range = pd.concat(
        [df["high"] - df["low"], (df["high"] - previous).abs(), (df["low"] - previous).abs()], axis=1
    ).max(axis=1)
    return _wilder_seeded(true_range, n, 1 / n)


def vwap(df: pd.DataFrame, n: int) -> pd.Series:
    typical = (df["high"] + df["low"] + df["close"]) / 3
    day = df.index.tz_convert(IST).date
    volume = df["volume"].groupby(day).cumsum()
    value = (typical * df["volume"]).groupby(day).cumsum() / volume
    return value.where(volume > 0)


COMPUTE = {"sma": sma, "ema": ema, "rsi": rsi, "atr": atr, "vwap": vwap}


def compute(name: str, bars: Sequence[StoredBar], period: int) -> list[Decimal | None]:
    """The indicator at each candle of `bars` (oldest first), None where it is not defined yet."""
    if not bars:
        return []
    series = COMPUTE[name](frame(bars), period)
    return [None if math.isnan(x) else Decimal(f"{x:.4f}") for x in series.tolist()]
