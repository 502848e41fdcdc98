"""NSE/BSE calendar: exchange_calendars' Bombay holidays, corrected by data/exchange-holidays.csv, plus admin overrides.

The library knows the exchange's holidays only up to the last year it has recorded (and without names); the data
file names them, adds the years the library lacks and can remove a day the library has wrong. Admin overrides (an
extra holiday, a special session such as Muhurat trading) come from the database and win over both; the service
that edits them hands the current set to `set_overrides`.

Sessions: pre-open 09:00-09:15 (order entry and matching), normal 09:15-15:30 IST. A special session's pre-open is
the 15 minutes before its open.
"""

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from app.config import REPO_ROOT
from app.market.calendar.port import MarketStatus, Phase
from app.market.clock import IST, UTC

log = logging.getLogger(__name__)

PRE_OPEN = time(9, 0)
OPENS = time(9, 15)
CLOSES = time(15, 30)
PRE_OPEN_LEAD = timedelta(minutes=15)
# A square-off time outside a (special) session falls back to this long before its close.
SQUARE_OFF_LEAD = timedelta(minutes=15)
# Derivative segments follow their exchange's calendar.
EXCHANGES = {"NSE": "NSE", "NFO": "NSE", "BSE": "BSE", "BFO": "BSE"}
# Longer than any run of holidays and weekends: a search past it means the calendar is broken.
MAX_GAP_DAYS = 30


class CalendarSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MULTIDESK_", extra="ignore")

    holidays_file: Path = REPO_ROOT / "data" / "exchange-holidays.csv"
    # When the broker (the simulator) squares off INTRADAY positions, IST.
    square_off_time: time = time(15, 15)


class UnknownExchange(ValueError):
    pass


@dataclass(frozen=True)
class Override:
    """An admin's change to one day: a holiday (`opens`/`closes` None) or a special session."""

    exchange: str
    day: date
    name: str
    opens: time | None = None
    closes: time | None = None

    @property
    def is_session(self) -> bool:
        return self.opens is not None and self.closes is not None


@dataclass(frozen=True)
class Session:
    pre_open: datetime
    open: datetime
    close: datetime


def _at(day: date, clock_time: time) -> datetime:
    return datetime.combine(day, clock_time, IST).astimezone(UTC)


@cache
def _library_holidays(exchange: str) -> tuple[frozenset[date], date]:
    """Weekdays the library says the exchange is shut, and the last day it knows about."""
    import exchange_calendars  # Loaded on first use: pandas takes seconds to import.

    calendar = exchange_calendars.get_calendar("XBOM", start="2020-01-01")
    sessions = {ts.date() for ts in calendar.sessions}
    first, last = calendar.first_session.date(), calendar.last_session.date()
    shut = set()
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in sessions:
            shut.add(day)
        day += timedelta(days=1)
    return frozenset(shut), last


def read_holidays_file(path: Path) -> tuple[dict[tuple[str, date], str], set[tuple[str, date]]]:
    added: dict[tuple[str, date], str] = {}
    removed: set[tuple[str, date]] = set()
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            key = (row["exchange"].strip().upper(), date.fromisoformat(row["date"].strip()))
            if row["action"].strip() == "remove":
                removed.add(key)
            else:
                added[key] = row["name"].strip()
    return added, removed


