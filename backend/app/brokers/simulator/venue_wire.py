"""The venue's wire format: the broker contract's dataclasses as JSON, and broker errors as HTTP answers.

Both ends (venue_server.py, venue_client.py) use these adapters, so a Decimal travels as a string, a time as
ISO 8601 with its zone, an enum as its value, and what one end writes the other reads back equal. An error body is
`{"error": {"kind", "code", "message"}}`; `kind` says which typed broker error it was, so the adapter raises the
same one the in-process simulator would have.
"""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, TypeAdapter

from app.brokers.base import (
    BrokerError,
    BrokerFunds,
    BrokerHolding,
    BrokerOrder,
    BrokerOrderNotFound,
    BrokerOrderRequest,
    BrokerPosition,
    BrokerRejected,
    BrokerTrade,
    BrokerUnavailable,
    CashEntry,
    InstrumentRef,
    Quote,
)
from app.enums import TradeType

ORDER = TypeAdapter(BrokerOrder)
ORDERS = TypeAdapter(list[BrokerOrder])
TRADES = TypeAdapter(list[BrokerTrade])
POSITIONS = TypeAdapter(list[BrokerPosition])
HOLDINGS = TypeAdapter(list[BrokerHolding])
FUNDS = TypeAdapter(BrokerFunds)
QUOTES = TypeAdapter(list[Quote])
INSTRUMENTS = TypeAdapter(list[InstrumentRef])
ORDER_REQUEST = TypeAdapter(BrokerOrderRequest)
LEVERAGE = TypeAdapter(dict[TradeType, Decimal])
PRICES = TypeAdapter(dict[int, Decimal])
CASH_ENTRY = TypeAdapter(CashEntry)
CASH_ENTRIES = TypeAdapter(list[CashEntry])


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal
    ref: str
    note: str = ""


class Modify(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int | None = None
    price: Decimal | None = None
    trigger_price: Decimal | None = None


class OrderUpdate(BaseModel):
    """One `order` event on the stream: an order that changed at the venue without being asked (a fill)."""

    client_id: int
    order: BrokerOrder


# HTTP status per error kind; anything else the venue answers is no verdict.
STATUS = {"rejected": 422, "not_found": 404, "unavailable": 503}


def error_body(exc: BrokerError) -> tuple[int, dict[str, object]]:
    if isinstance(exc, BrokerRejected):
        kind, code = "rejected", exc.code
    elif isinstance(exc, BrokerOrderNotFound):
        kind, code = "not_found", "ORDER_NOT_FOUND"
    else:
        kind, code = "unavailable", "VENUE_UNAVAILABLE"
    return STATUS[kind], {"error": {"kind": kind, "code": code, "message": str(exc)}}


def raise_error(status: int, body: object) -> None:
    """Raise the broker error an error answer stands for (BrokerUnavailable when it is not one of ours)."""
    error = body.get("error") if isinstance(body, dict) else None
    kind = error.get("kind") if isinstance(error, dict) else None
    if isinstance(error, dict) and STATUS.get(str(kind)) == status:
        message = str(error.get("message", ""))
        if kind == "rejected":
            code = error.get("code")
            raise BrokerRejected(message, code=str(code) if code is not None else None)
        if kind == "not_found":
            raise BrokerOrderNotFound(message)
        raise BrokerUnavailable(message)
    # A proxy's 502, a crash's 500, a request the venue could not read: the venue gave no verdict on the order.
    raise BrokerUnavailable(f"the simulator venue answered {status}")
