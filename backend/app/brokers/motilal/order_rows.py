"""Motilal's order and trade rows to ours: the order states, the latest state in an order's history, the times
Motilal writes, and the time a modify must send back.

Pure functions, no I/O. The rules (also in README.md):
  - states (Motilal's list, title case in its books; matched in any case): Unknown, Sent, Confirm -> OPEN, or
    PARTIALLY_FILLED if the row shows traded quantity; Partial -> PARTIALLY_FILLED; Traded -> FILLED;
    Cancel -> CANCELLED keeping what filled; Rejected, Error -> REJECTED with the row's `error` text. `Unknown`
    is Motilal not knowing yet, so the order stays live and reconciliation keeps asking: nothing is FILLED or
    CANCELLED by guess. A word not in the list is logged and treated the same way.
  - times are Indian wall-clock text, dd-MMM-yyyy HH:mm:ss, and "0" for a time that has not happened (an order's
    `lastmodifiedtime` before its first modification). A trade time may be a date alone (dd/mm/yyyy): it is read
    as the latest moment it can stand for that is not in the future (now, for today's date).
  - modify: Motilal wants the order's `lastmodifiedtime` back and refuses "0" (MO1089), so before the first
    modification the entry time (`entrydatetime`, else `recordinserttime`) is sent instead.
  - the order-detail answer is a list of the order's states; the latest is the one furthest along (closed, then
    more traded, then modified later), whatever order the list comes in.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.brokers.base import BrokerOrder, BrokerOrderNotFound, BrokerRejected, BrokerTrade
from app.brokers.motilal.mapping import (
    AVERAGE,
    IST,
    ORDER_TYPES_IN,
    decimal,
    integer,
    lots,
    order_type,
    price_or_none,
    side,
    trade_type,
)
from app.enums import CLOSED_STATUSES, OrderStatus

log = logging.getLogger(__name__)

# Motilal's order states -> ours; None: live, OPEN or PARTIALLY_FILLED by the traded quantity.
STATUSES: dict[str, OrderStatus | None] = {
    "unknown": None,
    "sent": None,
    "confirm": None,
    "partial": OrderStatus.PARTIALLY_FILLED,
    "traded": OrderStatus.FILLED,
    "cancel": OrderStatus.CANCELLED,
    "rejected": OrderStatus.REJECTED,
    "error": OrderStatus.REJECTED,
}
# How far along each state is, to pick the latest row of an order's history.
_STAGE = {"unknown": 0, "sent": 1, "confirm": 2, "partial": 3}
_CLOSED_STAGE = 4
NO_TIME = "0"
# Motilal's answers to a change of an order that is not open: its state is Unknown, Cancel, Traded, Rejected, Error.
NOT_OPEN_CODES = frozenset({"MO1065", "MO1066", "MO1067", "MO1068", "MO1069"})
ORDER_NOT_FOUND = "MO1013"
TRADE_NOT_FOUND = "MO1014"
# A modify whose lastmodifiedtime / qtytradedtoday no longer match the order: it changed after it was read.
STALE_MODIFY_CODES = frozenset({"MO1089", "MO1090"})
TIME_FORMATS = ("%d-%b-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S")
DATE_FORMATS = ("%d/%m/%Y", "%d-%b-%Y", "%Y-%m-%d")


def book_time(value: Any, now: datetime) -> datetime | None:
    """A time Motilal wrote, in UTC; None for "0", blank or text we cannot read."""
    if not isinstance(value, str) or value.strip() in ("", NO_TIME):
        return None
    text = value.strip()
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=IST).astimezone(UTC)
        except ValueError:
            continue
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        # The date alone: the end of that day in India, or now if that is earlier (a trade of today).
        end_of_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=IST) - timedelta(seconds=1)
        return min(end_of_day.astimezone(UTC), now)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)).astimezone(UTC)


def timestamp(value: Any, default: datetime) -> datetime:
    return book_time(value, default) or default


def modify_time(row: Mapping[str, Any]) -> str | None:
    """What a modify sends as `lastmodifiedtime`: the row's own, or its entry time while it is "0"."""
    for key in ("lastmodifiedtime", "entrydatetime", "recordinserttime"):
        value = str(row.get(key) or "").strip()
        if value and value != NO_TIME:
            return value
    return None


def modify_request(row: Mapping[str, Any], wanted: BrokerOrder, lot_size: int) -> dict[str, Any]:
    """The modifyorder body that turns the order in `row` (its latest state) into `wanted`; quantity is the new
    total, filled included, in lots."""
    stamp = modify_time(row)
    if stamp is None:
        raise BrokerRejected(
            "MODIFY_TIME_UNKNOWN: Motilal's order row has no modified or entry time to send back; nothing was changed",
            code="MODIFY_TIME_UNKNOWN",
        )
    return {
        "uniqueorderid": str(row.get("uniqueorderid") or wanted.broker_order_id),
        "newordertype": kind(row),
        "neworderduration": "DAY",
        "newprice": float(wanted.price or 0),
        "newtriggerprice": float(wanted.trigger_price or 0),
        "newquantityinlot": lots(wanted.quantity, lot_size),
        "newdisclosedquantity": 0,
        "newgoodtilldate": "",
        "lastmodifiedtime": stamp,
        "qtytradedtoday": filled_quantity(row),
    }


