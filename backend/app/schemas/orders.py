"""Order, batch and trade bodies.

Request bodies here move money, so they are strict (app/schemas/common.py): unknown fields refused, integers as
JSON integers, decimals as numbers or ASCII digit strings, every quantity and price bounded by what its column
holds. The configured maximums (MULTIDESK_MAX_ORDER_QUANTITY, MULTIDESK_MAX_ORDER_PRICE) are checked by the
services, with their own codes, before anything is written or sent.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from app.enums import BatchKind, BatchStatus, Closes, Execution, OrderStatus, OrderType, Side, TradeType
from app.schemas.common import INT32_MAX, Id, PlainDecimal, Quantity, StrictBody, TokenId

# At most 9,999,999,999.9999: what the API's prices have always allowed, well inside the Money column.
Price = Annotated[PlainDecimal, Field(gt=0, max_digits=14, decimal_places=4)]
AMO_HELP = (
    "After-market order: while the market is closed the order is sent as an AMO for the next open; "
    "without it (false or absent) an order while closed is refused with MARKET_CLOSED. "
    "Ignored while the market is open."
)


class PlaceOrderRequest(StrictBody):
    client_id: Id
    token_id: TokenId
    execution: Literal[Execution.BUY, Execution.SELL]
    order_type: OrderType
    trade_type: TradeType
    quantity: Quantity
    price: Price | None = None
    trigger_price: Price | None = None
    amo: StrictBool | None = Field(default=None, description=AMO_HELP)


class Allocation(StrictBody):
    client_id: Id
    quantity: Annotated[StrictInt, Field(ge=0, le=INT32_MAX, description="0 skips the client")]


PositiveQuantity = Annotated[StrictInt, Field(ge=1, le=INT32_MAX)]


class AllocationMethod(StrictBody):
    """How each client's quantity is sized (app/services/sizing.py); which input a method takes is checked by the
    service, with the code ALLOCATION_INPUT."""

    method: Literal["fixed", "equal_split", "ratio", "amount", "pct_equity", "available_margin"]
    quantity: PositiveQuantity | None = None
    total_quantity: PositiveQuantity | None = None
    amount: Annotated[PlainDecimal, Field(gt=0, max_digits=16, decimal_places=2)] | None = Field(
        default=None, description="Rupees per client (amount)"
    )
    percent: Annotated[PlainDecimal, Field(gt=0, le=100, decimal_places=4)] | None = None


class ExecuteAllRequest(StrictBody):
    """Either explicit `allocations`, or `group_id` / `client_ids` with an `allocation` method (not both)."""

    token_id: TokenId
    execution: Literal[Execution.BUY, Execution.SELL]
    order_type: OrderType
    trade_type: TradeType
    price: Price | None = None
    trigger_price: Price | None = None
    allocations: list[Allocation] | None = Field(default=None, min_length=1, max_length=5000)
    group_id: Id | None = None
    client_ids: list[Id] | None = Field(default=None, min_length=1, max_length=5000)
    allocation: AllocationMethod | None = None
    amo: StrictBool | None = Field(default=None, description=AMO_HELP)

    @model_validator(mode="after")
    def _one_row_per_client(self) -> "ExecuteAllRequest":
        for ids in ([a.client_id for a in self.allocations or []], self.client_ids or []):
            seen: set[int] = set()
            for client_id in ids:
                if client_id in seen:
                    raise ValueError(f"client {client_id} appears twice")
                seen.add(client_id)
        return self


class RetryRequest(StrictBody):
    price: Price | None = Field(default=None, description="a new limit price, only for a LIMIT or SL batch")


class ExitOrderTerms(StrictBody):
    order_type: Literal[OrderType.MARKET, OrderType.LIMIT] = OrderType.MARKET
    price: Price | None = None


class ExitByTokenRequest(ExitOrderTerms):
    client_ids: list[Id] | None = Field(default=None, description="Omit for every client you may trade")
    trade_types: list[TradeType] | None = Field(
        default=None, description="Close only these trade types (the scheduled square-off: INTRADAY); omit for all"
    )


class ModifyOrderRequest(StrictBody):
    quantity: Quantity | None = None
    price: Price | None = None
    trigger_price: Price | None = None


class OrderLegOut(BaseModel):
    """One broker order of a row split at its instrument's freeze quantity."""

    leg_no: int
    quantity: int
    price: Decimal | None
    trigger_price: Decimal | None
    status: OrderStatus
    reason: str | None
    broker_order_id: str | None
    filled_quantity: int
    average_price: Decimal | None
    sent_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, leg: object) -> "OrderLegOut":
        """From an `order_legs` row (app/models/order.py)."""
        return cls.model_validate(leg, from_attributes=True)


class OrderOut(BaseModel):
    id: int
    client_id: int
    client_name: str
    token_id: int
    symbol: str
    batch_id: int | None
    execution: Execution
    side: Side
    order_type: OrderType
    trade_type: TradeType
    quantity: int
    price: Decimal | None
    trigger_price: Decimal | None
    status: OrderStatus
    reason: str | None
    broker_note: str | None
    broker_order_id: str | None
    filled_quantity: int
    average_price: Decimal | None
    created_at: datetime
    updated_at: datetime
    # An after-market order, held by the broker until the next open.
    amo: bool = False
    # The broker orders this row was sent as, when its quantity was above the freeze quantity; else empty.
    legs: list[OrderLegOut] = []


class SizingOut(BaseModel):
    """How a sized row's quantity was computed (null on rows of explicit allocations)."""

    method: str
    price: Decimal | None
    price_source: Literal["limit", "market"] | None
    multiplier: Decimal
    inputs: dict[str, str]
    raw_quantity: Decimal
    quantity: int


RowStatus = OrderStatus | Literal["SKIPPED"]


class BatchRow(BaseModel):
    client_id: int
    client_name: str
    order_id: int | None
    status: RowStatus
    reason: str | None
    trade_type: TradeType | None
    quantity: int
    filled_quantity: int
    average_price: Decimal | None
    closes: Closes | None = Field(
        default=None,
        description="Exit rows: what the row closes: a POSITION, the client's demat HOLDING (a DELIVERY sell), or both",
    )
    sizing: SizingOut | None = None
    entry_price: Decimal | None = Field(
        default=None,
        description="Exit rows: the average price of the position the row closes, as it was when the exit was planned",
    )
    realised_pnl: Decimal | None = Field(
        default=None,
        description="Exit rows: P&L realised by the filled quantity, (average_price - entry_price) x filled for a "
        "long sold, the reverse for a short bought back; null before a fill",
    )


class BatchCounts(BaseModel):
    total: int
    done: int
    pending: int
    open: int
    partially_filled: int
    filled: int
    cancelled: int
    denied: int
    rejected: int
    failed: int
    skipped: int


class BatchOut(BaseModel):
    batch_id: int
    kind: BatchKind
    status: BatchStatus
    token_id: int
    symbol: str
    created_at: datetime
    finished_at: datetime | None
    counts: BatchCounts
    rows: list[BatchRow]
    retry_of: int | None = Field(default=None, description="the batch whose failed rows this one sends again")
    retries: list[int] = Field(default_factory=list, description="batches that retried this one's failed rows")


class TradeOut(BaseModel):
    id: int
    order_id: int
    client_id: int
    client_name: str
    token_id: int
    symbol: str
    side: Side
    trade_type: TradeType
    quantity: int
    price: Decimal
    executed_at: datetime
