"""PriceModel: a seeded geometric-Brownian-motion price path per instrument, with OHLC, volume and tick listeners.

It stands on its own so a market-data feed can stream the same prices the simulated broker fills at. Each
instrument carries an unrounded GBM level; the quoted price is that level rounded to the tick grid, so moves
smaller than a tick accumulate instead of being rounded away on every step. A tick advances time by
tick_interval_s of a trading year (252 days x 6h15m) and each step is clamped to ±max_move_pct.

Every tick also trades: the quote's cumulative `volume` grows by a log-normal number of lots around
TRADED_VALUE_PER_TICK rupees' worth, more on a bigger move (so candles have plausible volume). The volumes come
from a generator of their own, seeded from the same seed, so they are as reproducible as the prices and leave the
price paths of a seed exactly as they were.

Each quote carries a best bid and ask on the tick grid around the last price (ticks.touch): an uptick traded at the
ask, a downtick at the bid. They follow from the path alone, so a seed gives the same bid/ask every run.

`follow(source)` hands the prices to an outside market (a replay of recorded candles): from then on `tick()` moves
nothing, an instrument registered later starts at the source's quote, and `apply(quotes)` sets the prices, which
listeners (the simulated broker's matching) see like ticks. The simulator then fills at the market's prices.
"""

import logging
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.brokers.base import InstrumentRef, Quote
from app.brokers.simulator.ticks import on_tick, to_tick, touch

logger = logging.getLogger(__name__)

TRADING_SECONDS_PER_YEAR = 252 * 6.25 * 3600

# About 2 lakh rupees traded per instrument per one-second tick: a mid-cap's day volume over 22,500 ticks.
TRADED_VALUE_PER_TICK = 200_000.0
VOLUME_SPREAD = 0.6  # sigma of the log-normal around it

