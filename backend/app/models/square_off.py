"""An advisor's scheduled "square off all intraday": the IST time it runs each trading day, and its last run."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class SquareOffSchedule(SQLModel, table=True):
    __tablename__ = "square_off_schedules"

    user_id: int = Field(foreign_key="users.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    enabled: bool = False
    at_time: str = Field(default="15:10", sa_type=String(5))  # HH:MM, Asia/Kolkata
    # The trading day it last completed for: it runs again only on a later one (kept in the database, so a
    # restart neither repeats nor forgets a day).
    last_run_on: date | None = Field(default=None, sa_type=Date)
    last_batch_ids: list[Any] = Field(default_factory=list, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
