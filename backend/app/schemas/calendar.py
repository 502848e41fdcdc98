"""Market status and the admin's calendar overrides."""

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from app.schemas.common import StrictBody

PhaseName = Literal["pre_open", "open", "closed", "holiday", "weekend"]
ExchangeName = Literal["NSE", "BSE"]


class MarketStatusOut(BaseModel):
    exchange: str
    now: datetime
    phase: PhaseName
    holiday_name: str | None
    next_open: datetime
    next_close: datetime
    # The simulator trades at any hour (MULTIDESK_SIM_ALWAYS_OPEN, on in demo mode): its orders are not refused or
    # held as AMOs while the exchange is closed.
    simulator_always_open: bool


class CalendarOverrideIn(StrictBody):
    """A holiday (no times) or a special session (both times, IST, e.g. Muhurat trading 18:00-19:00)."""

    exchange: ExchangeName
    day: date
    name: Annotated[str, Field(min_length=1, max_length=120)]
    opens: time | None = None
    closes: time | None = None

    @model_validator(mode="after")
    def _session_times(self) -> "CalendarOverrideIn":
        if (self.opens is None) != (self.closes is None):
            raise ValueError("a special session needs both opens and closes; a holiday neither")
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValueError("a session must close after it opens")
        return self


class CalendarOverrideOut(BaseModel):
    id: int
    exchange: str
    day: date
    name: str
    kind: Literal["holiday", "session"]
    opens: time | None
    closes: time | None
    created_by: int
    created_at: datetime
