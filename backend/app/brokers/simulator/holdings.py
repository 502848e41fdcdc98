"""Demat holdings and settlement (T+1): at the next trading day's start, today's DELIVERY trades settle.

The DELIVERY position of a day is that day's delivery trades: a buy is paid for and becomes a holding at its
average cost at the next trading day's start (T+1); a sell of held shares shows as a short DELIVERY position
for the day and leaves the holding when it settles. Until then, what a client holds for delivery is the
holding plus the day's DELIVERY position, and that is also what a DELIVERY sell may sell.

Settlement moves money in the ledger: the cost of shares bought leaves cash, the proceeds of shares sold
arrive, and the day's realised P&L (which was already in cash through the position) stays there.

Which trading day a time belongs to is the exchange calendar's answer (`CalendarDays`, holidays included); without
a calendar, Monday to Friday in Asia/Kolkata (`WEEKDAYS`). Settlement is a function of the books and the calendar,
so the live simulator (settling when it is next used on a later day) and a journal replay (settling before the
first event of a later day) arrive at the same books.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from app.brokers.simulator.positions import Position
from app.market.calendar.port import ExchangeCalendar

IST = ZoneInfo("Asia/Kolkata")


@dataclass(slots=True)
class Holding:
    token_id: int
    exchange: str
    quantity: int = 0
    average_price: Decimal = Decimal(0)


class TradingDays(Protocol):
    def session_date(self, at: datetime) -> date:
        """The trading day `at` belongs to (on a day without trading, the one before)."""
        ...


class Weekdays:
    def session_date(self, at: datetime) -> date:
        day = at.astimezone(IST).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day


WEEKDAYS = Weekdays()


class CalendarDays:
    """The exchange calendar's trading days (the simulator books every account on NSE's days)."""

    def __init__(self, calendar: ExchangeCalendar, exchange: str = "NSE") -> None:
        self.calendar = calendar
        self.exchange = exchange

    def session_date(self, at: datetime) -> date:
        return self.calendar.session_date(self.exchange, at)


def settle(position: Position, holding: Holding) -> Decimal:
    """Settle a day's DELIVERY position into the holding; returns the cash it moves (negative = paid)."""
    net = position.net_quantity
    if net > 0:
        total = holding.quantity + net
        holding.average_price = (holding.average_price * holding.quantity + position.average_price * net) / total
        holding.quantity = total
        return -position.average_price * net
    if net < 0:
        holding.quantity = max(holding.quantity + net, 0)
        if holding.quantity == 0:
            holding.average_price = Decimal(0)
        return position.average_price * -net
    return Decimal(0)