TickListener = Callable[[list[Quote]], None]
QuoteSource = Callable[[int], Quote | None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


IST = ZoneInfo("Asia/Kolkata")


@dataclass(slots=True)
class _Series:
    instrument: InstrumentRef
    level: float
    ltp: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal
    volume: int
    ts: datetime
    bid: Decimal | None = None
    ask: Decimal | None = None

    def mark(self, price: Decimal, ts: datetime) -> None:
        """A trade at `price`: an uptick took the offer, a downtick hit the bid, an unchanged price keeps its side."""
        at_ask = price > self.ltp or (price == self.ltp and self.ask == price)
        if ts.astimezone(IST).date() > self.ts.astimezone(IST).date():
            # The first price of a new day: the last one before it is the close change % is measured from, and the
            # day's open, range and volume start over.
            self.prev_close, self.open, self.high, self.low, self.volume = self.ltp, price, price, price, 0
        self.ltp = price
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.ts = ts
        self.bid, self.ask = touch(price, self.instrument.tick_size, at_ask=at_ask)

    def quote(self) -> Quote:
        return Quote(
            token_id=self.instrument.token_id,
            ltp=self.ltp,
            open=self.open,
            high=self.high,
            low=self.low,
            prev_close=self.prev_close,
            volume=self.volume,
            ts=self.ts,
            bid=self.bid,
            ask=self.ask,
        )

    def copy(self, quote: Quote) -> None:
        """An outside market's quote, bid and ask included (None when it has none: a replayed tape)."""
        self.level = float(quote.ltp)
        self.ltp, self.open, self.high, self.low = quote.ltp, quote.open, quote.high, quote.low
        self.prev_close, self.volume, self.ts = quote.prev_close, quote.volume, quote.ts
        self.bid, self.ask = quote.bid, quote.ask


class PriceModel:
    def __init__(
        self,
        *,
        seed: int | None = None,
        tick_interval_s: float = 1.0,
        drift: float = 0.0,
        volatility: float = 0.25,
        max_move_pct: float = 2.0,
        initial_prices: Mapping[int, Decimal] | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._rng = random.Random(seed)
        self._volume_rng = random.Random(None if seed is None else seed * 7919 + 17)
        dt = tick_interval_s / TRADING_SECONDS_PER_YEAR
        self._mean_log_step = (drift - volatility**2 / 2) * dt
        self._log_step_sd = volatility * math.sqrt(dt)
        self._max_move = max_move_pct / 100
        self._initial_prices = dict(initial_prices or {})
        self._clock = clock
        self._series: dict[int, _Series] = {}
        self._listeners: list[TickListener] = []
        self._source: QuoteSource | None = None

    def add_initial_prices(self, prices: Mapping[int, Decimal]) -> None:
        """Starting prices for instruments not registered yet (the shared venue learns them from the backends);
        a price already known stays."""
        for token_id, price in prices.items():
            self._initial_prices.setdefault(token_id, price)

    def quotes(self) -> list[Quote]:
        """Every registered instrument's quote now."""
        return [series.quote() for series in self._series.values()]

    def register(self, instrument: InstrumentRef, start: Decimal | None = None) -> None:
        """Start a price path for the instrument (at `start` if given); registering it again keeps the path it has."""
        if instrument.token_id in self._series:
            return
        if start is None:
            start = self._initial_prices.get(instrument.token_id) or self._derived_price(instrument)
        start = to_tick(start, instrument.tick_size)
        series = self._series[instrument.token_id] = _Series(
            instrument=instrument,
            level=float(start),
            ltp=start,
            open=start,
            high=start,
            low=start,
            prev_close=start,
            volume=0,
            ts=self._clock(),
        )
        series.bid, series.ask = touch(start, instrument.tick_size, at_ask=False)
        outside = self._source(instrument.token_id) if self._source is not None else None
        if outside is not None:
            series.copy(outside)

    @property
    def external(self) -> bool:
        return self._source is not None

    def follow(self, source: QuoteSource) -> None:
        """Take prices from an outside market from now on: `source` gives an instrument's current quote (or None)."""
        self._source = source
        for token_id, series in self._series.items():
            quote = source(token_id)
            if quote is not None:
                series.copy(quote)

    def apply(self, quotes: Sequence[Quote]) -> None:
        """The outside market's new quotes: registered instruments take them, and listeners see them as a tick."""
        moved = []
        for quote in quotes:
            series = self._series.get(quote.token_id)
            if series is not None:
                series.copy(quote)
                moved.append(series.quote())
        if moved:
            self._notify(moved)

    def tick(self) -> list[Quote]:
        """Advance every instrument one GBM step (in registration order, so a seed replays the same paths).

        Following an outside market, nothing moves here: prices change only when it quotes.
        """
        if self._source is not None:
            return []
        now = self._clock()
        quotes = []
        for series in self._series.values():
            move = math.expm1(self._rng.gauss(self._mean_log_step, self._log_step_sd))
            move = max(-self._max_move, min(self._max_move, move))
            tick = series.instrument.tick_size
            series.level = max(series.level * (1 + move), float(tick))
            series.mark(to_tick(Decimal(series.level), tick), now)
            series.volume += self._traded(series, abs(move))
            quotes.append(series.quote())
        self._notify(quotes)
        return quotes

    def _traded(self, series: _Series, move: float) -> int:
        """Shares traded this tick: whole lots, log-normal around TRADED_VALUE_PER_TICK, scaled up by the move."""
        lot = series.instrument.lot_size
        usual_lots = TRADED_VALUE_PER_TICK / (series.level * lot)
        surge = 1 + move / (self._log_step_sd or 1.0)  # a two-sigma move trades about three times the usual
        lots = usual_lots * surge * self._volume_rng.lognormvariate(0.0, VOLUME_SPREAD)
        return max(1, round(lots)) * lot

    def set_price(self, token_id: int, price: Decimal) -> Quote:
        """Move one instrument to a scripted price (tests, replays); listeners see it like a tick."""
        series = self._get(token_id)
        tick = series.instrument.tick_size
        if price < tick or not on_tick(price, tick):
            raise ValueError(f"price {price} is not a positive multiple of the tick size {tick}")
        series.level = float(price)
        series.mark(price, self._clock())
        quote = series.quote()
        self._notify([quote])
        return quote

    def last_price(self, token_id: int) -> Decimal:
        return self._get(token_id).ltp

    def quote(self, token_id: int) -> Quote:
        return self._get(token_id).quote()

    def add_volume(self, token_id: int, quantity: int) -> None:
        self._get(token_id).volume += quantity

    def add_tick_listener(self, listener: TickListener) -> None:
        self._listeners.append(listener)

    def _notify(self, quotes: list[Quote]) -> None:
        for listener in self._listeners:
            # One failing consumer (a feed, the matcher) must not starve the others of prices.
            try:
                listener(quotes)
            except Exception:
                logger.exception("tick listener %r failed", listener)

    def _get(self, token_id: int) -> _Series:
        try:
            return self._series[token_id]
        except KeyError:
            raise KeyError(f"token {token_id} is not registered with the price model") from None

    @staticmethod
    def _derived_price(instrument: InstrumentRef) -> Decimal:
        # Deterministic, so every instrument has a plausible price without a price file.
        return Decimal(100 + instrument.token_id % 4900)
