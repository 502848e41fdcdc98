"""Motilal's portfolio answers to ours: position rows (getposition), DP holdings (getdpholding) and the margin
report (getreportmargindetail). Pure functions, no I/O.

  - positions: from actual cost, cf* (carried from earlier days, at their actual buy/sell amount) + day*
    (today's trades); never from buyamount/sellamount, which value the carried part at the previous close.
    Cash-segment DELIVERY rows count today's trades only: the carried shares are holdings.
  - holdings: NSE token `nsesymboltoken`, BSE code `bsescripcode`, quantity `dpquantity`, cost `buyavgprice`.
  - funds (rows by srno): 201 cash balance -> cash, 300 margin used -> margin_used, 102 available for the cash
    segment -> margin_available (a missing 201 or 102 is derived from the other two); per segment, cash
    (102 available, 301 used) and F&O (103 available, 321 used; only when the report has 103).
"""

import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.brokers.base import BrokerFunds, BrokerHolding, BrokerPosition, BrokerUnavailable, SegmentFunds
from app.brokers.motilal.mapping import AVERAGE, CASH_EXCHANGES, MONEY, decimal, integer, price_or_none, trade_type
from app.enums import Segment, TradeType

log = logging.getLogger(__name__)

# getreportmargindetail rows, by srno.
SRNO_AVAILABLE = 102  # Available for Cash / SLBM Segment
SRNO_CASH = 201  # Cash Balance (Cash Margin)
SRNO_MARGIN_USED = 300  # Margin Usage Details (B), the total used
SRNO_CASH_USED = 301  # Equities: margin used in the cash segment
SRNO_FO_AVAILABLE = 103  # Available for FO Segment
SRNO_FO_USED = 321  # FO: margin used in futures & options


def _side_totals(row: Mapping[str, Any], side: str, *, carried: bool) -> tuple[int, Decimal]:
    """(quantity, amount at actual cost) bought or sold: today's trades, plus the carried part when `carried`.

    `buyquantity`/`buyamount` are carried + today's, but value the carried part at the previous close, so they
    are used only for a row without the day/carry-forward split (an older answer)."""
    if f"day{side}quantity" not in row and f"cf{side}quantity" not in row:
        return integer(row.get(f"{side}quantity")), decimal(row.get(f"{side}amount")) or Decimal(0)
    quantity = integer(row.get(f"day{side}quantity"))
    amount = decimal(row.get(f"day{side}amount")) or Decimal(0)
    if carried:
        quantity += integer(row.get(f"cf{side}quantity"))
        amount += decimal(row.get(f"cf{side}amount")) or Decimal(0)
    return quantity, amount


def position(row: Mapping[str, Any]) -> BrokerPosition:
    """A getposition row, from actual cost: what was carried forward (cf*, at its actual buy/sell amount) plus
    today's trades (day*). Net = bought - sold; the average is the actual average of the open side; realised
    P&L = (average sell - average buy) x the quantity closed. Motilal's buyamount/bookedprofitloss value the
    carried part at the previous close, so they would show yesterday's move as today's cost and profit.

    A cash-segment DELIVERY row counts today's trades only: what was carried has settled into the demat account
    and is read from the holdings (getdpholding), so the same shares are never counted twice.
    """
    kind = trade_type(row.get("productname") or row.get("producttype"))
    exchange = str(row.get("exchange") or "").strip().upper()
    carried = not (kind is TradeType.DELIVERY and exchange in CASH_EXCHANGES)
    bought, buy_cost = _side_totals(row, "buy", carried=carried)
    sold, sell_cost = _side_totals(row, "sell", carried=carried)
    net = bought - sold
    average = Decimal(0)
    if net > 0:
        average = buy_cost / bought
    elif net < 0:
        average = sell_cost / sold
    closed = min(bought, sold)
    realised = (sell_cost / sold - buy_cost / bought) * closed if closed else Decimal(0)
    return BrokerPosition(
        token_id=integer(row.get("symboltoken")),
        trade_type=kind,
        net_quantity=net,
        average_price=average.quantize(AVERAGE),
        realised_pnl=realised.quantize(MONEY),
        buy_quantity=bought,
        sell_quantity=sold,
        last_price=price_or_none(row.get("LTP") if "LTP" in row else row.get("ltp")),
    )


def holding(row: Mapping[str, Any]) -> BrokerHolding | None:
    """A getdpholding row: the security's NSE symbol token and BSE scrip code, `dpquantity` (the total held) and
    `buyavgprice`. Motilal sends no last price with holdings. Rows with no quantity or no token are skipped."""
    tokens = {
        exchange: integer(row.get(key))
        for exchange, key in (("NSE", "nsesymboltoken"), ("BSE", "bsescripcode"))
        if row.get(key) not in (None, "") and integer(row.get(key)) > 0
    }
    quantity = integer(row.get("dpquantity"))
    if quantity <= 0:
        return None
    if not tokens:
        log.warning(
            "motilal holding %r (%s) has neither an NSE token nor a BSE code; skipped",
            row.get("scripname"),
            row.get("scripisinno"),
        )
        return None
    return BrokerHolding(
        tokens=tokens,
        quantity=quantity,
        average_price=(decimal(row.get("buyavgprice")) or Decimal(0)).quantize(AVERAGE),
        last_price=None,
        name=str(row.get("scripname") or "").strip(),
    )


def _margin_amounts(margin_rows: list[dict[str, Any]]) -> dict[int, Decimal]:
    """Amount per srno; srno is not unique (507 appears twice), the first row of a number is kept."""
    amounts: dict[int, Decimal] = {}
    for row in margin_rows:
        try:
            srno = int(row.get("srno"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        amount = decimal(row.get("amount"), None)
        if amount is not None:
            amounts.setdefault(srno, amount)
    return amounts


def funds(margin_rows: list[dict[str, Any]]) -> BrokerFunds:
    """getreportmargindetail: cash 201, margin used 300, available 102 (the cash segment's); per segment, cash
    (available 102, used 301) and F&O (available 103, used 321). A missing 201 or 102 is derived from the other."""
    amounts = _margin_amounts(margin_rows)
    used = amounts.get(SRNO_MARGIN_USED, Decimal(0))
    cash = amounts.get(SRNO_CASH)
    available = amounts.get(SRNO_AVAILABLE)
    if cash is None and available is None:
        raise BrokerUnavailable("Motilal's margin report had neither cash (srno 201) nor available (srno 102)")
    if cash is None:
        cash = available + used  # type: ignore[operator]
    if available is None:
        available = cash - used
    segments = [
        SegmentFunds(Segment.CASH, available.quantize(MONEY), amounts.get(SRNO_CASH_USED, used).quantize(MONEY))
    ]
    if SRNO_FO_AVAILABLE in amounts:
        fo_used = amounts.get(SRNO_FO_USED, Decimal(0))
        segments.append(SegmentFunds(Segment.FO, amounts[SRNO_FO_AVAILABLE].quantize(MONEY), fo_used.quantize(MONEY)))
    return BrokerFunds(
        cash=cash.quantize(MONEY),
        margin_used=used.quantize(MONEY),
        margin_available=available.quantize(MONEY),
        segments=tuple(segments),
    )
