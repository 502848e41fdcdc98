"""One simulated broker account: its cash, order book, trade book and positions.

Cash is the account's ledger balance: opening cash plus every entry of its cash ledger: deposits and withdrawals,
realised P&L as each fill realises it, the charges of each fill (the adapter works them out from
app/brokers/charges.py, the table the preview uses; the journal keeps each fill's figure, so a later change of
rates rewrites no history), and what settlement moved (holdings.py: a DELIVERY buy is paid for when it becomes a
holding, at T+1). Buying does not debit cash the same day; the money a position ties up is reported as margin used
instead (see margin.py), which is how a broker's funds screen shows the day's trading.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from app.brokers.base import BrokerOrder, BrokerTrade, CashEntry, InstrumentRef
from app.brokers.simulator.holdings import WEEKDAYS, Holding, TradingDays, settle
from app.brokers.simulator.positions import Position
from app.enums import OPEN_STATUSES, CashKind, OrderStatus, OrderType, Side, TradeType

AVERAGE_PRICE_PLACES = Decimal("0.0001")


@dataclass(slots=True, eq=False)
class SimOrder:
    broker_order_id: str
    tag: str
    instrument: InstrumentRef
    side: Side
    order_type: OrderType
    trade_type: TradeType
    quantity: int
    price: Decimal | None
    trigger_price: Decimal | None
    updated_at: datetime
    status: OrderStatus = OrderStatus.OPEN
    filled_quantity: int = 0
    fill_value: Decimal = Decimal(0)
    triggered: bool = False
    fills: list[BrokerTrade] = field(default_factory=list)
    # An after-market order, and the trading day the order is good for (an AMO's: the next session's): a DAY order
    # still open once a later trading day begins expires.
    amo: bool = False
    session: date | None = None
    reason: str | None = None

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled_quantity

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def snapshot(self) -> BrokerOrder:
        average = None
        if self.filled_quantity:
            average = (self.fill_value / self.filled_quantity).quantize(AVERAGE_PRICE_PLACES)
        return BrokerOrder(
            broker_order_id=self.broker_order_id,
            tag=self.tag,
            token_id=self.instrument.token_id,
            side=self.side,
            order_type=self.order_type,
            trade_type=self.trade_type,
            quantity=self.quantity,
            filled_quantity=self.filled_quantity,
            average_price=average,
            price=self.price,
            trigger_price=self.trigger_price,
            status=self.status,
            reason=self.reason,
            updated_at=self.updated_at,
            fills=tuple(self.fills),
        )


@dataclass(slots=True)
class Account:
    client_id: int
    opening_cash: Decimal
    orders: dict[str, SimOrder] = field(default_factory=dict)
    # Open orders in placement order: matching and margin allocation both walk them oldest first.
    open_orders: dict[str, SimOrder] = field(default_factory=dict)
    order_ids_by_tag: dict[str, str] = field(default_factory=dict)
    trades: list[BrokerTrade] = field(default_factory=list)
    positions: dict[tuple[int, TradeType], Position] = field(default_factory=dict)
    holdings: dict[int, Holding] = field(default_factory=dict)
    # Every movement of cash after the opening cash, oldest first; cash is their sum plus opening_cash.
    ledger: list[CashEntry] = field(default_factory=list)
    transfers_by_ref: dict[str, CashEntry] = field(default_factory=dict)
    opened_at: datetime | None = None
    # The trading day the positions belong to (None until the account is first used).
    day: date | None = None
    exchanges: dict[int, str] = field(default_factory=dict)
    days: TradingDays = field(default=WEEKDAYS, repr=False, compare=False)

    @property
    def cash(self) -> Decimal:
        return self.opening_cash + sum((entry.amount for entry in self.ledger), Decimal(0))

    def record(
        self, at: datetime, kind: CashKind, amount: Decimal, description: str, ref: str | None = None
    ) -> CashEntry:
        # Ids are positions in the ledger, so a journal replay gives every entry the id it had.
        entry = CashEntry(str(len(self.ledger) + 1), at, kind.value, amount, description, ref)
        self.ledger.append(entry)
        if ref is not None:
            self.transfers_by_ref[ref] = entry
        return entry

    def held(self, token_id: int) -> int:
        holding = self.holdings.get(token_id)
        return holding.quantity if holding else 0

    def roll(self, at: datetime) -> None:
        """Begin the trading day of `at`: on a later trading day, the DELIVERY positions settle into holdings, and
        the other positions start the day's P&L at zero (what they realised is in the ledger already): flat ones
        leave the position book, open ones carry their quantity and average price."""
        today = self.days.session_date(at)
        if self.day is None or today <= self.day:
            self.day = self.day or today
            return
        self.day = today
        for key, position in list(self.positions.items()):
            token_id, trade_type = key
            if trade_type is not TradeType.DELIVERY:
                if position.net_quantity == 0:
                    del self.positions[key]
                else:
                    position.realised_pnl = position.charges = Decimal(0)
                    position.buy_quantity = position.sell_quantity = 0
                continue
            holding = self.holdings.setdefault(token_id, Holding(token_id, self.exchanges.get(token_id, "NSE")))
            # The day's realised P&L is already in the ledger; settlement moves the cost or proceeds of the shares.
            moved = settle(position, holding)
            if moved:
                what = f"{abs(position.net_quantity)} of token {token_id} {'bought' if moved < 0 else 'sold'}"
                self.record(at, CashKind.SETTLEMENT, moved, f"Settlement: {what}")
            del self.positions[key]
            if holding.quantity == 0:
                del self.holdings[token_id]

    def add(self, order: SimOrder) -> None:
        self.orders[order.broker_order_id] = order
        self.open_orders[order.broker_order_id] = order
        self.order_ids_by_tag[order.tag] = order.broker_order_id

    def withdraw(self, order: SimOrder) -> None:
        """Take back an order that was never accepted, as if it had not been placed."""
        del self.orders[order.broker_order_id]
        del self.open_orders[order.broker_order_id]
        del self.order_ids_by_tag[order.tag]

    def close(self, order: SimOrder, status: OrderStatus, at: datetime, reason: str | None = None) -> None:
        order.status = status
        order.updated_at = at
        order.reason = reason
        self.open_orders.pop(order.broker_order_id, None)

    def net_quantity(self, token_id: int, trade_type: TradeType) -> int:
        position = self.positions.get((token_id, trade_type))
        return position.net_quantity if position else 0

    def pending(
        self, token_id: int, trade_type: TradeType, side: Side, exclude: SimOrder | None = None
    ) -> Iterator[SimOrder]:
        for order in self.open_orders.values():
            if (
                order is not exclude
                and order.side is side
                and order.trade_type is trade_type
                and order.instrument.token_id == token_id
            ):
                yield order

    def fill(
        self,
        order: SimOrder,
        quantity: int,
        price: Decimal,
        trade_id: str,
        at: datetime,
        charges: Decimal = Decimal(0),
    ) -> None:
        self.roll(at)
        self.exchanges[order.instrument.token_id] = order.instrument.exchange.upper()
        order.filled_quantity += quantity
        order.fill_value += price * quantity
        order.updated_at = at
        if order.remaining == 0:
            self.close(order, OrderStatus.FILLED, at)
        else:
            order.status = OrderStatus.PARTIALLY_FILLED
        key = (order.instrument.token_id, order.trade_type)
        position = self.positions.setdefault(key, Position(*key))
        realised_before = position.realised_pnl
        position.apply(order.side, quantity, price)
        position.charges += charges
        what = f"{order.side.value} {quantity} {order.instrument.symbol} {order.trade_type.value} @ {price}"
        if position.realised_pnl != realised_before:
            self.record(at, CashKind.REALISED_PNL, position.realised_pnl - realised_before, f"Realised P&L: {what}")
        if charges:
            self.record(at, CashKind.CHARGES, -charges, f"Charges: {what} (order {order.broker_order_id})")
        trade = BrokerTrade(
            trade_id=trade_id,
            broker_order_id=order.broker_order_id,
            tag=order.tag,
            token_id=order.instrument.token_id,
            side=order.side,
            trade_type=order.trade_type,
            quantity=quantity,
            price=price,
            ts=at,
        )
        order.fills.append(trade)
        self.trades.append(trade)
