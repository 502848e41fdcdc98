"""Motilal's broadcast WebSocket: pushed last-traded prices for registered scrips, beside getltpdata polling.

Motilal documents this feed only through its SDKs (doc 33 "WebSocket Broadcast" lists the decoded fields); the wire
format here is the one Motilal's own Python SDK (MOFSLOPENAPI.py, broadcast section) speaks, as OpenAlgo's
broker/motilal/api/motilal_websocket.py also does. Binary, little-endian:

- login `=cHB15sB30sBBBB10sBBBBB45s`: b"Q", 111, len(code), code padded to 15, len(code), code padded to 30, 1, 1,
  1, len(version), version padded to 10, 0, 0, 0, 0, 1, 45 spaces. It carries no token: the SDK sends it only
  after a REST login of that client code, so we log the designated account in first.
- register / unregister `=cHcciB`: b"D", 7, exchange char, b"C" cash or b"D" derivatives, scrip code, 1 / 0.
- answers: 30-byte records, several per message: exchange char, scrip int32, time int32 (seconds since
  1980-01-01 00:00 exchange time, IST), type char, 20-byte body. `A` = LTP (rate float32 in rupees, last qty,
  cumulative qty int32, average price float32, OI int32), `G` = day open, high, low, previous close (float32),
  `B` = depth level 1, the best bid and offer (bid rate float32, bid qty int32, bid orders int16, offer rate
  float32, offer qty int32, offer orders int16), `1` = heartbeat, which the SDK answers with `=cH` b"1", 0. Other
  types (depth levels 2-5 `C`-`F`, circuit limits, OI) are skipped.

The SDK caps registrations at `getbroadcastmaxlimit` (200 when unknown): watched instruments past the cap are not
registered and stay on polling. The connection is re-opened with exponential backoff; while it is down the
market data polls every watched instrument (app/market/motilal.py), so prices never stop.
"""

import asyncio
import contextlib
import logging
import struct
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from app.brokers.base import BrokerError, InstrumentRef, Quote
from app.brokers.motilal.mapping import best_bid_ask, exchange_for
from app.tasks import stop

log = logging.getLogger(__name__)

LOGIN = struct.Struct("=cHB15sB30sBBBB10sBBBBB45s")
REGISTER = struct.Struct("=cHcciB")
HEARTBEAT_REPLY = struct.pack("=cH", b"1", 0)
RECORD_SIZE = 30
HEADER = struct.Struct("<ciic")
LTP_BODY = struct.Struct("<fiifi")
OHLC_BODY = struct.Struct("<ffff4x")
DEPTH_BODY = struct.Struct("<fihfih")
# Record times count seconds from the start of 1980 on the exchange's clock (India).
EPOCH = datetime(1980, 1, 1, tzinfo=ZoneInfo("Asia/Kolkata"))
# Motilal's exchange names (mapping.EXCHANGES' values) as the feed's one-letter codes; the rest use their initial.
EXCHANGE_CHARS = {"NSECD": b"C", "NCDEX": b"D", "BSEFO": b"G"}
CASH_EXCHANGES = frozenset({"NSE", "BSE"})
DEFAULT_MAX_SCRIPS = 200  # the SDK's cap when getbroadcastmaxlimit is not known


@dataclass(frozen=True, slots=True)
class MotilalBroadcastSettings:
    # Empty = off: prices come from getltpdata polling alone. Motilal's: wss://ws1feed.motilaloswal.com/jwebsocket/jwebsocket
    url: str = ""
    max_scrips: int = DEFAULT_MAX_SCRIPS
    # Sent in the login packet as the feed client's version (the Python SDK sends "VER 2.0").
    version: str = "VER 2.0"
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 30.0
    open_timeout_s: float = 10.0
    # WebSocket pings (RFC 6455) to notice a dead connection; None if the server does not answer them.
    ping_interval_s: float | None = 20.0


@dataclass(frozen=True, slots=True)
class Record:
    exchange: bytes
    scrip: int
    ts: datetime
    kind: bytes
    body: bytes


# ---- the wire format ---------------------------------------------------------------------------------------------


def login_packet(client_code: str, version: str) -> bytes:
    code = client_code.encode("ascii")
    ver = version.encode("ascii")
    return LOGIN.pack(
        b"Q", 111, len(code), code.ljust(15), len(code), code.ljust(30), 1, 1, 1, len(ver), ver.ljust(10),
        0, 0, 0, 0, 1, b" " * 45,
    )  # fmt: skip


def feed_codes(motilal_exchange: str) -> tuple[bytes, bytes]:
    """The feed's exchange char and segment (b"C" cash, b"D" derivatives) for a Motilal exchange name."""
    name = motilal_exchange.upper()
    char = EXCHANGE_CHARS.get(name, name[:1].encode("ascii"))
    return char, b"C" if name in CASH_EXCHANGES else b"D"


