"""The market-data port without the app: which implementation MULTIDESK_MARKET_DATA picks, the switch that follows
it across restarts, Motilal's pacing and degraded state (a fake clock and a fake fetch, no timed asserts), and the
simulator's seeded per-tick volume."""

import asyncio
import itertools
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.brokers.base import BrokerAccount, BrokerAuthError, InstrumentRef, Quote
from app.brokers.motilal import MotilalBroker
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.brokers.simulator.prices import PriceModel
from app.brokers.simulator.venue_client import VenueBroker
from app.brokers.simulator.venue_settings import VenueSettings
from app.config import ConfigError, Settings
from app.market.motilal import MotilalMarketData, MotilalMarketDataSettings, Pacer
from app.market.port import MarketDataUnavailable
from app.market.replay import ReplayMarketData
from app.market.select import build_market_data
from app.market.simulator import LocalPrices, SimulatorMarketData
from app.market.switch import MarketDataSwitch

ACCOUNT = BrokerAccount(7, "AA017", {"api_key": "k"}, Decimal(0))


def ref(token_id: int, lot_size: int = 1) -> InstrumentRef:
    return InstrumentRef(token_id, f"T{token_id}", "NSE", "EQ", lot_size, Decimal("0.05"))


def quote(token_id: int, ltp: str) -> Quote:
    price = Decimal(ltp)
    return Quote(token_id, price, price, price, price, price, 0, datetime.now(UTC))


async def _account() -> BrokerAccount:
    return ACCOUNT


