"""The broker adapter contract: the data a broker exchanges with the services, its typed errors, and the protocol.

Everything here is broker-neutral. Each adapter maps its broker's own statuses and errors onto these types, so
services never branch on which broker a client uses; what a broker can do is declared as BrokerCapabilities.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from app.enums import OrderStatus, OrderType, Segment, Side, TradeType


@dataclass(frozen=True, slots=True)
class InstrumentRef:
    token_id: int
    symbol: str
    exchange: str
    instrument_type: str
    lot_size: int
    tick_size: Decimal


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """One instrument as a broker's instrument master lists it, in our vocabulary (exchange NSE, BSE, NFO...)."""

    token_id: int
    symbol: str
    exchange: str
    instrument_type: str
    lot_size: int
    tick_size: Decimal
    name: str | None = None
    # The largest quantity (units) the exchange takes in one order; None when the master does not say.
    freeze_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class SkippedRow:
    line: int  # the line in the broker's file (1 = its header)
    reason: str


@dataclass(frozen=True, slots=True)
class InstrumentMaster:
    """An exchange's instruments from a broker, and the rows of its file that could not be read."""

    exchange: str
    instruments: tuple[InstrumentSpec, ...]
    skipped: tuple[SkippedRow, ...] = ()


@dataclass(frozen=True, slots=True)
class BrokerAccount:
    """One client's broker account as the service layer hands it to an adapter."""

    client_id: int
    broker_client_id: str
    # Decrypted secrets: kept out of repr so they never reach a log line or a traceback.
    credentials: Mapping[str, str] = field(repr=False)
    # What a simulator account starts with; real brokers report their own cash.
    opening_cash: Decimal


@dataclass(frozen=True, slots=True)
class BrokerOrderRequest:
    # Our order id, sent as the broker's client tag so an order whose answer was lost can be found again.
    tag: str
    instrument: InstrumentRef
    side: Side
    quantity: int
    order_type: OrderType
    trade_type: TradeType
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    # An after-market order: the broker holds it until the next open instead of refusing it while closed.
    amo: bool = False


@dataclass(frozen=True, slots=True)
class BrokerTrade:
    trade_id: str
    broker_order_id: str
    tag: str
    token_id: int
    side: Side
    trade_type: TradeType
    quantity: int
    price: Decimal
    ts: datetime


@dataclass(frozen=True, slots=True)
class BrokerOrder:
    """An order-book row, its status already mapped onto our OrderStatus."""

    broker_order_id: str
    tag: str
    token_id: int
    side: Side
    order_type: OrderType
    trade_type: TradeType
    quantity: int
    filled_quantity: int
    average_price: Decimal | None
    price: Decimal | None
    trigger_price: Decimal | None
    status: OrderStatus
    reason: str | None
    updated_at: datetime
    # What the broker adapter did to the order on its own, in words for the advisor (e.g. a MARKET order sent
    # as a protected LIMIT because the broker refuses MARKET orders from API channels).
    note: str | None = None
    # The order's executions, when the broker reports them with the order (the simulator does; Motilal's order
    # answer does not, so its fills are read from the trade book). Lets a fill be recorded with the order's row.
    fills: tuple[BrokerTrade, ...] = ()


BrokerOrderAck = BrokerOrder


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    """A position in the broker's position book. DELIVERY positions are today's delivery trades only: what was
    bought on an earlier day has settled into holdings (BrokerHolding), so the two never count the same shares."""

    token_id: int
    trade_type: TradeType
    net_quantity: int  # negative = short
    average_price: Decimal
    realised_pnl: Decimal
    buy_quantity: int
    sell_quantity: int
    last_price: Decimal | None
    # Brokerage and statutory charges of the position's trades (realised_pnl is gross of them); 0 when unknown.
    charges: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class BrokerHolding:
    """Settled shares in the client's demat account (a DELIVERY buy is one from the next trading day, T+1).

    A holding is one security, tradeable on each exchange that lists it, so it carries each exchange's token
    (Motilal: NSE symbol token and BSE scrip code); an instrument of ours matches the token of its own exchange.
    It is sold with a DELIVERY sell. Today's DELIVERY trades are positions, not holdings, until they settle.
    """

    tokens: Mapping[str, int]  # exchange ("NSE", "BSE") -> that exchange's token for the security
    quantity: int
    average_price: Decimal  # average cost
    last_price: Decimal | None
    name: str = ""  # the broker's name for the security, e.g. "RELIANCE EQ"

    def token_for(self, exchange: str) -> int | None:
        return self.tokens.get(exchange.upper())


