"""Motilal's vocabulary to ours and back: exchanges, products, order types, book rows, prices.

Pure functions, no I/O. Order and trade rows (statuses, times) are in order_rows.py. The rules (also in README.md):
  - exchanges: NSE, BSE as they are; NFO -> NSEFO, BFO -> BSEFO, CDS -> NSECD, MCX -> MCX.
  - products: one table (PRODUCTS) for both directions. VALUEPLUS is intraday (Motilal's MIS); DELIVERY (cash)
    and NORMAL (Motilal's carry-forward, NRML, for derivatives) are our DELIVERY; MTF is MTF (cash only). BTST
    and SELLFROMDP are never sent and read back as DELIVERY. NORMAL never reads back as INTRADAY: it is held
    overnight.
  - order types: LIMIT -> LIMIT, SL -> STOPLOSS; MARKET and SL-M are refused by Motilal from API channels
    (M01108), so they are sent as a protected LIMIT / STOPLOSS (protected_limit) and the order carries a note.
  - quantities: orders are sent in lots (quantityinlot = quantity / lot size); book rows (orderqty,
    qtytradedtoday, tradeqty, buyquantity...) are read as units.
  - money: book prices are rupees; the LTP report (getltpdata) is in paise and divided by 100.
  - positions, holdings and funds: portfolio.py.
"""

import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from app.brokers.base import (
    BrokerRejected,
    BrokerUnavailable,
    InstrumentRef,
    Quote,
)
from app.enums import OrderType, Side, TradeType

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

CASH, DERIVATIVES = "cash", "derivatives"  # NSE / BSE, and every other exchange
# Motilal product, our trade type, the segments we send it for (none: only ever read back). Both directions.
PRODUCTS: tuple[tuple[str, TradeType, frozenset[str]], ...] = (
    ("VALUEPLUS", TradeType.INTRADAY, frozenset({CASH, DERIVATIVES})),  # intraday, squared off by the day's end
    ("DELIVERY", TradeType.DELIVERY, frozenset({CASH})),
    ("NORMAL", TradeType.DELIVERY, frozenset({DERIVATIVES})),  # carry-forward (NRML): held overnight
    ("MTF", TradeType.MTF, frozenset({CASH})),
    ("BTST", TradeType.DELIVERY, frozenset()),  # bought yesterday, sold today: delivery shares
    ("SELLFROMDP", TradeType.DELIVERY, frozenset()),  # a sale of demat holdings
)
PRODUCT_FOR = {(kind, segment): name for name, kind, segments in PRODUCTS for segment in segments}
TRADE_TYPES = {name: kind for name, kind, _ in PRODUCTS}
ORDER_TYPES_IN = {
    "LIMIT": OrderType.LIMIT,
    "STOPLOSS": OrderType.SL,
    "SL": OrderType.SL,
    "MARKET": OrderType.MARKET,
    "SL-M": OrderType.SL_M,
    "SLM": OrderType.SL_M,
    "STOPLOSS MARKET": OrderType.SL_M,
}


# ---- requests ----------------------------------------------------------------------------------------------


def exchange_for(instrument: InstrumentRef) -> str:
    try:
        return EXCHANGES[instrument.exchange.upper()]
    except KeyError:
        raise BrokerRejected(
            f"UNSUPPORTED_EXCHANGE: Motilal does not trade {instrument.exchange}", code="UNSUPPORTED_EXCHANGE"
        ) from None


def product_for(trade_type: TradeType, exchange: str) -> str:
    segment = CASH if exchange in CASH_EXCHANGES else DERIVATIVES
    try:
        return PRODUCT_FOR[(trade_type, segment)]
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


def side(value: Any) -> Side:
    return Side.SELL if str(value or "").strip().upper().startswith("S") else Side.BUY


def trade_type(product: Any) -> TradeType:
    """Our trade type for a product as Motilal writes it in any case ("NORMAL", "Normal"). A product we do not know
    is logged and read as DELIVERY, never INTRADAY: nothing held overnight is ever taken for intraday."""
    name = str(product or "").strip().upper()
    known = TRADE_TYPES.get(name)
    if known is None:
        log.warning("motilal product %r is not one we know; read as DELIVERY", product)
        return TradeType.DELIVERY
    return known


def order_type(value: Any) -> OrderType:
    return ORDER_TYPES_IN.get(str(value or "").strip().upper(), OrderType.LIMIT)


def rupees(paise: Any) -> Decimal:
    value = decimal(paise)
    assert value is not None
    return (value / PAISE_PER_RUPEE).quantize(MONEY)


def best_bid_ask(bid: Decimal | None, ask: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """The touch as shown: a side with no order (0) is None, and a crossed pair (a stale side) is dropped whole
    rather than shown as a market where the bid is above the ask."""
    bid = bid if bid is not None and bid > 0 else None
    ask = ask if ask is not None and ask > 0 else None
    if bid is not None and ask is not None and bid >= ask:
        return None, None
    return bid, ask


def quote(token_id: int, data: Mapping[str, Any], *, now: datetime) -> Quote:
    """getltpdata's data: prices in paise; close (the previous close) when Motilal sends it, else the LTP; `bid` and
    `ask` (the best of each side, 0 when that side is empty) when it sends them."""
    ltp = rupees(data.get("ltp"))
    if ltp <= 0:
        raise BrokerUnavailable(f"Motilal has no last price for {token_id}")
    bid, ask = best_bid_ask(*(rupees(data[key]) if data.get(key) else None for key in ("bid", "ask")))
    return Quote(
        token_id=token_id,
        ltp=ltp,
        open=rupees(data.get("open") or data.get("ltp")),
        high=rupees(data.get("high") or data.get("ltp")),
        low=rupees(data.get("low") or data.get("ltp")),
        prev_close=rupees(data.get("close") or data.get("prevclose") or data.get("ltp")),
        volume=integer(data.get("volume")),
        ts=now,
        bid=bid,
        ask=ask,
    )
