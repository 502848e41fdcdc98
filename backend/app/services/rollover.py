"""The day rollover on our side: DAY orders still open from a trading day that has closed are expired.

Brokers expire their own DAY orders when the session ends (the simulator at its rollover); our rows would stay OPEN
because nothing is pushed for that, so a runner pass records it: an order written before the latest session close
that is still OPEN or PARTIALLY_FILLED becomes CANCELLED with reason EXPIRED (what filled stays filled). Orders
written after that close (after-market orders for the next session) are left alone. A closed order never moves
again (order_state.py), so a late broker view cannot reopen an expired one. The pass is idempotent and cheap, so
it runs every minute in the one runner and catches up after any downtime.

The rest of the rollover lives where its data does: the day's realised P&L starting at zero (the simulator's
position book, app/brokers/simulator/book.py; the daily-loss limit sums that book), and yesterday's close as the
reference for change % (the simulator's price model, prices.py).
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.context import AppContext
from app.enums import OrderStatus
from app.market.calendar.port import ExchangeCalendar
from app.models import Order

IST = ZoneInfo("Asia/Kolkata")
EXCHANGE = "NSE"
EXPIRED = "EXPIRED: a DAY order ends with its trading day's session"
_LIVE = (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)


def latest_close(calendar: ExchangeCalendar, now: datetime) -> datetime:
    """The close of the most recent session that has closed by `now`."""
    day = calendar.session_date(EXCHANGE, now)
    close = _close_of(calendar, day)
    if close <= now:
        return close
    return _close_of(calendar, calendar.previous_trading_day(EXCHANGE, day))


def _close_of(calendar: ExchangeCalendar, day: object) -> datetime:
    # The session's close as the calendar reports it from just before that day's open (special sessions included).
    return calendar.status(EXCHANGE, datetime.combine(day, time(0, 1), IST)).next_close  # type: ignore[arg-type]


def _expire(order: Order) -> bool:
    if order.status not in _LIVE:
        return False
    order.status, order.reason = OrderStatus.CANCELLED, EXPIRED
    return True


async def expire_day_orders(ctx: AppContext) -> list[int]:
    """One pass; the ids of the orders it expired."""
    cutoff = latest_close(ctx.calendar, ctx.clock.now())
    async with ctx.sessions() as session:
        query = select(Order.id).where(Order.status.in_(_LIVE), Order.created_at < cutoff).order_by(Order.id)
        candidates = list(await session.scalars(query))
    # Through the order writer, so each change is announced to the client's room like any other order update.
    return [order_id for order_id in candidates if await ctx.order_writer.apply(order_id, _expire)]
