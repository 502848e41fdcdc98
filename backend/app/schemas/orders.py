"""Order, batch and trade bodies."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.enums import BatchKind, BatchStatus, Execution, OrderStatus, OrderType, Side, TradeType

PriceField = Field(default=None, gt=0, max_digits=14, decimal_places=4)


class PlaceOrderRequest(BaseModel):
    client_id: int
    token_id: int
    execution: Literal[Execution.BUY, Execution.SELL]
    order_type: OrderType
    trade_type: TradeType
    quantity: int = Field(gt=0)
    price: Decimal | None = PriceField
    trigger_price: Decimal | None = PriceField


class Allocation(BaseModel):
    client_id: int
    quantity: int = Field(ge=0, description="0 skips the client")


class ExecuteAllRequest(BaseModel):
    token_id: int
    execution: Literal[Execution.BUY, Execution.SELL]
    order_type: OrderType
    trade_type: TradeType
    price: Decimal | None = PriceField
    trigger_price: Decimal | None = PriceField
    allocations: list[Allocation] = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _one_row_per_client(self) -> "ExecuteAllRequest":
        seen: set[int] = set()
        for allocation in self.allocations:
            if allocation.client_id in seen:
                raise ValueError(f"client {allocation.client_id} appears twice in allocations")
            seen.add(allocation.client_id)
        return self


class ExitOrderTerms(BaseModel):
    order_type: Literal[OrderType.MARKET, OrderType.LIMIT] = OrderType.MARKET
    price: Decimal | None = PriceField


class ExitByTokenRequest(ExitOrderTerms):
    client_ids: list[int] | None = Field(default=None, description="Omit for every client you may trade")


class ModifyOrderRequest(BaseModel):
    quantity: int | None = Field(default=None, gt=0)
    price: Decimal | None = PriceField
    trigger_price: Decimal | None = PriceField


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