def register_packet(exchange: bytes, segment: bytes, scrip: int, *, add: bool) -> bytes:
    return REGISTER.pack(b"D", 7, exchange, segment, scrip, 1 if add else 0)


def record_time(seconds: int) -> datetime:
    return (EPOCH + timedelta(seconds=seconds)).astimezone(UTC)


def decode(message: bytes) -> list[Record]:
    """The whole 30-byte records in one message (a trailing partial record is dropped, as the SDK does)."""
    records = []
    for start in range(0, len(message) - RECORD_SIZE + 1, RECORD_SIZE):
        exchange, scrip, seconds, kind = HEADER.unpack_from(message, start)
        body = message[start + HEADER.size : start + RECORD_SIZE]
        records.append(Record(exchange, scrip, record_time(seconds), kind, body))
    return records


def price(value: float, tick_size: Decimal) -> Decimal:
    """A float32 price as Decimal, to the instrument's tick precision (at least paise): float32 1400.05 is
    1400.050048828125, which no order should ever see."""
    places = max(2, -int(tick_size.normalize().as_tuple().exponent))
    return Decimal(f"{value:.{places}f}")


def ltp_quote(record: Record, instrument: InstrumentRef, prior: Quote | None, day: Quote | None) -> Quote:
    """An `A` record as a Quote: the day's open, high, low and previous close from the last `G` record (`day`) or
    the last known quote; the record's rate widens high and low; volume is the day's cumulative quantity."""
    rate, _last_qty, cumulative, _average, _oi = LTP_BODY.unpack(record.body)
    ltp = price(rate, instrument.tick_size)
    base = day or prior
    if base is None:
        return Quote(instrument.token_id, ltp, ltp, ltp, ltp, ltp, cumulative, record.ts)
    high = max(base.high, ltp) if base.high > 0 else ltp
    low = min(base.low, ltp) if base.low > 0 else ltp
    return replace(base, ltp=ltp, high=high, low=low, volume=cumulative, ts=record.ts)


def day_quote(record: Record, instrument: InstrumentRef) -> Quote:
    """A `G` record's day open, high, low and previous close (ltp left 0: only `A` records set it)."""
    open_, high, low, prev_close = (price(v, instrument.tick_size) for v in OHLC_BODY.unpack(record.body))
    return Quote(instrument.token_id, Decimal(0), open_, high, low, prev_close, 0, record.ts)


def touch(record: Record, instrument: InstrumentRef) -> tuple[Decimal | None, Decimal | None]:
    """A `B` record's best bid and offer (None for an empty side, both None if crossed)."""
    bid_rate, _bid_qty, _bid_orders, ask_rate, _ask_qty, _ask_orders = DEPTH_BODY.unpack(record.body)
    return best_bid_ask(price(bid_rate, instrument.tick_size), price(ask_rate, instrument.tick_size))


# ---- the connection ----------------------------------------------------------------------------------------------

Login = Callable[[], Awaitable[str]]
QuoteSink = Callable[[Quote], None]


