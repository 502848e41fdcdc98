"""ReplayMarketData: the market-data port played back from a file of 1-minute candles (MULTIDESK_MARKET_DATA=replay).

The file (MULTIDESK_REPLAY_FILE, layout in replay_csv.py) is read once at start; the replay then runs from its
first minute at MULTIDESK_REPLAY_SPEED replayed seconds per wall second (60: a minute a second), and every
MULTIDESK_REPLAY_TICK_INTERVAL_S the prices move to the replayed instant (walk rules in replay_tape.py), each
quote stamped with the replayed time. `now()` is the replayed time: the market clock the desk shows. An admin can
pause, resume and seek (a jump: the quotes at the new instant are emitted at once, whichever way it jumps). At the
end of the file the replay pauses on its last prices.

Every instrument in the file streams whether or not anyone watches it: the file is the whole market, it is small,
and the simulated broker must see every price to fill at it. Instruments not in the file have no quote.

A replay lives in one process: with several backend processes each replays on its own (pause/seek reach only
the process that answered). Replay is for demos, training and testing strategies, not for production.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from app.brokers.base import InstrumentRef, Quote
from app.market.replay_csv import ReplayFileError, read_candles
from app.market.replay_tape import ReplayTape
from app.tasks import stop

log = logging.getLogger(__name__)

QuoteListener = Callable[[Sequence[Quote]], None]
# Every instrument the app knows (the instruments table): the file's symbols and token ids are checked against it.
InstrumentLookup = Callable[[], Awaitable[Sequence[InstrumentRef]]]


class PriceFollower(Protocol):
    """A price model that can take its prices from outside (the simulated broker's PriceModel)."""

    def follow(self, source: Callable[[int], Quote | None]) -> None: ...

    def apply(self, quotes: Sequence[Quote]) -> None: ...


@dataclass(frozen=True)
class ReplaySettings:
    file: Path
    # Replayed seconds per wall second.
    speed: Decimal = Decimal(60)
    # How often (wall seconds) prices move; at speed 60, 0.25 s shows every vertex of each candle.
    tick_interval_s: float = 0.25
    # The instrument of a file without a symbol/token_id column.
    token_id: int | None = None
    # A symbol listed on several exchanges is taken from this one.
    exchange: str = "NSE"
    start_paused: bool = False

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("the replay speed must be positive")
        if self.tick_interval_s <= 0:
            raise ValueError("the replay tick interval must be positive")


class ReplayClock:
    """The replayed instant: moves at `speed` against a monotonic wall clock while running, stays put when paused."""

    def __init__(self, start: datetime, end: datetime, speed: Decimal, monotonic: Callable[[], float]) -> None:
        self.start, self.end, self.speed = start, end, speed
        self._monotonic = monotonic
        self._at = start
        self._wall = monotonic()
        self.running = False

    def now(self) -> datetime:
        if not self.running:
            return self._at
        elapsed = (self._monotonic() - self._wall) * float(self.speed)
        return min(self._at + timedelta(seconds=elapsed), self.end)

    def pause(self) -> None:
        self._at = self.now()
        self.running = False

    def resume(self) -> None:
        self._at, self._wall = self.now(), self._monotonic()
        self.running = self._at < self.end

    def seek(self, to: datetime) -> None:
        if not self.start <= to <= self.end:
            span = f"{self.start.isoformat()} to {self.end.isoformat()}"
            raise ValueError(f"{to.isoformat()} is outside the replay ({span})")
        self._at, self._wall = to, self._monotonic()
        if to >= self.end:
            self.running = False


class ReplayNotLoaded(RuntimeError):
    """The replay was asked to move before start() read its file."""


class ReplayMarketData:
    name = "replay"

    def __init__(
        self,
        settings: ReplaySettings,
        lookup: InstrumentLookup,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._lookup = lookup
        self._monotonic = monotonic
        self._sleep = sleep
        self._listeners: list[QuoteListener] = []
        self._watched: dict[int, InstrumentRef] = {}
        self._tape: ReplayTape | None = None
        self._clock: ReplayClock | None = None
        self._shown: datetime | None = None  # the instant the listeners last saw
        self._task: asyncio.Task[None] | None = None
        self._follower: PriceFollower | None = None

    def attach(self, follower: PriceFollower) -> None:
        """The simulated broker's prices follow the replay (the newest one attached; it is rebuilt on restarts).

        It hears each move before the listeners, so an order filled at a replayed price is filled by the time the
        desk sees that price.
        """
        self._follower = follower
        follower.follow(self.latest)

    # --- the port

    def add_listener(self, listener: QuoteListener) -> None:
        self._listeners.append(listener)

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        for instrument in instruments:
            self._watched[instrument.token_id] = instrument

    async def unwatch(self, token_ids: Collection[int]) -> None:
        for token_id in token_ids:
            self._watched.pop(token_id, None)

    def latest(self, token_id: int) -> Quote | None:
        if self._tape is None or self._shown is None:
            return None
        return self._tape.quote(token_id, self._shown)

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        found = {instrument.token_id: self.latest(instrument.token_id) for instrument in instruments}
        return {token_id: quote for token_id, quote in found.items() if quote is not None}

    def now(self) -> datetime:
        if self._clock is None:
            return datetime.now(UTC)
        return self._shown or self._clock.now()

    async def start(self) -> None:
        """Read and check the file (ReplayFileError if it cannot be replayed), show its first minute, start moving."""
        if self._tape is None:
            await self.load()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="market-replay")

    async def close(self) -> None:
        await stop(self._task)
        self._task = None

    # --- loading and moving

    async def load(self) -> None:
        refs = await self._lookup()
        by_token = {ref.token_id: ref for ref in refs}
        by_symbol: dict[str, list[InstrumentRef]] = {}
        for ref in refs:
            by_symbol.setdefault(ref.symbol.upper(), []).append(ref)
        path = self.settings.file

        def resolve(symbols: set[str]) -> dict[str, int]:
            found = {}
            for symbol in sorted(symbols):
                matches = by_symbol.get(symbol, [])
                preferred = [ref for ref in matches if ref.exchange == self.settings.exchange]
                chosen = preferred or matches
                if len(chosen) != 1:
                    problem = "is not in the instruments table" if not chosen else "is listed on several exchanges"
                    raise ReplayFileError(f"{path}: symbol {symbol} {problem}; use a token_id column instead")
                found[symbol] = chosen[0].token_id
            return found

        candles = await asyncio.to_thread(read_candles, path, resolve=resolve, default_token=self.settings.token_id)
        unknown = sorted({candle.token_id for candle in candles} - by_token.keys())
        if unknown:
            listed = ", ".join(map(str, unknown[:10]))
            raise ReplayFileError(f"{path}: token id(s) {listed} are not in the instruments table")
        tape = ReplayTape(candles, {token: by_token[token].tick_size for token in by_token})
        self._tape = tape
        self._clock = ReplayClock(tape.start, tape.end, self.settings.speed, self._monotonic)
        self._clock.running = not self.settings.start_paused
        self._show(tape.start, tape.quotes(tape.start))
        log.info("replaying %d candles of %d instruments from %s", len(candles), len(tape.token_ids), path)

    def step(self) -> None:
        """Move the prices to the replayed instant now (each vertex on the way is emitted); the loop calls this."""
        clock, tape = self._loaded()
        at = clock.now()
        if self._shown is not None and at > self._shown:
            self._show(at, tape.walk(self._shown, at))
        if clock.running and at >= clock.end:
            clock.pause()
            log.info("replay reached the end of %s", self.settings.file)

    def pause(self) -> None:
        self.step()
        self._loaded()[0].pause()

    def resume(self) -> None:
        self._loaded()[0].resume()

    def seek(self, to: datetime) -> None:
        """Jump to `to` (ValueError outside the file's span) and emit every instrument's quote there."""
        clock, tape = self._loaded()
        clock.seek(to)
        self._show(to, tape.quotes(to))

    def status(self) -> dict[str, object]:
        clock, _ = self._loaded()
        return {
            "running": clock.running,
            "speed": self.settings.speed,
            "now": self.now(),
            "start": clock.start,
            "end": clock.end,
        }

    def span(self) -> tuple[datetime, datetime]:
        """The instants a seek may go to: the file's first minute to the end of its last."""
        clock, _ = self._loaded()
        return clock.start, clock.end

    @property
    def running(self) -> bool:
        return self._clock is not None and self._clock.running

    def _loaded(self) -> tuple[ReplayClock, ReplayTape]:
        if self._clock is None or self._tape is None:
            raise ReplayNotLoaded("the replay has not started")
        return self._clock, self._tape

    def _show(self, at: datetime, quotes: list[Quote]) -> None:
        self._shown = at
        if not quotes:
            return
        if self._follower is not None:
            try:
                self._follower.apply(quotes)
            except Exception:
                log.exception("the simulator's prices could not follow the replay")
        for listener in self._listeners:
            try:
                listener(quotes)
            except Exception:
                log.exception("quote listener %r failed", listener)

    async def _run(self) -> None:
        while True:
            await self._sleep(self.settings.tick_interval_s)
            try:
                self.step()
            except Exception:
                log.exception("replay step failed")
