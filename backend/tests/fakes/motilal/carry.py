"""The fake Motilal's days: positions carried forward from yesterday, demat holdings, and the move to a new day.

Controls (Python; over HTTP as POST /_fake/carry, /_fake/holding, /_fake/next-day with the same fields):
  carry_position(userid, token, quantity, average, previous_close, product=, exchange=)
      a position carried from earlier days (negative quantity = short) at its actual average cost, valued at
      yesterday's close in buyamount/sellamount as Motilal does; today's trades in the token add to it;
  add_holding(userid, isin=, name=, quantity=, average=, nse_token=, bse_code=)
      shares in the demat account (getdpholding);
  next_day()
      the next trading day: today's DELIVERY buys settle into holdings at their average cost (T+1) and
      DELIVERY sells leave them; other open positions are carried at their actual cost with today's price as
      the previous close; realised P&L goes to cash; the order and trade books start empty.
"""

from decimal import Decimal
from typing import Any

from tests.fakes.motilal.model import Book, FakeHolding, FakePosition

CASH_EXCHANGES = ("NSE", "BSE")


class Carry:
    """Day-to-day state, mixed into FakeMotilal (which holds users, books and prices)."""

    def carry_position(
        self,
        userid: str,
        token: int,
        quantity: int,
        average: Decimal | str,
        previous_close: Decimal | str,
        *,
        product: str = "NORMAL",
        exchange: str = "NSE",
    ) -> FakePosition:
        position = self.books[userid].positions.setdefault((token, product), FakePosition(token, exchange, product))
        cost = Decimal(str(average)) * abs(quantity)
        if quantity > 0:
            position.cf_bought += quantity
            position.cf_buy_amount += cost
        else:
            position.cf_sold -= quantity
            position.cf_sell_amount += cost
        position.previous_close = Decimal(str(previous_close))
        return position

    def add_holding(
        self,
        userid: str,
        *,
        isin: str,
        name: str,
        quantity: int,
        average: Decimal | str,
        nse_token: int = 0,
        bse_code: int = 0,
    ) -> FakeHolding:
        holding = FakeHolding(isin, name, nse_token, bse_code, quantity, Decimal(str(average)))
        self.users[userid].holdings[isin] = holding
        return holding

    def next_day(self) -> None:
        for userid, book in self.books.items():
            user = self.users[userid]
            user.cash += sum((p.booked for p in book.positions.values()), Decimal(0))
            carried: dict[tuple[int, str], FakePosition] = {}
            for (token, product), p in book.positions.items():
                if product == "DELIVERY" and p.exchange in CASH_EXCHANGES:
                    self._settle(userid, p)
                elif p.net:
                    cost = p.average * abs(p.net)
                    carried[(token, product)] = FakePosition(
                        token,
                        p.exchange,
                        product,
                        cf_bought=max(p.net, 0),
                        cf_sold=max(-p.net, 0),
                        cf_buy_amount=cost if p.net > 0 else Decimal(0),
                        cf_sell_amount=cost if p.net < 0 else Decimal(0),
                        previous_close=self.ltp.get(token, p.average),
                    )
            self.books[userid] = Book(positions=carried)

    def _settle(self, userid: str, p: FakePosition) -> None:
        """Today's DELIVERY trades in the demat account: buys at their average cost, sells out of the holding."""
        if not p.net:
            return
        holdings = self.users[userid].holdings
        field = "nse_token" if p.exchange == "NSE" else "bse_code"
        holding = next((h for h in holdings.values() if getattr(h, field) == p.token), None)
        if holding is None:
            holding = FakeHolding(f"INFAKE{p.token:06d}", f"{p.token} EQ", 0, 0, 0, Decimal(0))
            setattr(holding, field, p.token)
            holdings[holding.isin] = holding
        if p.net > 0:
            total = holding.quantity + p.net
            holding.average = (holding.average * holding.quantity + p.average * p.net) / total
            holding.quantity = total
        else:
            holding.quantity = max(holding.quantity + p.net, 0)

    def _carry_control(self, action: str, body: dict[str, Any]) -> bool:
        """The HTTP controls of this module; False if `action` is not one of them."""
        if action == "carry":
            self.carry_position(
                body["userid"],
                int(body["token"]),
                int(body["quantity"]),
                body["average"],
                body["previous_close"],
                product=body.get("product", "NORMAL"),
                exchange=body.get("exchange", "NSE"),
            )
        elif action == "holding":
            self.add_holding(
                body["userid"],
                isin=body["isin"],
                name=body["name"],
                quantity=int(body["quantity"]),
                average=body["average"],
                nse_token=int(body.get("nse_token", 0)),
                bse_code=int(body.get("bse_code", 0)),
            )
        elif action == "next-day":
            self.next_day()
        else:
            return False
        return True