def refuse_if_closed(current: BrokerOrder, row: Mapping[str, Any]) -> None:
    if current.status in CLOSED_STATUSES:
        raise BrokerRejected(f"ORDER_NOT_OPEN: the order is {row.get('orderstatus')} at Motilal", code="ORDER_NOT_OPEN")


def raise_if_not_open(exc: BrokerRejected) -> None:
    """Motilal's own "not open" and "not found" answers to a modify or cancel, as the adapter's own errors."""
    if exc.code in NOT_OPEN_CODES:
        raise BrokerRejected(f"ORDER_NOT_OPEN: {exc.reason}", code="ORDER_NOT_OPEN") from exc
    if exc.code == ORDER_NOT_FOUND:
        raise BrokerOrderNotFound(f"Motilal has no such order: {exc.reason}") from exc


def kind(row: Mapping[str, Any]) -> str:
    """The Motilal order type word (LIMIT, STOPLOSS, MARKET) of an order row. Order-detail rows may carry a code
    such as "C" in `ordertype` and the order type in `booktype`."""
    for key in ("ordertype", "booktype"):
        word = str(row.get(key) or "").strip().upper()
        if word in ORDER_TYPES_IN:
            return word
    return "LIMIT"


def filled_quantity(row: Mapping[str, Any]) -> int:
    return integer(row.get("qtytradedtoday") or row.get("totalqtytraded"))


def status(row: Mapping[str, Any]) -> tuple[OrderStatus, int, str | None]:
    """(our status, filled quantity, reason) for one order row."""
    word = str(row.get("orderstatus") or "").strip().lower()
    filled = filled_quantity(row)
    if word not in STATUSES:
        log.warning("motilal order %s has a status we do not know, %r; kept live", row.get("uniqueorderid"), word)
    ours = STATUSES.get(word)
    if ours is None:
        return (OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.OPEN), filled, None
    if ours is OrderStatus.FILLED:
        return ours, filled or integer(row.get("orderqty")), None
    if ours is OrderStatus.REJECTED:
        text = str(row.get("error") or "").strip()
        return ours, filled, f"MOTILAL_REJECTED: {text or f'order {word} at Motilal'}"
    return ours, filled, None


def _stage(row: Mapping[str, Any], now: datetime) -> tuple[int, int, datetime]:
    word = str(row.get("orderstatus") or "").strip().lower()
    closed = STATUSES.get(word) in CLOSED_STATUSES
    stage = _CLOSED_STAGE if closed else _STAGE.get(word, 0)
    modified = book_time(row.get("lastmodifiedtime"), now) or datetime.min.replace(tzinfo=UTC)
    return stage, filled_quantity(row), modified


def latest(rows: Sequence[Mapping[str, Any]], *, now: datetime) -> Mapping[str, Any] | None:
    """The latest state among an order's history rows; of equals, the last in the list."""
    if not rows:
        return None
    return max(enumerate(rows), key=lambda item: (_stage(item[1], now), item[0]))[1]


def order(row: Mapping[str, Any], *, now: datetime, note: str | None = None) -> BrokerOrder:
    state, filled, reason = status(row)
    average = price_or_none(row.get("averageprice")) if filled else None
    updated = (
        book_time(row.get("lastmodifiedtime"), now)
        or book_time(row.get("entrydatetime"), now)
        or book_time(row.get("recordinserttime"), now)
        or now
    )
    return BrokerOrder(
        broker_order_id=str(row.get("uniqueorderid") or ""),
        tag=str(row.get("tag") or "").strip(),
        token_id=integer(row.get("symboltoken")),
        side=side(row.get("buyorsell")),
        order_type=order_type(kind(row)),
        trade_type=trade_type(row.get("producttype")),
        quantity=integer(row.get("orderqty")),
        filled_quantity=filled,
        average_price=None if average is None else average.quantize(AVERAGE),
        price=price_or_none(row.get("price")),
        trigger_price=price_or_none(row.get("triggerprice")),
        status=state,
        reason=reason,
        updated_at=updated,
        note=note,
    )


def trade_id(row: Mapping[str, Any]) -> str:
    for key in ("tradeno", "tradeid", "exchangetradeid", "tradenumber"):
        if row.get(key):
            return str(row[key])
    # No trade number in the row: one stable enough to copy each fill once.
    return f"{row.get('uniqueorderid')}:{row.get('tradetime')}:{row.get('tradeqty')}:{row.get('tradeprice')}"


def trade(row: Mapping[str, Any], *, tag: str, now: datetime) -> BrokerTrade:
    return BrokerTrade(
        trade_id=trade_id(row),
        broker_order_id=str(row.get("uniqueorderid") or ""),
        tag=tag,
        token_id=integer(row.get("symboltoken")),
        side=side(row.get("buyorsell")),
        trade_type=trade_type(row.get("producttype")),
        quantity=integer(row.get("tradeqty")),
        price=decimal(row.get("tradeprice")) or Decimal(0),
        ts=timestamp(row.get("tradetime"), now),
    )
