"""Admin changes to the exchange calendar: an extra holiday, or a special session (e.g. Muhurat trading)."""

from datetime import date, datetime, time

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class CalendarOverride(SQLModel, table=True):
    __tablename__ = "calendar_overrides"
    # One change per exchange and day: a day is either an extra holiday or one special session.
    __table_args__ = (UniqueConstraint("exchange", "day", name="uq_calendar_overrides_exchange_day"),)

    id: int | None = Field(default=None, primary_key=True)
    exchange: str = Field(sa_type=String(16))
    day: date
    name: str = Field(sa_type=String(120))
    # Both set: a special session (IST times); both None: a holiday.
    opens: time | None = None
    closes: time | None = None
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
