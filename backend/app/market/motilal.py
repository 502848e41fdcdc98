"""Motilal's prices as market data: getltpdata polled for the watched instruments with one designated account.

Motilal prices are the same for every client, so one account's session (MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID,
a Motilal client in our database) asks for all of them. This module never reads the database: the service layer
(app/services/market_data.py) resolves that account and hands over `account_source`, called again whenever the
account was missing or refused (at most every `retry_s`).

Pacing. Motilal's FAQ (https://invest.motilaloswal.com/moAPI/APIDocumentation/FAQ, Q9: "We allowed 40
transactions per second (Order Place, Modify and cancel) & Rest 2 apis call per second") limits every non-order
API, getltpdata included, to 2 calls per second. One `Pacer` spaces every getltpdata call made here (the poller's
round-robin over the watched instruments and on-demand `quotes`) at least 1/requests_per_second apart, so with N
watched instruments each is refreshed every N/requests_per_second seconds. getltpdata answers one scrip per call
(doc 26, /rest/report/v3/getltpdata: {"exchange", "scripcode"} -> data {open, high, low, close, ltp, volume} in
paise), so polling does not scale past a few dozen instruments. With a broadcast feed
(app/market/motilal_broadcast.py, MULTIDESK_MOTILAL_BROADCAST_URL) the instruments its socket covers are pushed and
polled only when their last price is older than `covered_refresh_s`; while the socket is down every watched
instrument is polled again, so prices never stop. On-demand `quotes` still ask getltpdata for a stale price.

A missing or refused account does not stop the app: this source is "degraded" (`problem` says why, logged once
per change and shown by /health/ready), `quotes` raises MarketDataUnavailable (the quotes endpoint answers 503
MARKET_DATA_UNAVAILABLE), and the account is looked up again every `retry_s`.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.brokers.base import BrokerAccount, BrokerAuthError, BrokerError, BrokerUnavailable, InstrumentRef, Quote
from app.market.motilal_broadcast import MotilalBroadcast
from app.market.port import MarketDataUnavailable, QuoteListener
from app.tasks import stop

log = logging.getLogger(__name__)

# Motilal's published limit for APIs other than order placement (FAQ Q9).
PUBLISHED_REQUESTS_PER_SECOND = 2.0

AccountSource = Callable[[], Awaitable[BrokerAccount]]
FetchQuote = Callable[[BrokerAccount, InstrumentRef], Awaitable[Quote]]


@dataclass(frozen=True, slots=True)
class MotilalMarketDataSettings:
    # Our client id (clients.id) of the Motilal account whose session asks for prices.
    client_id: int | None = None
    requests_per_second: float = PUBLISHED_REQUESTS_PER_SECOND
    # A polled quote younger than this answers `quotes` (risk checks, P&L) without a request of its own.
    fresh_s: float = 10.0
    # How long `quotes` waits for prices it has to fetch; the ones not fetched by then are left out.
    quote_wait_s: float = 3.0
    # How often a missing or refused account is looked up (and logged in) again.
    retry_s: float = 30.0
    # An instrument the broadcast socket covers is polled only once its last price is this old (a quiet scrip, or
    # a registration the feed ignores, still gets a price now and then).
    covered_refresh_s: float = 60.0


class Pacer:
    """Gives out request slots at least 1/per_second apart, in arrival order, to every caller alike."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    async def wait(self) -> None:
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval  # taken before sleeping, so concurrent callers queue behind it
        if slot > now:
            await self._sleep(slot - now)


