"""The calendar port: when an exchange trades, as a phase, the next open/close and the square-off time.

Every time in and out is tz-aware UTC; days are the exchange's local (IST) dates.
`session_date(exchange, at)` is the latest trading day whose IST date is not after `at`'s IST date: on a trading day
it is that day all day long (before the open too), on a weekend or holiday it is the previous trading day.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Protocol


class Phase(StrEnum):
    PRE_OPEN = "pre_open"
    OPEN = "open"
    CLOSED = "closed"
    HOLIDAY = "holiday"
    WEEKEND = "weekend"


@dataclass(frozen=True)
class MarketStatus:
    exchange: str
    now: datetime
    phase: Phase
    # The holiday's name on a holiday (a weekday the exchange does not trade); None otherwise.
    holiday_name: str | None
    # The next normal-session open after `now` (or the current session's open while in pre-open).
    next_open: datetime
    # The close of the session in progress, else of the next session.
    next_close: datetime


@dataclass(frozen=True)
class Override:
    """An admin's change to one day: a holiday (`opens`/`closes` None) or a special session (IST times)."""

    exchange: str
    day: date
    name: str
    opens: time | None = None
    closes: time | None = None

    @property
    def is_session(self) -> bool:
        return self.opens is not None and self.closes is not None


class ExchangeCalendar(Protocol):
    def status(self, exchange: str, at: datetime) -> MarketStatus: ...

    def is_open(self, exchange: str, at: datetime) -> bool:
        """True inside a normal (or special) session, open included, close excluded."""
        ...

    def session_date(self, exchange: str, at: datetime) -> date: ...

    def previous_trading_day(self, exchange: str, day: date) -> date:
        """The last trading day strictly before `day`."""
        ...

    def square_off_time(self, exchange: str, day: date) -> datetime:
        """When intraday positions of trading day `day` are squared off by the broker."""
        ...

    def set_overrides(self, overrides: Iterable[Override]) -> None:
        """Replace the admin overrides in force (the whole set, as stored)."""
        ...
