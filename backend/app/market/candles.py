"""Ticks to 1-minute OHLCV candles, in memory, as quotes arrive (a listener on the market-data feed).

Rules (the market clock is the quote's `ts`; minutes are UTC-aligned, [start, start + 1 min)):
- The first tick of a minute opens its candle; a tick of a later minute closes the running one. A minute without
  ticks has no candle (charts and resampling skip the gap; no flat candle is invented).
- The running ("live") candle also closes when the clock given to `close_due` passes its end, so a quiet
  instrument's last candle completes on time.
- Volume is the rise of the quote's cumulative day volume, attributed to the minute of the tick that showed it. The
  first quote seen for an instrument only sets the baseline (what traded before it is unknown: 0). A drop of the
  cumulative volume on an in-order tick is a new day (or a feed reset): counting restarts from 0, so that tick adds
  its whole cumulative volume.
- Out-of-order ticks (older than the newest seen for the instrument): within the current minute or a closed minute
  no older than `late_grace` before the live one, they update that candle's high and low (and open or close only if
  they are earlier than its first or later than its last tick) and add no volume (the newer tick already counted
  the cumulative rise). Older ones are dropped and counted in multidesk_bar_late_ticks_dropped_total.

Changed candles are handed out twice, independently: `take_dirty` (to persist, app/market/bar_store.py) and
`take_updates` (to stream in `bars` frames), so neither consumer's pace holds the other up. The work per tick is a
few comparisons and two set/dict inserts: 500 instruments at 10 ticks a second is a small share of one core
(`make bench`: candles_cpu_pct).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.brokers.base import Quote
from app.models.types import canonical_money
from app.observability.metrics import BAR_LATE_TICKS_DROPPED

MINUTE = timedelta(minutes=1)
DEFAULT_LATE_GRACE = timedelta(minutes=2)


@dataclass(eq=False, slots=True)
class Candle:
    """One instrument's minute; identity-hashed, so the live object can sit in the change sets."""

    token_id: int
    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    first_ts: datetime
    last_ts: datetime

    @property
    def end(self) -> datetime:
        return self.start + MINUTE

    def add(self, price: Decimal, volume: int, ts: datetime) -> None:
        if price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        if ts >= self.last_ts:
            self.close, self.last_ts = price, ts
        elif ts < self.first_ts:
            self.open, self.first_ts = price, ts
        self.volume += volume

    def payload(self, complete: bool) -> dict[str, Any]:
        """A /market/bars item (and the `bar` of a `bars` frame's item): decimals as strings, the start in UTC ISO."""
        return bar_payload(self.start, self.open, self.high, self.low, self.close, self.volume, complete)


def bar_payload(
    start: datetime, open_: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: int, complete: bool
) -> dict[str, Any]:
    return {
        "start": iso_utc(start),
        "open": str(canonical_money(open_)),
        "high": str(canonical_money(high)),
        "low": str(canonical_money(low)),
        "close": str(canonical_money(close)),
        "volume": volume,
        "complete": complete,
    }


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(slots=True)
class _Instrument:
    live: Candle | None = None
    # Closed candles a late tick may still update, by start; older ones are forgotten by close_due.
    recent: dict[datetime, Candle] = field(default_factory=dict)
    last_volume: int | None = None
    last_ts: datetime | None = None
    # The start of the newest candle made (live, or closed by the clock since).
    newest: datetime | None = None


def minute_of(ts: datetime) -> datetime:
    if ts.tzinfo is not UTC:
        ts = ts.astimezone(UTC)
    return ts.replace(second=0, microsecond=0)


