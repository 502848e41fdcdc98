"""Replay control and market-clock bodies."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from app.market.replay import ReplayMarketData
from app.schemas.common import StrictBody


class ReplayStatusOut(BaseModel):
    running: bool
    # Replayed seconds per wall second, as a decimal string.
    speed: Decimal
    now: datetime
    start: datetime
    end: datetime

    @classmethod
    def of(cls, replay: ReplayMarketData) -> "ReplayStatusOut":
        return cls.model_validate(replay.status())


class SeekIn(StrictBody):
    # With a zone (Z or +05:30): an instant inside the file's span.
    to: AwareDatetime


class MarketClockOut(BaseModel):
    now: datetime
    source: Literal["simulator", "motilal", "replay"]
    running: bool
