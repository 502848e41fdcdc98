"""The fake Motilal's books and reports: order and trade books, positions, DP holdings, LTP in paise, margin."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.fakes.motilal.model import (
    BOOK_TIME,
    MARGIN_SHARE,
    OPEN,
    FakeHolding,
    FakeOrder,
    FakePosition,
    envelope,
    error,
)


class Reports:
    """Reads, mixed into FakeMotilal (which holds users, books and prices)."""

    def _order_book(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        rows = [o.row() for o in self.books[userid].orders.values()]
        # An empty book comes back as null data, as Motilal sends it.
        return envelope(message="Order Data", data=rows or None)

    def _trade_rows(self, userid: str, order_id: str | None = None) -> list[dict[str, Any]]:
        """Trade rows, their tradetime written in `trade_time_format` (Motilal's documented trade book writes the
        date alone, dd/mm/yyyy; its trade feed writes dd-MMM-yyyy HH:mm:ss)."""
        rows = []
        for trade in self.books[userid].trades:
            if order_id is None or trade["uniqueorderid"] == order_id:
                at = datetime.strptime(trade["tradetime"], BOOK_TIME)
                rows.append({**trade, "tradetime": at.strftime(self.trade_time_format)})
        return rows

    def _trade_book(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        return envelope(message="Trade Data", data=self._trade_rows(userid) or None)

    def _order_detail(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        """getorderdetailbyuniqueorderid: the order's states, oldest first, the current one last."""
        order = self._lookup(userid, body)
        if isinstance(order, dict):
            return order
        return envelope(message="Order Data", data=[*order.history, order.detail_row()])

    def _trade_detail(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        """gettradedetailbyuniqueorderid: the order's fills; none is MO1014 "TradeNot Found"."""
        order_id = str(body.get("uniqueorderid") or "").strip()
        if not order_id:
            return error("MO1070", "Please Provide UniqueOrderId In Input Parameter")
        rows = self._trade_rows(userid, order_id)
        if not rows:
            return error("MO1014", "TradeNot Found")
        return envelope(message="Trade Data", data=rows)

    def _position_rows(self, userid: str) -> list[dict[str, Any]]:
        return [
            position_row(userid, p, self.ltp.get(p.token, Decimal(0))) for p in self.books[userid].positions.values()
        ]

    def _positions(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        return envelope(message="Position Data", data=self._position_rows(userid) or None)

    def _holdings(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        rows = [holding_row(userid, h) for h in self.users[userid].holdings.values() if h.quantity]
        return envelope(message="DP Holding Data", data=rows or None)

    def _ltp(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        token = body.get("scripcode")
        price = self.ltp.get(token) if isinstance(token, int) else None
        if price is None:
            return error("MO3001", f"Scrip {token} not found")
        paise = int((price * 100).to_integral_value(rounding=ROUND_HALF_UP))
        return envelope(
            message="LTP",
            data={
                "exchange": body.get("exchange"),
                "scripcode": token,
                "ltp": paise,
                "bid": paise - 5,
                "ask": paise + 5,
                "open": paise,
                "high": paise,
                "low": paise,
                "close": paise,
                "volume": 1000,
            },
        )

    def _cash(self, userid: str) -> Decimal:
        booked = sum((p.booked for p in self.books[userid].positions.values()), Decimal(0))
        return (self.users[userid].cash + booked).quantize(Decimal("0.01"))

    def _order_margin(self, order: FakeOrder) -> Decimal:
        if order.side == "SELL" and order.producttype in ("DELIVERY", "MTF", "SELLFROMDP", "BTST"):
            return Decimal(0)  # selling what the user holds needs no margin in the fake
        share = MARGIN_SHARE.get(order.producttype, Decimal(1))
        return order.price * order.remaining * share

    def _margin_used(self, userid: str) -> Decimal:
        return sum(self._segment_margin_used(userid).values(), Decimal(0))

    def _segment_margin_used(self, userid: str) -> dict[str, Decimal]:
        """Margin in use per segment ("CASH", "FO"): open orders' blocks and open positions' values."""
        book = self.books[userid]
        used = {"CASH": Decimal(0), "FO": Decimal(0)}
        for o in book.orders.values():
            if o.status in OPEN:
                used[segment_of(o.exchange)] += self._order_margin(o)
        for p in book.positions.values():
            if p.net == 0 or (p.net < 0 and p.product in ("DELIVERY", "MTF")):
                continue
            used[segment_of(p.exchange)] += abs(p.net) * p.average * MARGIN_SHARE.get(p.product, Decimal(1))
        return {segment: amount.quantize(Decimal("0.01")) for segment, amount in used.items()}

    def _margin(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        """getreportmargindetail's rows (srno, particulars, amount), the ones the adapter reads among others.

        One cash pool serves both segments, as at Motilal: each segment's available is cash less all margin used.
        """
        cash, used = self._cash(userid), self._segment_margin_used(userid)
        total_used = used["CASH"] + used["FO"]
        available = cash - total_used
        rows = [
            (100, "Total Available Margin(A-B-C-D)", available),
            (101, "Credit Limit", Decimal(0)),
            (102, "Available for Cash / SLBM Segment", available),
            (103, "Available for FO Segment", available),
            (104, "Available for Currency Segment", available),
            (105, "Available for Commodity Segment", Decimal(0)),
            (200, "Total Margin (A)", cash),
            (201, "Cash Balance(Cash Margin)", cash),
            (220, "Non-Cash Balance(Non-Cash Margin)", Decimal(0)),
            (300, "Margin Usage Details (B)", total_used),
            (301, "Equities", used["CASH"]),
            (302, "Margin on orders/Trades", used["CASH"]),
            (321, "FO", used["FO"]),
            (322, "Add: FO Span Margin on Order/Trade and Premium Paid", used["FO"]),
            (507, "Add: Scrip Capital Cash", Decimal(0)),
            (507, "Stock Capital Cash", Decimal(0)),
            (600, "Total Profit and Loss(MTM)", Decimal(0)),
        ]
        data = [{"srno": srno, "particulars": text, "amount": float(amount)} for srno, text, amount in rows]
        return envelope(message="REPORT MARGIN DETAIL", data=data)


def segment_of(exchange: str) -> str:
    return "CASH" if exchange in ("NSE", "BSE") else "FO"


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def position_row(userid: str, p: FakePosition, ltp: Decimal) -> dict[str, Any]:
    """A getposition row with Motilal's fields (KB/22): the carried part of buy/sell amount at the previous close,
    the cf amounts at actual cost; marktomarket/bookedprofitloss on those previous-close values, the actual* pair
    on actual cost."""
    buy_quantity, sell_quantity = p.cf_bought + p.bought, p.cf_sold + p.sold
    buy_amount = p.cf_bought * p.previous_close + p.buy_amount
    sell_amount = p.cf_sold * p.previous_close + p.sell_amount
    booked = Decimal(0)
    closed = min(buy_quantity, sell_quantity)
    if closed:
        booked = (sell_amount / sell_quantity - buy_amount / buy_quantity) * closed
    open_average = buy_amount / buy_quantity if p.net > 0 else sell_amount / sell_quantity if p.net < 0 else Decimal(0)
    return {
        "exchange": p.exchange,
        "clientcode": userid,
        "productname": p.product,
        "symboltoken": p.token,
        "symbol": str(p.token),
        "series": "EQ" if p.exchange in ("NSE", "BSE") else "XX",
        "expirydate": "0",
        "strikeprice": 0,
        "optiontype": "XX",
        "buyquantity": buy_quantity,
        "buyamount": _money(buy_amount),
        "sellquantity": sell_quantity,
        "sellamount": _money(sell_amount),
        "daybuyquantity": p.bought,
        "daybuyamount": _money(p.buy_amount),
        "daysellquantity": p.sold,
        "daysellamount": _money(p.sell_amount),
        "cfbuyquantity": p.cf_bought,
        "cfbuyamount": _money(p.cf_buy_amount),
        "cfsellquantity": p.cf_sold,
        "cfsellamount": _money(p.cf_sell_amount),
        "LTP": float(ltp),
        "marktomarket": _money((ltp - open_average) * p.net),
        "bookedprofitloss": _money(booked),
        "actualmarktomarket": _money((ltp - p.average) * p.net),
        "actualbookedprofitloss": _money(p.booked),
    }


def holding_row(userid: str, h: FakeHolding) -> dict[str, Any]:
    """A getdpholding row with Motilal's fields (KB/21); quantities other than dpquantity are not modelled."""
    return {
        "clientcode": userid,
        "scripisinno": h.isin,
        "scripname": h.name,
        "dpquantity": h.quantity,
        "blockedquantity": 0,
        "buyavgprice": float(h.average),
        "poaquantity": h.quantity,
        "collateralquantity": 0,
        "outstandingquantity": 0,
        "debitstockquantity": 0,
        "nonpoaquantity": 0,
        "rmssellingquantity": 0,
        "btstquantity": 0,
        "buybackquantity": 0,
        "tpinquantity": 0,
        "slbmquantity": 0,
        "nbfcquantity": 0,
        "bsescripcode": h.bse_code,
        "nsesymboltoken": h.nse_token,
    }
