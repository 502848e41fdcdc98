"""Building the replay feed from the app's settings (MULTIDESK_REPLAY_*) and its instruments table."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.brokers.base import InstrumentRef
from app.config import ConfigError, Settings
from app.market.replay import ReplayMarketData, ReplaySettings
from app.models import Instrument
from app.services.accounts import instrument_ref


def replay_settings(settings: Settings) -> ReplaySettings:
    if settings.replay_file is None:
        raise ConfigError("MULTIDESK_MARKET_DATA=replay needs MULTIDESK_REPLAY_FILE (a CSV of 1-minute candles)")
    return ReplaySettings(
        file=settings.replay_file,
        speed=settings.replay_speed,
        tick_interval_s=settings.replay_tick_interval_s,
        token_id=settings.replay_token_id,
        exchange=settings.replay_exchange,
        start_paused=settings.replay_start_paused,
    )


def build_replay(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> ReplayMarketData:
    async def instruments() -> Sequence[InstrumentRef]:
        async with sessions() as session:
            return [instrument_ref(row) for row in await session.scalars(select(Instrument))]

    return ReplayMarketData(replay_settings(settings), instruments)