class CandleAggregator:
    def __init__(self, late_grace: timedelta = DEFAULT_LATE_GRACE) -> None:
        self.late_grace = late_grace
        self._instruments: dict[int, _Instrument] = {}
        self._dirty: set[Candle] = set()
        # To stream: candles closed since the last round, and the latest live candle per instrument (a close is
        # kept apart, so the next minute's first tick does not hide it).
        self._closed_updates: list[Candle] = []
        self._live_updates: dict[int, Candle] = {}

    # --- the listener

    def on_quotes(self, quotes: Sequence[Quote]) -> None:
        for quote in quotes:
            self._on_quote(quote)

    def _on_quote(self, quote: Quote) -> None:
        state = self._instruments.get(quote.token_id)
        if state is None:
            state = self._instruments[quote.token_id] = _Instrument()
        ts = quote.ts
        if ts.tzinfo is not UTC:
            ts = ts.astimezone(UTC)
        volume = 0
        if state.last_ts is None or ts >= state.last_ts:
            if state.last_volume is not None:
                volume = quote.volume - state.last_volume if quote.volume >= state.last_volume else quote.volume
            state.last_volume, state.last_ts = quote.volume, ts
        minute = ts.replace(second=0, microsecond=0)
        live = state.live
        if live is not None and minute == live.start:
            live.add(quote.ltp, volume, ts)
        elif state.newest is None or minute > state.newest:
            if live is not None:
                self._close(state, live)
            price = quote.ltp
            live = state.live = Candle(quote.token_id, minute, price, price, price, price, volume, ts, ts)
            state.newest = minute
        else:
            self._late(state, quote, minute, volume, ts)
            return
        self._dirty.add(live)
        self._live_updates[quote.token_id] = live

    def _late(self, state: _Instrument, quote: Quote, minute: datetime, volume: int, ts: datetime) -> None:
        """A tick for a minute before the newest candle's (or for it, after the clock closed it)."""
        assert state.newest is not None
        if minute < state.newest - self.late_grace:
            BAR_LATE_TICKS_DROPPED.inc()
            return
        candle = state.recent.get(minute)
        if candle is None:
            # A minute that had no tick until now: its candle is made late, and only stored (never streamed).
            price = quote.ltp
            candle = state.recent[minute] = Candle(quote.token_id, minute, price, price, price, price, volume, ts, ts)
        else:
            candle.add(quote.ltp, volume, ts)
        self._dirty.add(candle)

    def _close(self, state: _Instrument, candle: Candle) -> None:
        state.recent[candle.start] = candle
        state.live = None
        # Not dirty for closing: what it holds was marked when it changed.
        self._closed_updates.append(candle)
        if self._live_updates.get(candle.token_id) is candle:
            del self._live_updates[candle.token_id]

    # --- the clock

    def close_due(self, now: datetime) -> None:
        """Close every live candle whose minute has ended by `now`; forget closed ones past the late grace."""
        horizon = now - MINUTE - self.late_grace
        for state in self._instruments.values():
            live = state.live
            if live is not None and live.end <= now:
                self._close(state, live)
            if state.recent:
                for start in [start for start in state.recent if start < horizon]:
                    del state.recent[start]

    # --- consumers

    def take_dirty(self) -> list[Candle]:
        """Candles changed since the last call (to persist); `give_back` returns them after a failed write."""
        dirty, self._dirty = self._dirty, set()
        return list(dirty)

    def give_back(self, candles: Iterable[Candle]) -> None:
        self._dirty.update(candles)

    def take_updates(self, token_ids: frozenset[int] | set[int]) -> list[tuple[Candle, bool]]:
        """(candle, complete) for the wanted instruments since the last call: closes first, then live candles."""
        closed, self._closed_updates = self._closed_updates, []
        live, self._live_updates = self._live_updates, {}
        out = [(candle, True) for candle in closed if candle.token_id in token_ids]
        out += [(candle, False) for token_id, candle in live.items() if token_id in token_ids]
        return out

    def candles(self, token_id: int, start: datetime, end: datetime) -> list[Candle]:
        """The candles in memory for one instrument within [start, end), oldest first (the live one last)."""
        state = self._instruments.get(token_id)
        if state is None:
            return []
        found = [candle for candle in state.recent.values() if start <= candle.start < end]
        if state.live is not None and start <= state.live.start < end:
            found.append(state.live)
        return sorted(found, key=lambda candle: candle.start)

    def live(self, token_id: int) -> Candle | None:
        state = self._instruments.get(token_id)
        return None if state is None else state.live
