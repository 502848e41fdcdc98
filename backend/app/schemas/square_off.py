"""The scheduled square-off setting: on/off and the IST time, between the open and the close."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.schemas.common import StrictBody

# 09:15 to 15:29 IST: inside the normal session, so the exit orders can trade.
IstTime = Annotated[str, Field(pattern=r"^(09:(1[5-9]|[2-5]\d)|1[0-4]:[0-5]\d|15:([01]\d|2[0-9]))$")]


class SquareOffScheduleIn(StrictBody):
    enabled: bool
    time: IstTime = Field(description="HH:MM Asia/Kolkata, 09:15 to 15:29")


class SquareOffScheduleOut(BaseModel):
    enabled: bool
    time: str
    last_run_on: date | None = Field(description="the trading day it last ran for")
    last_batch_ids: list[int] = Field(description="the exit batches of that run, one per instrument")
    next_run_at: datetime | None = Field(description="when it runs next (UTC), if enabled")
