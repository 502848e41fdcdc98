"""The simulator's trading day, as a broker runs it, over the exchange calendar and the shared clock.

- Orders trade only while the exchange is open. While it is closed an order is refused (MARKET_CLOSED, with the
  next open) unless it is an after-market order: an AMO is booked for the next session and waits; at the open it
  is matched against the opening price (the price does not move while the market is shut).
- At the square-off time (MULTIDESK_SQUARE_OFF_TIME, the calendar's `square_off_time`) the broker closes INTRADAY
  positions itself: their open orders are cancelled and each net position is closed at market by an order of its
  own (tag SQOFF-..., not one of ours, as a real broker's RMS square-off is not).
- When a later trading day begins, DAY orders still open from an earlier one expire (CANCELLED, reason EXPIRED) and
  DELIVERY buys settle into holdings (T+1, Account.roll).

With settings.always_open none of this applies: the market is open at every hour (demos, the e2e suite).
"""

from dataclasses import dataclass
from datetime import date, datetime

from app.brokers.base import BrokerRejected, InstrumentRef
from app.brokers.simulator.book import Account, SimOrder
from app.enums import Side, TradeType
from app.market.calendar.port import ExchangeCalendar
from app.market.clock import IST

EXPIRED = "EXPIRED: a DAY order still open when its trading day ended"
SQUARED_OFF = "SQUARED_OFF: the broker cancels open INTRADAY orders at its square-off time"
SQUARE_OFF_TAG = "SQOFF"
# The simulator keeps one trading day for every account: the NSE's (BSE shares its holidays).
HOME_EXCHANGE = "NSE"


@dataclass(frozen=True)
class Now:
    at: datetime
    today: date
    open: bool
    square_off_due: bool


@dataclass(frozen=True)
class SquareOff:
    instrument: InstrumentRef
    side: Side
    quantity: int


class SimTradingDay:
    def __init__(self, calendar: ExchangeCalendar, *, always_open: bool) -> None:
        self.calendar = calendar
        self.always_open = always_open

    def now(self, at: datetime) -> Now:
        today = self.calendar.session_date(HOME_EXCHANGE, at)
        is_open = self.always_open or self.calendar.is_open(HOME_EXCHANGE, at)
        due = not self.always_open and is_open and at >= self.calendar.square_off_time(HOME_EXCHANGE, today)
        return Now(at=at, today=today, open=is_open, square_off_due=due)

    def is_open(self, exchange: str, at: datetime) -> bool:
        return self.always_open or self.calendar.is_open(exchange, at)

    def book_new(self, exchange: str, at: datetime, *, amo: bool) -> tuple[date, bool]:
        """The trading day a new order is good for, and whether it waits as an AMO; MARKET_CLOSED if it cannot be
        taken now. An AMO while the market is open is an ordinary order."""
        if self.is_open(exchange, at):
            return self.calendar.session_date(exchange, at), False
        status = self.calendar.status(exchange, at)
        if not amo:
            opens = status.next_open.astimezone(IST)
            raise BrokerRejected(
                f"MARKET_CLOSED: {status.exchange} is closed; it opens {opens:%a %d %b %Y %H:%M} IST "
                "(send an after-market order to be placed at the open)",
                code="MARKET_CLOSED",
            )
        return status.next_open.astimezone(IST).date(), True

    def may_trade(self, order: SimOrder, now: Now) -> bool:
        """Whether the order can match now: its market is open and it is not an AMO for a later session."""
        if self.always_open:
            return True
        if not self.calendar.is_open(order.instrument.exchange, now.at):
            return False
        return order.session is None or order.session <= now.today


def expiring(acct: Account, today: date) -> list[SimOrder]:
    return [o for o in acct.open_orders.values() if o.session is not None and o.session < today]


def releasable(acct: Account, today: date) -> list[SimOrder]:
    return [o for o in acct.open_orders.values() if o.amo and (o.session is None or o.session <= today)]


def open_intraday(acct: Account) -> list[SimOrder]:
    return [
        o
        for o in acct.open_orders.values()
        if o.trade_type is TradeType.INTRADAY and not o.tag.startswith(SQUARE_OFF_TAG)
    ]


def square_offs(acct: Account) -> list[SquareOff]:
    """An order closing each INTRADAY position still open, unless a square-off order for it is already working."""
    working = {o.instrument.token_id for o in acct.open_orders.values() if o.tag.startswith(SQUARE_OFF_TAG)}
    instruments = {o.instrument.token_id: o.instrument for o in acct.orders.values()}
    out = []
    for (token_id, trade_type), position in acct.positions.items():
        if trade_type is not TradeType.INTRADAY or position.net_quantity == 0 or token_id in working:
            continue
        side = Side.SELL if position.net_quantity > 0 else Side.BUY
        out.append(SquareOff(instruments[token_id], side, abs(position.net_quantity)))
    return out


def square_off_tag(today: date, token_id: int, serial: int) -> str:
    return f"{SQUARE_OFF_TAG}-{today:%Y%m%d}-{token_id}-{serial}"