class MotilalMarketData:
    name = "motilal"

    def __init__(
        self,
        settings: MotilalMarketDataSettings,
        *,
        account_source: AccountSource,
        fetch: FetchQuote,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
        broadcast: MotilalBroadcast | None = None,
    ) -> None:
        self.settings = settings
        self.problem: str | None = None
        self._account_source = account_source
        self._fetch = fetch
        self._pacer = pacer or Pacer(settings.requests_per_second)
        self._clock = clock
        self._account: BrokerAccount | None = None
        self._retry_at = 0.0
        self._watched: dict[int, InstrumentRef] = {}
        self._latest: dict[int, tuple[Quote, float]] = {}  # token -> (quote, clock() when fetched)
        self._listeners: list[QuoteListener] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.broadcast = broadcast
        if broadcast is not None:
            broadcast.bind(sink=self._pushed, latest=self.latest, on_change=self._wake.set)

    # ---- the port ------------------------------------------------------------------------------------------

    def add_listener(self, listener: QuoteListener) -> None:
        self._listeners.append(listener)

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        for instrument in instruments:
            self._watched[instrument.token_id] = instrument
        self._wake.set()
        if self.broadcast is not None:
            await self.broadcast.watch(instruments)

    async def unwatch(self, token_ids: Collection[int]) -> None:
        for token_id in token_ids:
            self._watched.pop(token_id, None)
        if self.broadcast is not None:
            await self.broadcast.unwatch(token_ids)

    def latest(self, token_id: int) -> Quote | None:
        known = self._latest.get(token_id)
        return known[0] if known else None

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        found: dict[int, Quote] = {}
        missing: list[InstrumentRef] = []
        for instrument in instruments:
            known = self._latest.get(instrument.token_id)
            if known is not None and self._clock() - known[1] < self.settings.fresh_s:
                found[instrument.token_id] = known[0]
            else:
                missing.append(instrument)
        if not missing:
            return found
        account = await self._require_account()
        # Only as many as the pace allows within quote_wait_s are asked for; the rest are left out (the socket
        # brings them once watched), so one large request never books the pacer for minutes.
        budget = max(1, int(self.settings.quote_wait_s * self.settings.requests_per_second))
        answers = await asyncio.gather(
            *(self._paced_fetch(account, i) for i in missing[:budget]), return_exceptions=True
        )
        errors = []
        for answer in answers:
            if isinstance(answer, Quote):
                found[answer.token_id] = answer
            elif isinstance(answer, BrokerError):
                errors.append(answer)
            else:
                raise answer
        if not found and errors:
            raise errors[0]
        return found

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name="motilal-market-data")
        if self.broadcast is not None:
            await self.broadcast.start()

    async def close(self) -> None:
        if self.broadcast is not None:
            await self.broadcast.close()
        await stop(self._task)
        self._task = None

    # ---- the account ---------------------------------------------------------------------------------------

    async def _require_account(self) -> BrokerAccount:
        if self._account is not None:
            return self._account
        if self._clock() < self._retry_at:
            raise MarketDataUnavailable(self.problem or "Motilal market data has no account yet")
        try:
            self._account = await self._account_source()
        except BrokerError as exc:
            self._degrade(str(exc))
            raise MarketDataUnavailable(str(exc)) from None
        self._recover()
        return self._account

    def _degrade(self, reason: str) -> None:
        self._account = None
        self._retry_at = self._clock() + self.settings.retry_s
        if reason != self.problem:
            log.warning("motilal market data degraded: %s", reason)
        self.problem = reason

    def _recover(self) -> None:
        if self.problem is not None:
            log.info("motilal market data recovered")
        self.problem = None

    # ---- requests ------------------------------------------------------------------------------------------

    async def _paced_fetch(self, account: BrokerAccount, instrument: InstrumentRef) -> Quote:
        await self._pacer.wait()
        try:
            quote = await self._fetch(account, instrument)
        except BrokerAuthError as exc:
            # The designated account's login is refused: every price would be refused the same way.
            self._degrade(f"the market-data account {account.client_id} cannot log in to Motilal: {exc}")
            raise MarketDataUnavailable(self.problem or str(exc)) from None
        except BrokerError:
            raise
        except Exception as exc:
            # The adapter's own failure is still no price (as BrokerRegistry treats it), and must not end the poller.
            log.exception("motilal market data request for %s failed unexpectedly", instrument.token_id)
            raise BrokerUnavailable(f"Motilal price request failed ({type(exc).__name__})") from exc
        self._recover()
        self._latest[quote.token_id] = (quote, self._clock())
        self._notify([quote])
        return quote

    def _pushed(self, quote: Quote) -> None:
        """A quote from the broadcast socket: as fresh as a polled one for `quotes`, and streamed the same way."""
        self._latest[quote.token_id] = (quote, self._clock())
        self._notify([quote])

    def _needs_poll(self, token_id: int) -> bool:
        if self.broadcast is None or not self.broadcast.covers(token_id):
            return True
        known = self._latest.get(token_id)
        return known is None or self._clock() - known[1] >= self.settings.covered_refresh_s

    async def _poll(self) -> None:
        """Round-robin over the watched instruments, one paced request at a time, for as long as it runs."""
        while True:
            due = [i for i in self._watched.values() if self._needs_poll(i.token_id)]
            if not due:
                # Nothing to ask for: wait for a watch, the socket going down, or a covered price growing old.
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0 if self._watched else None)
                continue
            try:
                account = await self._require_account()
            except MarketDataUnavailable:
                await asyncio.sleep(max(self._retry_at - self._clock(), 0.05))
                continue
            for instrument in due:
                if instrument.token_id not in self._watched or not self._needs_poll(instrument.token_id):
                    continue  # unwatched, or pushed by the socket, during this round
                try:
                    await self._paced_fetch(account, instrument)
                except MarketDataUnavailable:
                    break
                except BrokerError as exc:
                    log.debug("motilal price for %s not read: %s", instrument.token_id, exc)

    def _notify(self, quotes: list[Quote]) -> None:
        for listener in self._listeners:
            try:
                listener(quotes)
            except Exception:
                log.exception("quote listener %r failed", listener)
