"""The fake Motilal's books and reports: order and trade books, positions, DP holdings, LTP in paise, margin."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.fakes.motilal.model import BOOK_TIME, MARGIN_SHARE, OPEN, FakeOrder, envelope, error


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
        order_id = str(body.get("uniqueorderid") or "").strip()
        if not order_id:
            return error("MO1070", "Please Provide UniqueOrderId In Input Parameter")
        order = self.books[userid].orders.get(order_id)
        if order is None:
            return error("MO1013", "Order Not Found")
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
        rows = []
        for p in self.books[userid].positions.values():
            ltp = self.ltp.get(p.token, Decimal(0))
            average = p.buy_amount / p.bought if p.net > 0 else p.sell_amount / p.sold if p.net < 0 else Decimal(0)
            rows.append(
                {
                    "symboltoken": p.token,
                    "exchange": p.exchange,
                    "productname": p.product,
                    "buyquantity": p.bought,
                    "sellquantity": p.sold,
                    "buyamount": float(p.buy_amount),
                    "sellamount": float(p.sell_amount),
                    "LTP": float(ltp),
                    "marktomarket": float(((ltp - average) * p.net).quantize(Decimal("0.01"))),
                    "bookedprofitloss": float(p.booked.quantize(Decimal("0.01"))),
                }
            )
        return rows

    def _positions(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        return envelope(message="Positions", data=self._position_rows(userid) or None)

    def _holdings(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        rows = [
            {
                "scripname": str(token),
                "nsesymboltoken": token,
                "dpquantity": quantity,
                "buyavgprice": float(average),
            }
            for token, (quantity, average) in self.users[userid].holdings.items()
        ]
        return envelope(message="DP holdings", data=rows or None)

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
        book = self.books[userid]
        used = sum((self._order_margin(o) for o in book.orders.values() if o.status in OPEN), Decimal(0))
        for p in book.positions.values():
            if p.net == 0 or (p.net < 0 and p.product in ("DELIVERY", "MTF")):
                continue
            average = p.buy_amount / p.bought if p.net > 0 else p.sell_amount / p.sold
            used += abs(p.net) * average * MARGIN_SHARE.get(p.product, Decimal(1))
        return used.quantize(Decimal("0.01"))

    def _margin(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        cash, used = self._cash(userid), self._margin_used(userid)
        rows = [
            {"srno": 100, "particulars": "Margin Summary", "amount": 0},
            {"srno": 102, "particulars": "Available for Cash / SLBM Segment", "amount": float(cash - used)},
            {"srno": 201, "particulars": "Cash Balance (Cash Margin)", "amount": float(cash)},
            {"srno": 220, "particulars": "Non-Cash Balance (Non-Cash Margin)", "amount": 0},
            {"srno": 300, "particulars": "Margin Usage Details (B)", "amount": float(used)},
        ]
        return envelope(message="Margin detail", data=rows)
