"""The preview of an execute-all body: per client what would be sent, what it costs and what would stop it."""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.orders import SizingOut

WarningCode = Literal[
    "INSUFFICIENT_MARGIN",
    "LOT_ROUNDED",
    "ROUNDS_TO_ZERO",
    "RISK_LIMIT",
    "MARKET_CLOSED",
    "CLIENT_INACTIVE",
    "BOOKS_UNREADABLE",
    "TRADING_HALTED",
]


class ChargesOut(BaseModel):
    brokerage: Decimal
    stt: Decimal
    exchange_txn: Decimal
    sebi: Decimal
    stamp_duty: Decimal
    gst: Decimal
    total: Decimal


class RiskVerdict(BaseModel):
    ok: bool
    code: str | None = None
    message: str | None = None


class PreviewWarning(BaseModel):
    code: WarningCode
    message: str


class PreviewRow(BaseModel):
    client_id: int
    client_name: str
    quantity: int
    value: Decimal
    margin_required: Decimal
    margin_available: Decimal | None
    charges: ChargesOut
    risk: RiskVerdict
    warnings: list[PreviewWarning]
    sizing: SizingOut | None


class PreviewTotals(BaseModel):
    quantity: int
    value: Decimal
    margin_required: Decimal
    charges_total: Decimal
    halted: int = Field(description="Rows a kill switch in force covers; above 0, execute-all would answer 409")


class PreviewOut(BaseModel):
    token_id: int
    symbol: str
    price: Decimal | None
    price_source: Literal["limit", "market"] | None
    market_open: bool
    rows: list[PreviewRow]
    totals: PreviewTotals
