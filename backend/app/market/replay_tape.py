"""ReplayTape: what the market looked like at any instant of a file of 1-minute candles (pure, no clock, no I/O).

Inside each candle the price walks open -> first extreme -> second extreme -> close, in straight lines, reaching
the vertices 0 s, 15 s, 30 s and 45 s into the minute and holding the close for the last 15 s. Which extreme comes
first follows the usual guess for OHLC bars: a candle that closed at or above its open (green) went down to its
low before rising to its high and close; a red one went up to its high first, then down to its low and close. In
between vertices the price is interpolated and rounded to the instrument's tick, never outside the candle's range.

A quote is a day's view, as brokers give it: open = the day's first candle's open, high/low = the day's extremes
so far (including the part of the current candle already walked), volume = the day's cumulative volume (the
current candle's volume grows in step with its walk, whole by its close), prev_close = the previous day's last
close in the file (the day's open on the file's first day). Days are Indian trading days (Asia/Kolkata).
An instrument with no candle in a minute (no trades) holds its last price; before its first candle it has no quote.

`walk(after, until)` lists the quotes to emit when the replay moves from one instant to a later one: every vertex
crossed on the way (so a LIMIT order at a candle's low sees that low, however fast the replay runs) and the
quote at `until` itself.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from app.brokers.base import Quote
from app.market.replay_csv import Candle

MINUTE = timedelta(minutes=1)
# Seconds into the minute at which the walk reaches open, first extreme, second extreme and close.
VERTEX_SECONDS = (0, 15, 30, 45)
IST = ZoneInfo("Asia/Kolkata")
DEFAULT_TICK = Decimal("0.05")


@dataclass(frozen=True, slots=True)
class _Day:
    """The day's figures before a candle: what that candle's quotes build on."""

    open: Decimal
    high: Decimal | None
    low: Decimal | None
    volume: int
    prev_close: Decimal


def path(candle: Candle) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The candle's four vertices in walk order: low before high for a green candle, high before low for a red one."""
    if candle.close >= candle.open:
        return candle.open, candle.low, candle.high, candle.close
    return candle.open, candle.high, candle.low, candle.close


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


class ReplayTape:
    def __init__(self, candles: Iterable[Candle], tick_sizes: Mapping[int, Decimal] | None = None) -> None:
        by_token: dict[int, list[Candle]] = defaultdict(list)
        for candle in sorted(candles, key=lambda c: (c.start, c.token_id)):
            by_token[candle.token_id].append(candle)
        if not by_token:
            raise ValueError("a replay needs at least one candle")
        self._candles = dict(by_token)
        self._starts = {token: [c.start for c in rows] for token, rows in self._candles.items()}
        self._days = {token: self._day_figures(rows) for token, rows in self._candles.items()}
        self._ticks = dict(tick_sizes or {})
        active: dict[datetime, list[int]] = defaultdict(list)
        for token, rows in self._candles.items():
            for candle in rows:
                active[candle.start].append(token)
        self._minutes = sorted(active)
        self._active = {minute: sorted(tokens) for minute, tokens in active.items()}
        self.start = self._minutes[0]
        # The replay is over once the last minute has run.
        self.end = self._minutes[-1] + MINUTE

    @property
    def token_ids(self) -> frozenset[int]:
        return frozenset(self._candles)

    def quote(self, token_id: int, at: datetime) -> Quote | None:
        """The instrument's quote at `at`, or None before its first candle (or for a token not in the file)."""
        starts = self._starts.get(token_id)
        if starts is None:
            return None
        index = bisect_right(starts, at) - 1
        if index < 0:
            return None
        candle = self._candles[token_id][index]
        day = self._days[token_id][index]
        elapsed = (at - candle.start).total_seconds()
        price, high, low, done = self._walked(candle, min(elapsed, 60.0))
        return Quote(
            token_id=token_id,
            ltp=price,
            open=day.open,
            high=high if day.high is None else max(day.high, high),
            low=low if day.low is None else min(day.low, low),
            prev_close=day.prev_close,
            volume=day.volume + int(candle.volume * done),
            ts=at,
        )

    def quotes(self, at: datetime, token_ids: Iterable[int] | None = None) -> list[Quote]:
        wanted = self._candles if token_ids is None else token_ids
        found = (self.quote(token_id, at) for token_id in wanted)
        return [quote for quote in found if quote is not None]

    def walk(self, after: datetime, until: datetime) -> list[Quote]:
        """The quotes of the moves in (after, until]: each vertex crossed, then `until`, in time order."""
        if until <= after:
            return []
        out: list[Quote] = []
        first = bisect_left(self._minutes, minute_of(after))
        last = bisect_right(self._minutes, until)
        for minute in self._minutes[first:last]:
            for second in VERTEX_SECONDS:
                at = minute + timedelta(seconds=second)
                if after < at < until:
                    out.extend(self.quotes(at, self._active[minute]))
        now_active = self._active.get(minute_of(until), ())
        out.extend(self.quotes(until, now_active))
        return out

    def _walked(self, candle: Candle, elapsed: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """(price, high so far, low so far, share of the walk done) `elapsed` seconds into the candle."""
        vertices = path(candle)
        if elapsed >= VERTEX_SECONDS[-1]:
            return candle.close, candle.high, candle.low, Decimal(1)
        leg = int(elapsed // 15)
        begin, finish = vertices[leg], vertices[leg + 1]
        share = Decimal(str(elapsed - VERTEX_SECONDS[leg])) / 15
        price = begin if not share else self._on_tick(candle, begin + (finish - begin) * share)
        seen = (*vertices[: leg + 1], price)
        done = Decimal(str(elapsed)) / VERTEX_SECONDS[-1]
        return price, max(seen), min(seen), done

    def _on_tick(self, candle: Candle, value: Decimal) -> Decimal:
        tick = self._ticks.get(candle.token_id, DEFAULT_TICK)
        rounded = ((value / tick).to_integral_value(ROUND_HALF_UP) * tick).quantize(tick)
        # A file's prices need not sit on our tick grid; the walk never leaves the candle's range for it.
        return min(max(rounded, candle.low), candle.high)

    @staticmethod
    def _day_figures(rows: Sequence[Candle]) -> list[_Day]:
        figures = []
        day_key = None
        prev_close = rows[0].open
        last_close = rows[0].open
        open_ = rows[0].open
        high: Decimal | None = None
        low: Decimal | None = None
        volume = 0
        for candle in rows:
            key = candle.start.astimezone(IST).date()
            if key != day_key:
                if day_key is not None:
                    prev_close = last_close
                day_key, open_, high, low, volume = key, candle.open, None, None, 0
            figures.append(_Day(open_, high, low, volume, prev_close))
            high = candle.high if high is None else max(high, candle.high)
            low = candle.low if low is None else min(low, candle.low)
            volume += candle.volume
            last_close = candle.close
        return figures
