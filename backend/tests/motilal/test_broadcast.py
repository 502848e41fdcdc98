"""Motilal's broadcast WebSocket: the binary packets byte for byte, and the feed against the fake (prices pushed on
`set_ltp` reach the port's listeners as Quotes; unwatch unregisters; a dropped socket falls back to polling and
reconnects; a Motilal client's risk check uses the pushed price)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import httpx
import pytest

from app.brokers.base import BrokerAccount, InstrumentRef, Quote
from app.brokers.motilal import MotilalBroker
from app.context import AppContext
from app.market.motilal import MotilalMarketData, MotilalMarketDataSettings
from app.market.motilal_broadcast import (
    MotilalBroadcastSettings,
    day_quote,
    decode,
    feed_codes,
    login_packet,
    ltp_quote,
    register_packet,
)
from app.market.select import motilal_broadcast
from app.models import Instrument
from app.models.instrument import instrument_ref
from app.services.reconcile import on_broker_order
from app.services.risk import last_price
from tests.conftest import Actor, Simulator, eventually, place_order
from tests.fakes.motilal import FakeMotilal
from tests.motilal.conftest import PLAIN_USER, FakeServer, MotilalApp, account
from tests.test_risk import client_limits, refused

RELIANCE = InstrumentRef(2885, "RELIANCE", "NSE", "EQ", 1, Decimal("0.05"))
TCS = InstrumentRef(11536, "TCS", "NSE", "EQ", 1, Decimal("0.05"))
NIFTY_FUT = InstrumentRef(35001, "NIFTY26JANFUT", "NFO", "FUTIDX", 75, Decimal("0.05"))
# 2026-01-01 09:15:00 IST: 46 years of 365 days + 12 leap days since 1980-01-01, plus 9 h 15 min.
OPEN_BELL = (46 * 365 + 12) * 86400 + 9 * 3600 + 15 * 60


def ws_url(server: FakeServer) -> str:
    return server.url.replace("http://", "ws://") + "/jwebsocket/jwebsocket"


async def until(check: Callable[[], bool]) -> None:
    async def checked() -> bool:
        return check()

    await eventually(checked)


# ---- the wire format, against bytes worked out by hand -----------------------------------------------------------


def test_login_packet_is_the_sdks_114_bytes() -> None:
    expected = (
        b"Q" + b"\x6f\x00" + b"\x0a" + b"EMUM755714     " + b"\x0a" + b"EMUM755714" + b" " * 20
        + b"\x01\x01\x01" + b"\x07" + b"VER 2.0   " + b"\x00\x00\x00\x00\x01" + b" " * 45
    )  # fmt: skip
    assert login_packet("EMUM755714", "VER 2.0") == expected
    assert len(expected) == 114


def test_register_and_unregister_packets_name_exchange_segment_and_scrip() -> None:
    # 2885 = 0x0B45, little-endian; NSE cash is N/C, NSE F&O is N/D, BSE F&O is G/D.
    assert register_packet(*feed_codes("NSE"), 2885, add=True) == b"D\x07\x00NC\x45\x0b\x00\x00\x01"
    assert register_packet(*feed_codes("NSEFO"), 2885, add=False) == b"D\x07\x00ND\x45\x0b\x00\x00\x00"
    assert feed_codes("BSEFO") == (b"G", b"D")
    assert feed_codes("NSECD") == (b"C", b"D")
    assert feed_codes("MCX") == (b"M", b"D")


def test_an_ltp_record_becomes_a_quote_in_decimal_rupees_utc_and_cumulative_volume() -> None:
    record = (
        b"N" + bytes.fromhex("450b0000") + OPEN_BELL.to_bytes(4, "little") + b"A"
        + bytes.fromhex("9a01af44")  # float32 1400.05 (really 1400.050048828125)
        + (7).to_bytes(4, "little") + (1200).to_bytes(4, "little") + bytes.fromhex("00f0ae44") + bytes(4)
    )  # fmt: skip
    heartbeat = b"N" + bytes(8) + b"1" + bytes(20)
    records = decode(record + heartbeat + b"partial")
    assert [r.kind for r in records] == [b"A", b"1"]
    assert (records[0].exchange, records[0].scrip) == (b"N", 2885)
    assert records[0].ts == datetime(2026, 1, 1, 3, 45, tzinfo=UTC)

    quote = ltp_quote(records[0], RELIANCE, prior=None, day=None)
    assert quote == Quote(2885, *[Decimal("1400.05")] * 5, 1200, datetime(2026, 1, 1, 3, 45, tzinfo=UTC))
    assert str(quote.ltp) == "1400.05"


def test_day_ohlc_record_gives_open_high_low_and_previous_close_to_the_next_ltp() -> None:
    header = b"N" + bytes.fromhex("450b0000") + OPEN_BELL.to_bytes(4, "little")
    ohlc = header + b"G" + bytes.fromhex("0040af440040b0440068ae4400f0ae44") + bytes(4)
    day = day_quote(decode(ohlc)[0], RELIANCE)  # open 1402, high 1410, low 1395.25, previous close 1399.5
    ltp = header + b"A" + bytes.fromhex("0068ae44") + bytes(4) + (900).to_bytes(4, "little") + bytes(8)
    higher = ltp_quote(decode(ltp)[0], RELIANCE, prior=None, day=day)
    assert (higher.open, higher.high, higher.low, higher.prev_close) == (
        Decimal("1402.00"),
        Decimal("1410.00"),
        Decimal("1395.25"),
        Decimal("1399.50"),
    )
    assert (higher.ltp, higher.volume) == (Decimal("1395.25"), 900)


# ---- against the fake ------------------------------------------------------------------------------------------

MakeMarket = Callable[..., Awaitable[MotilalMarketData]]


@pytest.fixture
async def make_market(broker: MotilalBroker, fake_server: FakeServer) -> AsyncIterator[MakeMarket]:
    made: list[MotilalMarketData] = []

    async def make(user: BrokerAccount | None = None, **changes: object) -> MotilalMarketData:
        designated = user or account(PLAIN_USER)

        async def source() -> BrokerAccount:
            return designated

        settings = MotilalBroadcastSettings(
            url=ws_url(fake_server), reconnect_min_s=0.05, reconnect_max_s=0.2, **changes
        )  # type: ignore[arg-type]
        market = MotilalMarketData(
            MotilalMarketDataSettings(client_id=designated.client_id),
            account_source=source,
            fetch=broker.market_quote,
            broadcast=motilal_broadcast(settings, broker, source),
        )
        await market.start()
        made.append(market)
        return market

    yield make
    for market in made:
        await market.close()


def no_more_polled_prices(fake: FakeMotilal) -> None:
    """From now on getltpdata fails: a price that still arrives came through the socket."""
    fake.fail_next("http", path="getltpdata", count=10**6, status=503)


async def test_a_price_set_on_the_fake_reaches_the_ports_listeners_through_the_socket(
    fake: FakeMotilal, make_market: MakeMarket
) -> None:
    market = await make_market()
    seen: list[Quote] = []
    market.add_listener(seen.extend)
    await market.watch([RELIANCE])
    await until(lambda: RELIANCE.token_id in fake.broadcast_registered())
    assert fake.broadcast_logins == [PLAIN_USER]
    no_more_polled_prices(fake)

    fake.set_ltp(RELIANCE.token_id, "1432.35")
    await until(lambda: any(q.ltp == Decimal("1432.35") for q in seen))
    pushed = next(q for q in seen if q.ltp == Decimal("1432.35"))
    assert pushed.volume == fake.day_volume[RELIANCE.token_id]
    assert pushed.ts.tzinfo is not None and pushed.ts.utcoffset() == UTC.utcoffset(None)
    assert market.latest(RELIANCE.token_id) == pushed
    # Fresh from the socket: an on-demand quote (a risk check) needs no request.
    assert (await market.quotes([RELIANCE]))[RELIANCE.token_id].ltp == Decimal("1432.35")


async def test_a_depth_record_gives_the_best_bid_and_ask_beside_the_last_price(
    fake: FakeMotilal, make_market: MakeMarket
) -> None:
    market = await make_market()
    seen: list[Quote] = []
    market.add_listener(seen.extend)
    await market.watch([RELIANCE])
    await until(lambda: RELIANCE.token_id in fake.broadcast_registered())
    no_more_polled_prices(fake)

    fake.set_ltp(RELIANCE.token_id, "1432.35")
    await until(lambda: any(q.ltp == Decimal("1432.35") for q in seen))
    fake.push_depth(RELIANCE.token_id, "1432.30", "1432.40")
    await until(lambda: any(q.bid == Decimal("1432.30") for q in seen))
    touched = next(q for q in seen if q.bid == Decimal("1432.30"))
    assert (touched.bid, touched.ltp, touched.ask) == (Decimal("1432.30"), Decimal("1432.35"), Decimal("1432.40"))
    # The next trade keeps the touch until the book says otherwise; an emptied offer side shows no ask.
    fake.set_ltp(RELIANCE.token_id, "1432.40")
    await until(lambda: market.latest(RELIANCE.token_id).ltp == Decimal("1432.40"))  # type: ignore[union-attr]
    assert market.latest(RELIANCE.token_id).bid == Decimal("1432.30")  # type: ignore[union-attr]
    fake.push_depth(RELIANCE.token_id, "1432.35", "0")
    await until(lambda: market.latest(RELIANCE.token_id).ask is None)  # type: ignore[union-attr]
    assert market.latest(RELIANCE.token_id).bid == Decimal("1432.35")  # type: ignore[union-attr]


async def test_unwatch_unregisters_the_scrip_and_the_cap_leaves_the_rest_to_polling(
    fake: FakeMotilal, make_market: MakeMarket
) -> None:
    market = await make_market(max_scrips=1)
    await market.watch([RELIANCE, TCS])
    await until(lambda: fake.broadcast_registered() == {RELIANCE.token_id})
    assert market.broadcast is not None and not market.broadcast.covers(TCS.token_id)
    await until(lambda: market.latest(TCS.token_id) is not None)  # polled, since the socket does not carry it

    await market.unwatch([RELIANCE.token_id])
    await until(lambda: fake.broadcast_registered() == set())


async def test_a_future_registers_as_nse_derivatives(fake: FakeMotilal, make_market: MakeMarket) -> None:
    market = await make_market()
    await market.watch([NIFTY_FUT])
    await until(lambda: NIFTY_FUT.token_id in fake.broadcast_registered())
    assert fake.broadcast_connections[0].scrips[NIFTY_FUT.token_id] == b"N"


async def test_a_dropped_socket_falls_back_to_polling_and_then_reconnects(
    fake: FakeMotilal, make_market: MakeMarket
) -> None:
    market = await make_market()
    await market.watch([RELIANCE])
    await until(lambda: RELIANCE.token_id in fake.broadcast_registered())

    fake.broadcast_open = False
    fake.drop_broadcast()
    polled = len(fake.requests_to("getltpdata"))
    fake.set_ltp(RELIANCE.token_id, "1405.00")  # no socket now: only polling can bring this
    await until(lambda: (q := market.latest(RELIANCE.token_id)) is not None and q.ltp == Decimal("1405.00"))
    assert len(fake.requests_to("getltpdata")) > polled

    fake.broadcast_open = True
    await until(lambda: len(fake.broadcast_logins) == 2 and RELIANCE.token_id in fake.broadcast_registered())
    no_more_polled_prices(fake)
    fake.set_ltp(RELIANCE.token_id, "1410.00")
    await until(lambda: (q := market.latest(RELIANCE.token_id)) is not None and q.ltp == Decimal("1410.00"))


async def test_heartbeats_are_answered(fake: FakeMotilal, make_market: MakeMarket) -> None:
    market = await make_market()
    await market.watch([RELIANCE])
    await until(lambda: bool(fake.broadcast_connections))
    fake.send_heartbeat()
    await until(lambda: fake.broadcast_connections[0].heartbeat_replies == 1)


async def test_a_login_for_a_client_code_without_a_session_is_refused(
    fake: FakeMotilal, fake_server: FakeServer
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosedError

    async with connect(ws_url(fake_server)) as ws:
        await ws.send(login_packet(PLAIN_USER, "VER 2.0"))  # never logged in over REST
        with pytest.raises(ConnectionClosedError) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert fake.broadcast_logins == []


# ---- through the app ---------------------------------------------------------------------------------------------


@pytest.fixture
async def use_broadcast(ctx: AppContext, motilal: MotilalApp, fake_server: FakeServer) -> AsyncIterator[Callable]:
    saved: dict[str, object] = {}

    async def use(**settings: object) -> None:
        settings = {"market_data": "motilal", "motilal_broadcast_url": ws_url(fake_server), **settings}
        for name, value in settings.items():
            saved.setdefault(name, getattr(ctx.settings, name))
            setattr(ctx.settings, name, value)
        await ctx.brokers.close()
        await ctx.start_brokers(order_listener=partial(on_broker_order, ctx))

    yield use
    await ctx.market.unwatch([RELIANCE.token_id])
    for name, value in saved.items():
        setattr(ctx.settings, name, value)


async def test_a_motilal_clients_risk_check_uses_the_broadcast_price(
    http: httpx.AsyncClient,
    admin: Actor,
    advisor: Actor,
    sim: Simulator,
    motilal: MotilalApp,
    use_broadcast: Callable[..., Awaitable[None]],
    ctx: AppContext,
) -> None:
    client = await motilal.client(advisor, PLAIN_USER)
    await sim.price(RELIANCE.token_id, "1400.00")
    motilal.fake.set_ltp(RELIANCE.token_id, "1500.00")
    await use_broadcast(motilal_market_data_client_id=client.id)
    async with ctx.sessions() as session:
        row = await session.get(Instrument, RELIANCE.token_id)
    assert row is not None
    await ctx.market.watch([instrument_ref(row)])
    await until(lambda: RELIANCE.token_id in motilal.fake.broadcast_registered())
    no_more_polled_prices(motilal.fake)

    motilal.fake.set_ltp(RELIANCE.token_id, "2100.00")
    await until(lambda: (q := ctx.market.latest(RELIANCE.token_id)) is not None and q.ltp == Decimal("2100.00"))
    assert await last_price(ctx, row) == Decimal("2100.00")
    await client_limits(http, admin, client.id, max_order_value="10000")
    response = await place_order(http, advisor.headers, client_id=client.id, quantity=10)
    refused(response, "MAX_ORDER_VALUE")
    assert response.json()["error"]["details"]["value"] == "21000.00"  # 10 x the pushed 2100, not 1400 or 1500
