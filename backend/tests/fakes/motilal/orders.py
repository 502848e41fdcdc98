"""The fake Motilal's orders: placement (Motilal's checks and its refusal of MARKET from API), modify and cancel
with Motilal's refusals (MO1013 unknown order, MO1065-MO1069 not open, MO1089 lastmodifiedtime, MO1090
qtytradedtoday), and matching against the fake's last prices (Confirm -> Partial -> Traded)."""

from datetime import datetime
from typing import Any

from tests.fakes.motilal.model import (
    BOOK_TIME,
    EXCHANGES,
    IST,
    NOT_OPEN,
    OPEN,
    PRODUCTS,
    Book,
    FakeOrder,
    FakePosition,
    InvalidInput,
    decimal_of,
    envelope,
    error,
    later,
)


class Orders:
    """Order handling, mixed into FakeMotilal (which holds books, prices, liquidity and the id counters)."""

    def _place(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        ordertype = str(body.get("ordertype", "")).upper()
        price = decimal_of(body.get("price", 0))
        trigger = decimal_of(body.get("triggerprice", 0))
        if ordertype in ("MARKET", "SL-M", "SLM") or (ordertype == "STOPLOSS" and price <= 0):
            return error("M01108", "MARKET and SL-M orders are not allowed from API; send a LIMIT or STOPLOSS order")
        if ordertype not in ("LIMIT", "STOPLOSS"):
            raise InvalidInput("MO1050", f"Invalid Input Parameter: ordertype {ordertype}")
        exchange = str(body.get("exchange", ""))
        if exchange not in EXCHANGES:
            raise InvalidInput("MO1051", "Invalid Exchange Input Parameter")
        token = body.get("symboltoken")
        if not isinstance(token, int):
            raise InvalidInput("MO1058", "Invalid Scrip Code Input Parameter")
        side = str(body.get("buyorsell", "")).upper()
        if side not in ("BUY", "SELL"):
            raise InvalidInput("MO1052", "Invalid BuySell Input Parameter")
        product = str(body.get("producttype", "")).upper()  # Motilal's own samples send "Normal"
        if product not in PRODUCTS:
            raise InvalidInput("MO1057", "Invalid Product Type Parameter")
        if body.get("orderduration") != "DAY":
            raise InvalidInput("MO1054", "Invalid Order Duration Parameter")
        if body.get("amoorder") not in ("Y", "N"):
            raise InvalidInput("MO1061", "Invalid AMO Order Input Parameter")
        lots = body.get("quantityinlot")
        if not isinstance(lots, int) or lots <= 0:
            raise InvalidInput("MO1055", "Invalid Quantity Parameter")
        tag = str(body.get("tag") or "")
        if len(tag) > 10:
            raise InvalidInput("MO1080", "Invalid Input Tag Field Length")
        if price <= 0:
            raise InvalidInput("MO1083", "Invalid Input OrderType Price Combination")
        if ordertype == "STOPLOSS" and trigger <= 0:
            raise InvalidInput("MO1075", "Trigger Price Is Required")
        lot_size = self.lot_sizes.get(token, 1)
        order = FakeOrder(
            uniqueorderid=f"FK{next(self._ids):010d}",
            userid=userid,
            tag=tag,
            exchange=exchange,
            token=token,
            side=side,
            ordertype=ordertype,
            producttype=product,
            price=price,
            trigger=trigger,
            quantity=lots * lot_size,
            lot_size=lot_size,
        )
        book = self.books[userid]
        required = self._order_margin(order)
        available = self._cash(userid) - self._margin_used(userid)
        book.orders[order.uniqueorderid] = order
        sellable = self._sellable(userid, order)
        if required > available:
            order.status = "Rejected"
            order.error = f"RMS:Margin Exceeds, Required:{required:.2f}, Available:{available:.2f}"
        elif sellable is not None and order.quantity > sellable:
            order.status = "Rejected"
            order.error = f"RMS:Insufficient holding quantity, Required:{order.quantity}, Available:{sellable}"
        else:
            order.entered_at = order.inserted_at
            self._match(book, order)
        return envelope(
            message="Order placement request sent successfully",
            uniqueorderid=order.uniqueorderid,
            data={"uniqueorderid": order.uniqueorderid},
        )

    def _sellable(self, userid: str, order: FakeOrder) -> int | None:
        """For a cash-segment DELIVERY sell, the shares it may sell: the demat holding plus today's DELIVERY net,
        less what working DELIVERY sells already cover (Motilal's RMS refuses a delivery sell of shares not held);
        None for any other order."""
        if (
            order.side != "SELL"
            or order.producttype not in ("DELIVERY", "SELLFROMDP")
            or order.exchange not in ("NSE", "BSE")
        ):
            return None
        field = "nse_token" if order.exchange == "NSE" else "bse_code"
        held = sum(h.quantity for h in self.users[userid].holdings.values() if getattr(h, field) == order.token)
        book = self.books[userid]
        today = sum(
            p.net for (token, product), p in book.positions.items() if token == order.token and product == "DELIVERY"
        )
        working = sum(
            o.remaining
            for o in book.orders.values()
            if o is not order
            and o.status in OPEN
            and o.side == "SELL"
            and o.token == order.token
            and o.producttype in ("DELIVERY", "SELLFROMDP")
        )
        return max(held + today - working, 0)

    def _lookup(self, userid: str, body: dict[str, Any]) -> FakeOrder | dict[str, Any]:
        """The order the body's uniqueorderid names, or Motilal's error for a missing or unknown id."""
        order_id = str(body.get("uniqueorderid") or "").strip()
        if not order_id:
            return error("MO1070", "Please Provide UniqueOrderId In Input Parameter")
        order = self.books[userid].orders.get(order_id)
        if order is None:
            return error("MO1013", "Order Not Found")
        return order

    def _find(self, userid: str, body: dict[str, Any]) -> FakeOrder | dict[str, Any]:
        order = self._lookup(userid, body)
        if isinstance(order, dict):
            return order
        if order.status not in OPEN:
            return error(*NOT_OPEN.get(order.status, ("MO1065", "Order Status Is Uknown")))
        return order

    def _modify(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        order = self._find(userid, body)
        if isinstance(order, dict):
            return order
        # Before the first modification the book shows lastmodifiedtime "0", and Motilal refuses "0" (and any
        # time but the one it holds) with MO1089; the entry time is what it takes then.
        if body.get("lastmodifiedtime") not in order.modify_stamp:
            return error("MO1089", "Invalid Input ModifyOrder LastModifiedTimeStr")
        if body.get("qtytradedtoday") != order.filled:
            return error("MO1090", "Invalid Input ModifyOrder QtyTradedToday")
        ordertype = str(body.get("newordertype", "")).upper()
        price = decimal_of(body.get("newprice", 0))
        if ordertype in ("MARKET", "SL-M") or (ordertype == "STOPLOSS" and price <= 0):
            return error("M01108", "MARKET and SL-M orders are not allowed from API; send a LIMIT or STOPLOSS order")
        if ordertype not in ("LIMIT", "STOPLOSS"):
            return error("MO1050", "Invalid Input Parameter")
        lots = body.get("newquantityinlot")
        if not isinstance(lots, int) or lots * order.lot_size <= order.filled:
            return error("MO1055", "Invalid Quantity Parameter")
        order.snapshot()
        order.ordertype = ordertype
        order.price = price
        order.trigger = decimal_of(body.get("newtriggerprice", 0))
        order.quantity = lots * order.lot_size
        order.modified_at = later(order.modified_at, order.entered_at)
        self._match(self.books[userid], order)
        return envelope(message="Modify Order Request Sent Successfully")

    def _cancel(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        order = self._find(userid, body)
        if isinstance(order, dict):
            return order
        order.snapshot()
        order.status = "Cancel"
        order.modified_at = later(order.modified_at, order.entered_at)
        return envelope(message="Cancel Order Request Sent")

    def _match(self, book: Book, order: FakeOrder) -> None:
        ltp = self.ltp.get(order.token)
        if ltp is None or order.status not in OPEN:
            return
        buy = order.side == "BUY"
        if order.ordertype == "STOPLOSS" and not order.triggered:
            order.triggered = ltp >= order.trigger if buy else ltp <= order.trigger
            if not order.triggered:
                return
        if (buy and ltp > order.price) or (not buy and ltp < order.price):
            return
        quantity = min(order.remaining, self.liquidity.get(order.token, order.remaining))
        if quantity <= 0:
            return
        order.snapshot()
        order.filled += quantity
        order.fill_value += ltp * quantity
        order.status = "Traded" if order.remaining == 0 else "Partial"
        book.trades.append(
            {
                "clientid": order.userid,
                "exchange": order.exchange,
                "symboltoken": str(order.token),  # a string in Motilal's trade rows, a number in its order rows
                "producttype": order.producttype,
                "series": "EQ",
                "strikeprice": -1,
                "optiontype": "XX",
                "expirydate": "0",
                "lotsize": order.lot_size,
                "tradeprice": float(ltp),
                "tradeqty": quantity,
                "tradevalue": float(ltp * quantity),
                "buyorsell": order.side.title(),
                "orderid": order.uniqueorderid[-7:],
                "tradeno": f"FT{next(self._trade_ids):010d}",
                "tradetime": datetime.now(IST).strftime(BOOK_TIME),
                "uniqueorderid": order.uniqueorderid,
            }
        )
        position = book.positions.setdefault(
            (order.token, order.producttype), FakePosition(order.token, order.exchange, order.producttype)
        )
        if buy:
            position.bought += quantity
            position.buy_amount += ltp * quantity
        else:
            position.sold += quantity
            position.sell_amount += ltp * quantity