class MotilalBroadcast:
    """One broadcast connection for the designated account: registers what is watched, pushes quotes to `sink`."""

    def __init__(self, settings: MotilalBroadcastSettings, *, login: Login) -> None:
        self.settings = settings
        self._login = login  # logs the designated account in over REST, returns its client code
        self._sink: QuoteSink = lambda quote: None
        self._latest: Callable[[int], Quote | None] = lambda token_id: None
        self._on_change: Callable[[], None] = lambda: None
        self._wanted: dict[int, InstrumentRef] = {}
        self._registered: dict[tuple[bytes, int], InstrumentRef] = {}
        self._day: dict[int, Quote] = {}
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self.connections = 0  # connections opened so far (reconnects counted)
        self.problem: str | None = None  # why the socket is down, if it is
        self._cap_warned = False

    def bind(self, *, sink: QuoteSink, latest: Callable[[int], Quote | None], on_change: Callable[[], None]) -> None:
        """Where quotes go, where the last known quote is read, and who hears that coverage changed."""
        self._sink, self._latest, self._on_change = sink, latest, on_change

    @property
    def up(self) -> bool:
        return self._ws is not None

    def covers(self, token_id: int) -> bool:
        """The socket is up and this instrument is registered on it."""
        instrument = self._wanted.get(token_id)
        return self._ws is not None and instrument is not None and self._key(instrument) in self._registered

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        for instrument in instruments:
            if instrument.token_id not in self._wanted:
                self._wanted[instrument.token_id] = instrument
                await self._register(instrument)

    async def unwatch(self, token_ids: Collection[int]) -> None:
        for token_id in token_ids:
            instrument = self._wanted.pop(token_id, None)
            self._day.pop(token_id, None)
            key = self._key(instrument) if instrument is not None else None
            if instrument is not None and key is not None and self._registered.pop(key, None) is not None:
                await self._send(register_packet(*self._codes(instrument), instrument.token_id, add=False))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="motilal-broadcast")

    async def close(self) -> None:
        await stop(self._task)
        self._task = None

    # ---- internals -------------------------------------------------------------------------------------------

    @staticmethod
    def _codes(instrument: InstrumentRef) -> tuple[bytes, bytes]:
        return feed_codes(exchange_for(instrument))

    def _key(self, instrument: InstrumentRef) -> tuple[bytes, int] | None:
        try:
            return self._codes(instrument)[0], instrument.token_id
        except BrokerError:  # an exchange Motilal does not carry: never registered
            return None

    async def _register(self, instrument: InstrumentRef) -> None:
        key = self._key(instrument)
        if self._ws is None or key is None or key in self._registered:
            return  # down, an exchange Motilal does not carry (polling answers, or refuses), or already registered
        exchange, segment = self._codes(instrument)
        if len(self._registered) >= self.settings.max_scrips:
            if not self._cap_warned:
                log.warning(
                    "motilal broadcast: %d scrips registered (the cap); more watched instruments are polled",
                    self.settings.max_scrips,
                )
                self._cap_warned = True
            return
        self._registered[key] = instrument
        await self._send(register_packet(exchange, segment, instrument.token_id, add=True))

    async def _send(self, packet: bytes) -> None:
        ws = self._ws
        if ws is None:
            return
        with contextlib.suppress(WebSocketException, OSError):  # a dropped socket is noticed by the reader
            await ws.send(packet)

    async def _run(self) -> None:
        delay = self.settings.reconnect_min_s
        while True:
            try:
                if await self._session():
                    delay = self.settings.reconnect_min_s  # it worked: the next drop starts the backoff again
            except asyncio.CancelledError:
                raise
            except (BrokerError, WebSocketException, OSError, TimeoutError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                # Logged once per change: a feed down for hours must not fill the log every 30 s.
                (log.warning if problem != self.problem else log.debug)(
                    "motilal broadcast down (%s); polling carries on", problem
                )
                self.problem = problem
            except Exception:
                log.exception("motilal broadcast failed unexpectedly; polling carries on")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.settings.reconnect_max_s)

    async def _session(self) -> bool:
        """One connection, until it closes; whether the server sent anything (a refused login gets nothing)."""
        received = False
        client_code = await self._login()
        async with connect(
            self.settings.url,
            open_timeout=self.settings.open_timeout_s,
            ping_interval=self.settings.ping_interval_s,
            max_size=2**20,
        ) as ws:
            await ws.send(login_packet(client_code, self.settings.version))
            self._ws = ws
            self.connections += 1
            self.problem = None
            self._cap_warned = False
            try:
                for instrument in list(self._wanted.values()):
                    await self._register(instrument)
                log.info("motilal broadcast up: %d scrips registered", len(self._registered))
                self._on_change()
                async for message in ws:
                    received = True
                    if isinstance(message, bytes):
                        await self._receive(ws, message)
            finally:
                self._ws = None
                self._registered.clear()
                self._on_change()
        log.warning("motilal broadcast closed by the server; polling carries on")
        return received

    async def _receive(self, ws: ClientConnection, message: bytes) -> None:
        for record in decode(message):
            if record.kind == b"1":
                await ws.send(HEARTBEAT_REPLY)
                continue
            instrument = self._registered.get((record.exchange, record.scrip))
            if instrument is None:
                continue  # not ours (or unregistered while in flight)
            if record.kind == b"A":
                quote = ltp_quote(record, instrument, self._latest(instrument.token_id), self._day.get(record.scrip))
                self._day[record.scrip] = quote
                self._sink(quote)
            elif record.kind == b"B":
                bid, ask = touch(record, instrument)
                prior = self._day.get(record.scrip) or self._latest(instrument.token_id)
                if prior is None:
                    continue  # no last price yet to quote beside it; the next `B` record brings the touch again
                quote = replace(prior, bid=bid, ask=ask, ts=record.ts)
                self._day[record.scrip] = quote
                if quote.ltp > 0:
                    self._sink(quote)
            elif record.kind == b"G":
                day = day_quote(record, instrument)
                prior = self._day.get(record.scrip) or self._latest(instrument.token_id)
                self._day[record.scrip] = (
                    replace(day, ltp=prior.ltp, volume=prior.volume, bid=prior.bid, ask=prior.ask) if prior else day
                )
