"""The replay's settings from the app's (MULTIDESK_REPLAY_*)."""

from app.config import ConfigError, Settings
from app.market.replay import ReplaySettings


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