class IndianExchangeCalendar:
    def __init__(self, settings: CalendarSettings | None = None, *, use_library: bool = True) -> None:
        self.settings = settings or CalendarSettings()
        self._holidays: dict[tuple[str, date], str] = {}
        if use_library:
            shut, _ = _library_holidays("XBOM")
            for exchange in set(EXCHANGES.values()):
                self._holidays.update({(exchange, day): "Trading holiday" for day in shut})
        added, removed = read_holidays_file(self.settings.holidays_file)
        self._holidays.update(added)
        for key in removed:
            self._holidays.pop(key, None)
        self._overrides: dict[tuple[str, date], Override] = {}

    def set_overrides(self, overrides: Iterable[Override]) -> None:
        self._overrides = {(_exchange(o.exchange), o.day): o for o in overrides}

    # The port.

    def status(self, exchange: str, at: datetime) -> MarketStatus:
        exchange = _exchange(exchange)
        day = at.astimezone(IST).date()
        session = self._session(exchange, day)
        if session and session.pre_open <= at < session.open:
            phase, next_open, next_close = Phase.PRE_OPEN, session.open, session.close
        elif session and session.open <= at < session.close:
            phase, next_open, next_close = Phase.OPEN, self._next_session(exchange, day).open, session.close
        else:
            upcoming = session if session and at < session.pre_open else self._next_session(exchange, day)
            next_open, next_close = upcoming.open, upcoming.close
            if session:
                phase = Phase.CLOSED
            elif self.holiday_name(exchange, day):
                phase = Phase.HOLIDAY
            else:
                phase = Phase.WEEKEND
        return MarketStatus(
            exchange=exchange,
            now=at.astimezone(UTC),
            phase=phase,
            holiday_name=self.holiday_name(exchange, day) if phase == Phase.HOLIDAY else None,
            next_open=next_open,
            next_close=next_close,
        )

    def is_open(self, exchange: str, at: datetime) -> bool:
        session = self._session(_exchange(exchange), at.astimezone(IST).date())
        return session is not None and session.open <= at < session.close

    def session_date(self, exchange: str, at: datetime) -> date:
        exchange = _exchange(exchange)
        day = at.astimezone(IST).date()
        if self._session(exchange, day):
            return day
        return self.previous_trading_day(exchange, day)

    def previous_trading_day(self, exchange: str, day: date) -> date:
        exchange = _exchange(exchange)
        for back in range(1, MAX_GAP_DAYS):
            candidate = day - timedelta(days=back)
            if self._session(exchange, candidate):
                return candidate
        raise RuntimeError(f"no {exchange} trading day in the {MAX_GAP_DAYS} days before {day}")

    def square_off_time(self, exchange: str, day: date) -> datetime:
        session = self._session(_exchange(exchange), day)
        if session is None:
            raise ValueError(f"{day} is not an {exchange} trading day")
        at = _at(day, self.settings.square_off_time)
        if session.open <= at < session.close:
            return at
        return session.close - SQUARE_OFF_LEAD

    # Beyond the port: what the status endpoint and the admin page show.

    def holiday_name(self, exchange: str, day: date) -> str | None:
        override = self._overrides.get((exchange, day))
        if override is not None:
            return None if override.is_session else override.name
        if day.weekday() >= 5:
            return None
        return self._holidays.get((exchange, day))

    def next_session(self, exchange: str, after: datetime) -> Session:
        """The first session whose open is after `after`."""
        exchange = _exchange(exchange)
        day = after.astimezone(IST).date()
        session = self._session(exchange, day)
        if session and after < session.open:
            return session
        return self._next_session(exchange, day)

    def _session(self, exchange: str, day: date) -> Session | None:
        override = self._overrides.get((exchange, day))
        if override is not None:
            if not override.is_session:
                return None
            assert override.opens is not None and override.closes is not None
            opens = _at(day, override.opens)
            return Session(pre_open=opens - PRE_OPEN_LEAD, open=opens, close=_at(day, override.closes))
        if day.weekday() >= 5 or (exchange, day) in self._holidays:
            return None
        return Session(pre_open=_at(day, PRE_OPEN), open=_at(day, OPENS), close=_at(day, CLOSES))

    def _next_session(self, exchange: str, day: date) -> Session:
        for ahead in range(1, MAX_GAP_DAYS):
            session = self._session(exchange, day + timedelta(days=ahead))
            if session:
                return session
        raise RuntimeError(f"no {exchange} trading day in the {MAX_GAP_DAYS} days after {day}")


def _exchange(exchange: str) -> str:
    try:
        return EXCHANGES[exchange.upper()]
    except KeyError:
        raise UnknownExchange(f"no calendar for exchange {exchange!r}") from None