@dataclass(frozen=True, slots=True)
class SegmentFunds:
    """One segment's margin: what is free to trade in it and what its positions and orders use."""

    segment: Segment
    available: Decimal
    used: Decimal


@dataclass(frozen=True, slots=True)
class BrokerFunds:
    cash: Decimal
    margin_used: Decimal
    margin_available: Decimal
    # Per segment, as the broker reports them (cash first); empty when the broker reports one figure only.
    segments: tuple[SegmentFunds, ...] = ()


@dataclass(frozen=True, slots=True)
class CashEntry:
    """One movement of an account's cash as the broker's ledger records it; amount is signed (+ in, - out)."""

    entry_id: str
    ts: datetime
    kind: str  # a CashKind value
    amount: Decimal
    description: str
    # The caller's reference of a transfer (our id), so a transfer whose answer was lost is found, never repeated.
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    token_id: int
    ltp: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal
    volume: int
    ts: datetime
    # The best bid and offer (top of the book) when the feed knows them; a replayed tape has none.
    bid: Decimal | None = None
    ask: Decimal | None = None

    @property
    def change(self) -> Decimal:
        return self.ltp - self.prev_close

    @property
    def change_pct(self) -> Decimal:
        if not self.prev_close:
            return Decimal("0.00")
        return (self.change * 100 / self.prev_close).quantize(Decimal("0.01"))


# Assumed where a broker publishes no figure of its own: INTRADAY 5x (NSE's minimum 20% VaR+ELM margin for most
# liquid stocks), DELIVERY 1x (full cash), MTF 4x (broker-funded up to 75%). Real intraday margins vary by stock.
DEFAULT_LEVERAGE: Mapping[TradeType, Decimal] = {
    TradeType.INTRADAY: Decimal(5),
    TradeType.DELIVERY: Decimal(1),
    TradeType.MTF: Decimal(4),
}


@dataclass(frozen=True, slots=True)
class BrokerCapabilities:
    order_types: frozenset[OrderType]
    trade_types: frozenset[TradeType]
    supports_modify: bool
    partial_fills: bool
    streaming: bool
    pushes_order_updates: bool
    orders_per_second: int | None  # per account; None = no cap
    # Whether `instruments(exchange)` downloads the broker's instrument master (else it raises BrokerRejected).
    instrument_master: bool = False
    # Buying power per rupee of margin, by trade type: a buy of value V blocks V / leverage (sizing and preview).
    leverage: Mapping[TradeType, Decimal] = field(default_factory=lambda: dict(DEFAULT_LEVERAGE))
    # Whether `transfer_cash` / `cash_ledger` work (a simulated account's pay-in and payout); real brokers move
    # money through their own bank mandates, so theirs raise BrokerRejected.
    cash_transfers: bool = False


class BrokerError(Exception):
    """Any failure talking to a broker."""


class BrokerRejected(BrokerError):
    """A verdict: the broker refused the request (for an order, it is REJECTED with this reason)."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class BrokerUnavailable(BrokerError):
    """No verdict (timeout, network, 5xx): the request may or may not have taken effect."""


class BrokerAuthError(BrokerError):
    """The broker refused the login (wrong credentials), or still refused the session after the adapter's own
    fresh login: adapters re-establish expired sessions themselves, so callers never retry this."""


class BrokerOrderNotFound(BrokerError):
    """The broker has no order with that id in this account."""


OrderListener = Callable[[int, BrokerOrder], Awaitable[None]]
"""Called with (client_id, updated order) when an order changes at the broker without us asking."""


@runtime_checkable
class BrokerAdapter(Protocol):
    name: str
    capabilities: BrokerCapabilities

    async def ensure_session(self, account: BrokerAccount) -> None: ...

    async def place_order(self, account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck: ...

    async def modify_order(
        self,
        account: BrokerAccount,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
    ) -> BrokerOrderAck: ...

    async def cancel_order(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrderAck: ...

    async def order_status(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrder: ...

    async def order_book(self, account: BrokerAccount) -> list[BrokerOrder]: ...

    async def trade_book(self, account: BrokerAccount) -> list[BrokerTrade]: ...

    async def positions(self, account: BrokerAccount) -> list[BrokerPosition]: ...

    async def holdings(self, account: BrokerAccount) -> list[BrokerHolding]: ...

    async def funds(self, account: BrokerAccount) -> BrokerFunds: ...

    async def quote(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]: ...

    async def transfer_cash(self, account: BrokerAccount, amount: Decimal, ref: str, note: str) -> CashEntry: ...

    async def cash_ledger(self, account: BrokerAccount) -> list[CashEntry]: ...

    async def instruments(self, exchange: str) -> InstrumentMaster: ...

    def set_order_listener(self, listener: OrderListener | None) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...
