"""Motilal's vocabulary to ours and back: exchanges, products, order types, statuses, book rows, prices.

Pure functions, no I/O. The rules (also in README.md):
  - exchanges: NSE, BSE as they are; NFO -> NSEFO, BFO -> BSEFO, CDS -> NSECD, MCX -> MCX.
  - products: cash segment DELIVERY -> DELIVERY, INTRADAY -> VALUEPLUS, MTF -> MTF; derivatives INTRADAY and
    DELIVERY -> NORMAL (MTF is cash only). Back: DELIVERY/BTST/SELLFROMDP -> DELIVERY, VALUEPLUS and NORMAL ->
    INTRADAY, MTF -> MTF (NORMAL maps back to INTRADAY, whose product is NORMAL again, so an exit lands in the
    position it closes).
  - order types: LIMIT -> LIMIT, SL -> STOPLOSS; MARKET and SL-M are refused by Motilal from API channels
    (M01108), so they are sent as a protected LIMIT / STOPLOSS (protected_limit) and the order carries a note.
  - statuses: Confirm / Sent / Open (and anything unknown, which stays live and keeps being reconciled) -> OPEN,
    or PARTIALLY_FILLED once qtytradedtoday > 0; Traded -> FILLED; Cancel -> CANCELLED (keeping what filled);
    Rejected / Error -> REJECTED with Motilal's text.
  - quantities: orders are sent in lots (quantityinlot = quantity / lot size); book rows (orderqty,
    qtytradedtoday, tradeqty, buyquantity...) are read as units.
  - money: book prices are rupees; the LTP report (getltpdata) is in paise and divided by 100.
  - positions, holdings and funds: portfolio.py.
"""

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from app.brokers.base import (
    BrokerOrder,
    BrokerRejected,
    BrokerTrade,
    BrokerUnavailable,
    InstrumentRef,
    Quote,
)
from app.enums import OrderStatus, OrderType, Side, TradeType

log = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
PAISE_PER_RUPEE = Decimal(100)
MONEY = Decimal("0.01")
AVERAGE = Decimal("0.0001")

EXCHANGES = {
    "NSE": "NSE",
    "BSE": "BSE",
    "NFO": "NSEFO",
    "NSEFO": "NSEFO",
    "BFO": "BSEFO",
    "BSEFO": "BSEFO",
    "CDS": "NSECD",
    "NSECD": "NSECD",
    "MCX": "MCX",
}
CASH_EXCHANGES = frozenset({"NSE", "BSE"})

CASH_PRODUCTS = {TradeType.DELIVERY: "DELIVERY", TradeType.INTRADAY: "VALUEPLUS", TradeType.MTF: "MTF"}
DERIVATIVE_PRODUCTS = {TradeType.DELIVERY: "NORMAL", TradeType.INTRADAY: "NORMAL"}
TRADE_TYPES = {
    "DELIVERY": TradeType.DELIVERY,
    "BTST": TradeType.DELIVERY,
    "SELLFROMDP": TradeType.DELIVERY,
    "VALUEPLUS": TradeType.INTRADAY,
    "NORMAL": TradeType.INTRADAY,
    "MTF": TradeType.MTF,
}
ORDER_TYPES_IN = {
    "LIMIT": OrderType.LIMIT,
    "STOPLOSS": OrderType.SL,
    "SL": OrderType.SL,
    "MARKET": OrderType.MARKET,
    "SL-M": OrderType.SL_M,
    "SLM": OrderType.SL_M,
    "STOPLOSS MARKET": OrderType.SL_M,
}
OPEN_WORDS = frozenset({"confirm", "sent", "open", "pending", "modified", "partially traded", "trigger pending"})
FILLED_WORDS = frozenset({"traded", "complete", "completed", "executed", "fully traded"})
CANCELLED_WORDS = frozenset({"cancel", "cancelled", "canceled"})
REJECTED_WORDS = frozenset({"rejected", "error"})


# ---- requests ----------------------------------------------------------------------------------------------


