"""The clock the simulator, the calendar and the trading-day jobs share.

`RealClock` is the wall clock. With MULTIDESK_SIM_CLOCK_START (an ISO time) the clock starts at that instant when the
process starts and then runs in real time, so a demo or a test can sit on a holiday or at 15:19 IST. A start time
without an offset is read as Asia/Kolkata, the market's own time.
"""

import time
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IST = ZoneInfo("Asia/Kolkata")
UTC = ZoneInfo("UTC")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, tz-aware UTC."""
        ...


class ClockSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MULTIDESK_", extra="ignore")

    # Unset: the real clock. Set: the clock starts here and runs in real time (demos, browser tests).
    sim_clock_start: datetime | None = None

    @field_validator("sim_clock_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=IST)
        return value


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Starts at `start` and advances with the monotonic clock, so it never jumps when the wall clock is set."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start must be tz-aware")
        self._start = start.astimezone(UTC)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


class FixedClock:
    """A clock that moves only when told: for tests that step through a trading day."""

    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def advance(self, by: timedelta) -> None:
        self.at += by


def make_clock(settings: ClockSettings | None = None) -> Clock:
    settings = settings or ClockSettings()
    if settings.sim_clock_start is None:
        return RealClock()
    return ShiftedClock(settings.sim_clock_start)