class FakeClock:
    """Monotonic time that moves only when the pacer sleeps (one sleeper at a time in the tests using it)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


# ---- selection


async def _no_instruments() -> list[InstrumentRef]:
    return []


@pytest.mark.parametrize(
    ("source", "kind"),
    [("simulator", SimulatorMarketData), ("motilal", MotilalMarketData), ("replay", ReplayMarketData)],
)
def test_market_data_is_chosen_by_the_setting(source: str, kind: type, tmp_path: Path) -> None:
    settings = Settings(market_data=source, motilal_market_data_client_id=3, replay_file=tmp_path / "candles.csv")
    market = build_market_data(
        settings,
        simulator=SimulatorBroker(SimulatorSettings(seed=1)),
        motilal=MotilalBroker(),
        motilal_account=_account,
        instruments=_no_instruments,
    )
    assert isinstance(market, kind) and market.name == source


def test_a_replay_needs_its_file_and_the_default_is_the_simulator() -> None:
    assert Settings().market_data == "simulator"
    with pytest.raises(ConfigError, match="MULTIDESK_REPLAY_FILE"):
        build_market_data(
            Settings(market_data="replay"),
            simulator=SimulatorBroker(SimulatorSettings(seed=1)),
            motilal=MotilalBroker(),
            motilal_account=_account,
            instruments=_no_instruments,
        )


async def test_a_replay_cannot_drive_the_shared_venues_prices(tmp_path: Path) -> None:
    venue = VenueBroker(VenueSettings("http://127.0.0.1:9"))
    try:
        with pytest.raises(ConfigError, match="MULTIDESK_SIMULATOR_URL"):
            build_market_data(
                Settings(market_data="replay", replay_file=tmp_path / "candles.csv"),
                simulator=venue,
                motilal=MotilalBroker(),
                motilal_account=_account,
                instruments=_no_instruments,
            )
    finally:
        await venue.close()


def test_the_request_rate_cannot_be_set_above_motilals_published_limit() -> None:
    with pytest.raises(ValueError, match="less than or equal to 2"):
        Settings(motilal_market_data_requests_per_second=5)


# ---- the switch


async def test_the_switch_carries_listeners_and_watched_instruments_over_and_ignores_a_replaced_source() -> None:
    first, second = PriceModel(seed=1), PriceModel(seed=2)
    switch = MarketDataSwitch()
    seen: list[Quote] = []
    switch.add_listener(seen.extend)
    await switch.use(SimulatorMarketData(LocalPrices(first)))
    await switch.watch([ref(2885)])
    first.tick()
    assert [q.token_id for q in seen] == [2885]

    await switch.use(SimulatorMarketData(LocalPrices(second)))
    seen.clear()
    first.tick()  # the old model's ticks are no longer the market
    assert seen == []
    second.tick()  # the watched instrument was registered with the new model
    assert [q.token_id for q in seen] == [2885]
    assert switch.latest(2885) == second.quote(2885)


# ---- Motilal: pacing, polling, degraded


async def test_every_getltpdata_call_gets_its_own_slot_polls_and_on_demand_quotes_alike() -> None:
    # The clock stands still and sleeping only records how long the pacer asked for: each request's slot.
    slots: list[float] = []
    calls: list[int] = []
    nine_polled = asyncio.Event()

    async def sleep(seconds: float) -> None:
        slots.append(seconds)
        await asyncio.sleep(0)

    async def fetch(account: BrokerAccount, instrument: InstrumentRef) -> Quote:
        calls.append(instrument.token_id)
        if len(calls) >= 9:
            nine_polled.set()
        return quote(instrument.token_id, "100.00")

    settings = MotilalMarketDataSettings(client_id=7, requests_per_second=2.0, fresh_s=1000.0)
    pacer = Pacer(2.0, clock=lambda: 0.0, sleep=sleep)
    market = MotilalMarketData(settings, account_source=_account, fetch=fetch, pacer=pacer, clock=lambda: 0.0)
    await market.watch([ref(1), ref(2), ref(3)])
    await market.start()
    await nine_polled.wait()
    fresh = await market.quotes([ref(1), ref(99)])  # 1 is fresh from the poll; 99 needs a request of its own
    await market.close()

    assert set(fresh) == {1, 99}
    assert calls[:6] == [1, 2, 3, 1, 2, 3]  # round-robin over the watched instruments
    assert 99 in calls
    # Every request waited for a slot of its own, half a second after the one before (2 per second).
    assert len(slots) >= len(calls) - 1
    assert sorted([0.0, *slots]) == [i * 0.5 for i in range(len(slots) + 1)]


async def test_a_refused_login_degrades_the_source_and_quotes_are_refused_until_the_retry() -> None:
    clock = FakeClock()
    refusals = 0

    async def fetch(account: BrokerAccount, instrument: InstrumentRef) -> Quote:
        nonlocal refusals
        refusals += 1
        raise BrokerAuthError("wrong user id or password")

    settings = MotilalMarketDataSettings(client_id=7, retry_s=30.0)
    market = MotilalMarketData(
        settings, account_source=_account, fetch=fetch, pacer=Pacer(2.0, clock=clock, sleep=clock.sleep), clock=clock
    )
    with pytest.raises(MarketDataUnavailable, match="cannot log in to Motilal: wrong user id or password"):
        await market.quotes([ref(1)])
    assert market.problem is not None and "account 7" in market.problem
    with pytest.raises(MarketDataUnavailable):
        await market.quotes([ref(1)])
    assert refusals == 1  # refused again at once, without asking Motilal, until retry_s has passed
    clock.now += 31
    with pytest.raises(MarketDataUnavailable):
        await market.quotes([ref(1)])
    assert refusals == 2


async def test_a_missing_account_is_reported_and_looked_up_again_later() -> None:
    clock = FakeClock()
    lookups = 0

    async def missing() -> BrokerAccount:
        nonlocal lookups
        lookups += 1
        if lookups == 1:
            raise MarketDataUnavailable("there is no client 7")
        return ACCOUNT

    async def fetch(account: BrokerAccount, instrument: InstrumentRef) -> Quote:
        return quote(instrument.token_id, "55.00")

    market = MotilalMarketData(
        MotilalMarketDataSettings(client_id=7, retry_s=30.0),
        account_source=missing,
        fetch=fetch,
        pacer=Pacer(2.0, clock=clock, sleep=clock.sleep),
        clock=clock,
    )
    with pytest.raises(MarketDataUnavailable, match="no client 7"):
        await market.quotes([ref(1)])
    assert market.problem == "there is no client 7"
    clock.now += 31
    assert (await market.quotes([ref(1)]))[1].ltp == Decimal("55.00")
    assert market.problem is None and lookups == 2


# ---- the simulator's volume


def test_each_tick_trades_whole_lots_and_a_seed_replays_the_same_volumes() -> None:
    def run(seed: int) -> list[tuple[Decimal, int]]:
        model = PriceModel(seed=seed, initial_prices={1: Decimal("1400"), 2: Decimal("250")})
        model.register(ref(1))
        model.register(ref(2, lot_size=75))
        return [(q.ltp, q.volume) for _ in range(50) for q in model.tick()]

    first = run(11)
    assert first == run(11)
    assert first != run(12)
    volumes_1 = [v for i, (_, v) in enumerate(first) if i % 2 == 0]
    volumes_2 = [v for i, (_, v) in enumerate(first) if i % 2 == 1]
    assert all(later > earlier for earlier, later in itertools.pairwise(volumes_1))
    assert all(v % 75 == 0 for v in volumes_2)
    assert 10 <= volumes_1[0] <= 2000  # a few hundred shares of a 1400-rupee stock per tick, not millions