def exchange_for(instrument: InstrumentRef) -> str:
    try:
        return EXCHANGES[instrument.exchange.upper()]
    except KeyError:
        raise BrokerRejected(
            f"UNSUPPORTED_EXCHANGE: Motilal does not trade {instrument.exchange}", code="UNSUPPORTED_EXCHANGE"
        ) from None


def product_for(trade_type: TradeType, exchange: str) -> str:
    products = CASH_PRODUCTS if exchange in CASH_EXCHANGES else DERIVATIVE_PRODUCTS
    try:
        return products[trade_type]
    except KeyError:
        raise BrokerRejected(
            f"UNSUPPORTED_PRODUCT: {trade_type} is not available on {exchange} at Motilal", code="UNSUPPORTED_PRODUCT"
        ) from None


def lots(quantity: int, lot_size: int) -> int:
    lot = max(lot_size, 1)
    if quantity % lot:
        raise BrokerRejected(
            f"INVALID_QUANTITY: {quantity} is not a multiple of the lot size {lot}", code="INVALID_QUANTITY"
        )
    return quantity // lot


def _to_tick(value: Decimal, tick: Decimal, rounding: str) -> Decimal:
    step = tick if tick > 0 else MONEY
    return ((value / step).to_integral_value(rounding=rounding) * step).quantize(step)


def protected_limit(reference: Decimal, side: Side, band_pct: Decimal, tick: Decimal) -> Decimal:
    """The limit that stands in for a market order: `band_pct` beyond the reference price, on the tick.

    The band is a cap (a buy never pays more than reference x (1 + band), a sell never takes less than
    reference x (1 - band)), so the price is rounded to the tick towards the reference; but it is never less than
    one tick through the reference, so the order stays marketable at that price.
    """
    step = tick if tick > 0 else MONEY
    band = reference * band_pct / 100
    if side is Side.BUY:
        capped = _to_tick(reference + band, step, ROUND_FLOOR)
        return max(capped, _to_tick(reference, step, ROUND_CEILING) + step)
    capped = _to_tick(reference - band, step, ROUND_CEILING)
    through = _to_tick(reference, step, ROUND_FLOOR) - step
    return max(min(capped, through), step)


def market_note(side: Side, ltp: Decimal, limit: Decimal, band_pct: Decimal) -> str:
    sign = "+" if side is Side.BUY else "-"
    return (
        f"Motilal takes no MARKET orders from API channels (M01108): sent as a LIMIT at {limit} "
        f"(last price {ltp} {sign} {band_pct.normalize()}% protection). Anything not filled at that price or "
        "better stays open."
    )


def stop_market_note(side: Side, trigger: Decimal, limit: Decimal, band_pct: Decimal) -> str:
    beyond = "above" if side is Side.BUY else "below"
    return (
        f"Motilal takes no SL-M orders from API channels (M01108): sent as a stop-limit (STOPLOSS) with trigger "
        f"{trigger} and limit {limit} ({band_pct.normalize()}% {beyond} the trigger)."
    )


# ---- answers -----------------------------------------------------------------------------------------------


def rows(envelope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The list in an envelope's data; an empty book may come as null."""
    data = envelope.get("data")
    if data is None:
        return []
    if isinstance(data, dict):
        return [data]
    if not isinstance(data, list):
        raise BrokerUnavailable("Motilal's book was not a list")
    return [row for row in data if isinstance(row, dict)]


def unique_order_id(envelope: Mapping[str, Any]) -> str | None:
    data = envelope.get("data")
    value = envelope.get("uniqueorderid") or (data.get("uniqueorderid") if isinstance(data, dict) else None)
    return str(value) if value else None


def decimal(value: Any, default: Decimal | None = Decimal(0)) -> Decimal | None:
    """A number from Motilal's JSON (often a float), as a Decimal with at least two places: 1414.0 -> 1414.00."""
    if value is None or value == "":
        return default
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise BrokerUnavailable(f"Motilal sent {value!r} where a number belongs") from None
    if not number.is_finite():
        raise BrokerUnavailable(f"Motilal sent {value!r} where a number belongs")
    exponent = number.as_tuple().exponent
    return number.quantize(MONEY) if isinstance(exponent, int) and exponent > -2 else number


def integer(value: Any) -> int:
    number = decimal(value)
    assert number is not None
    return int(number)


def price_or_none(value: Any) -> Decimal | None:
    number = decimal(value, None)
    return number if number else None


def timestamp(value: Any, default: datetime) -> datetime:
    """Motilal's times are Asia/Kolkata wall-clock text, e.g. 15-Mar-2024 10:15:30."""
    if not isinstance(value, str) or not value.strip():
        return default
    text = value.strip()
    for pattern in ("%d-%b-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=IST).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return default
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)).astimezone(UTC)


