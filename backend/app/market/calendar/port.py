"""The calendar port: when an exchange trades, as a phase, the next open/close and the square-off time.

Every time in and out is tz-aware UTC; days are the exchange's local (IST) dates.
`session_date(exchange, at)` is the latest trading day whose IST date is not after `at`'s IST date: on a trading day
it is that day all day long (before the open too), on a weekend or holiday it is the previous trading day.
"""

from dataclasses import dataclass
from datetime import date, datetime
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
