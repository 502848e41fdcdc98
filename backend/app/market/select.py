"""Which market data this deployment uses: MULTIDESK_MARKET_DATA = simulator (default) | motilal | replay."""

from collections.abc import Awaitable, Callable, Sequence

from app.brokers.base import InstrumentRef
from app.brokers.motilal import MotilalBroker
from app.brokers.simulator import SimulatorBroker
from app.brokers.simulator.venue_client import VenueBroker
from app.config import ConfigError, Settings
from app.market.motilal import AccountSource, MotilalMarketData, MotilalMarketDataSettings
from app.market.motilal_broadcast import MotilalBroadcast, MotilalBroadcastSettings
from app.market.port import MarketData
from app.market.replay import ReplayMarketData
from app.market.replay_setup import replay_settings
from app.market.simulator import LocalPrices, SimulatorMarketData

SOURCES = ("simulator", "motilal", "replay")


def motilal_market_data_settings(settings: Settings) -> MotilalMarketDataSettings:
    return MotilalMarketDataSettings(
        client_id=settings.motilal_market_data_client_id,
        requests_per_second=settings.motilal_market_data_requests_per_second,
        fresh_s=settings.motilal_market_data_fresh_s,
    )


def motilal_broadcast_settings(settings: Settings) -> MotilalBroadcastSettings:
    return MotilalBroadcastSettings(
        url=settings.motilal_broadcast_url.strip(), max_scrips=settings.motilal_broadcast_max_scrips
    )


def motilal_broadcast(
    settings: MotilalBroadcastSettings, motilal: MotilalBroker, account: AccountSource
) -> MotilalBroadcast | None:
    """The broadcast socket when a URL is set. Its login packet names the designated account's client code and
    carries no token, so that account is logged in over REST first (as Motilal's SDK requires)."""
    if not settings.url:
        return None

    async def login() -> str:
        resolved = await account()
        await motilal.ensure_session(resolved)
        return resolved.broker_client_id.strip().upper()

    return MotilalBroadcast(settings, login=login)


def build_market_data(
    settings: Settings,
    *,
    simulator: SimulatorBroker | VenueBroker,
    motilal: MotilalBroker,
    motilal_account: AccountSource,
    instruments: Callable[[], Awaitable[Sequence[InstrumentRef]]],
) -> MarketData:
    """The configured implementation; `motilal_account` resolves the designated account and `instruments` lists
    the instruments a replay's symbols resolve against (both service-layer lookups).

    A replay also drives the simulated broker's prices, so paper trading fills at the replayed prices; it drives
    the in-process simulator only (the shared venue ticks its own prices for every backend).
    """
    source = settings.market_data
    if source == "simulator":
        if isinstance(simulator, VenueBroker):
            return SimulatorMarketData(simulator.prices)
        return SimulatorMarketData(LocalPrices(simulator.prices))
    if source == "motilal":
        return MotilalMarketData(
            motilal_market_data_settings(settings),
            account_source=motilal_account,
            fetch=motilal.market_quote,
            broadcast=motilal_broadcast(motilal_broadcast_settings(settings), motilal, motilal_account),
        )
    if source == "replay":
        if isinstance(simulator, VenueBroker):
            raise ConfigError(
                "MULTIDESK_MARKET_DATA=replay drives the in-process simulator's prices, not the shared venue's: "
                "unset MULTIDESK_SIMULATOR_URL to replay"
            )
        replay = ReplayMarketData(replay_settings(settings), instruments)
        replay.attach(simulator.prices)
        return replay
    raise ConfigError(f"MULTIDESK_MARKET_DATA must be one of {', '.join(SOURCES)}, not {source!r}")