def side(value: Any) -> Side:
    return Side.SELL if str(value or "").strip().upper().startswith("S") else Side.BUY


def trade_type(product: Any) -> TradeType:
    return TRADE_TYPES.get(str(product or "").strip().upper(), TradeType.INTRADAY)


def order_type(value: Any) -> OrderType:
    return ORDER_TYPES_IN.get(str(value or "").strip().upper(), OrderType.LIMIT)


def status(row: Mapping[str, Any]) -> tuple[OrderStatus, int, str | None]:
    """(our status, filled quantity, reason) for one order-book row."""
    word = str(row.get("orderstatus") or "").strip().lower()
    quantity = integer(row.get("orderqty"))
    filled = integer(row.get("qtytradedtoday") or row.get("totalqtytraded"))
    if word in FILLED_WORDS:
        return OrderStatus.FILLED, filled or quantity, None
    if word in CANCELLED_WORDS:
        return OrderStatus.CANCELLED, filled, None
    if word in REJECTED_WORDS:
        text = str(row.get("error") or row.get("rejectionreason") or row.get("message") or "").strip()
        return OrderStatus.REJECTED, filled, f"MOTILAL_REJECTED: {text or f'order {word} at Motilal'}"
    if word not in OPEN_WORDS:
        log.warning("motilal order %s has an unknown status %r; kept open", row.get("uniqueorderid"), word)
    return (OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.OPEN), filled, None


def order(row: Mapping[str, Any], *, now: datetime, note: str | None = None) -> BrokerOrder:
    state, filled, reason = status(row)
    average = price_or_none(row.get("averageprice")) if filled else None
    return BrokerOrder(
        broker_order_id=str(row.get("uniqueorderid") or ""),
        tag=str(row.get("tag") or ""),
        token_id=integer(row.get("symboltoken")),
        side=side(row.get("buyorsell")),
        order_type=order_type(row.get("ordertype")),
        trade_type=trade_type(row.get("producttype")),
        quantity=integer(row.get("orderqty")),
        filled_quantity=filled,
        average_price=None if average is None else average.quantize(AVERAGE),
        price=price_or_none(row.get("price")),
        trigger_price=price_or_none(row.get("triggerprice")),
        status=state,
        reason=reason,
        updated_at=timestamp(row.get("lastmodifiedtime"), now),
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


def rupees(paise: Any) -> Decimal:
    value = decimal(paise)
    assert value is not None
    return (value / PAISE_PER_RUPEE).quantize(MONEY)


def quote(token_id: int, data: Mapping[str, Any], *, now: datetime) -> Quote:
    """getltpdata's data: prices in paise; close (the previous close) when Motilal sends it, else the LTP."""
    ltp = rupees(data.get("ltp"))
    if ltp <= 0:
        raise BrokerUnavailable(f"Motilal has no last price for {token_id}")
    return Quote(
        token_id=token_id,
        ltp=ltp,
        open=rupees(data.get("open") or data.get("ltp")),
        high=rupees(data.get("high") or data.get("ltp")),
        low=rupees(data.get("low") or data.get("ltp")),
        prev_close=rupees(data.get("close") or data.get("prevclose") or data.get("ltp")),
        volume=integer(data.get("volume")),
        ts=now,
    )
