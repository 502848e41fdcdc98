"""The book across clients: every visible client's positions and demat holdings grouped by token, and its totals."""

from decimal import Decimal

from pydantic import BaseModel

from app.enums import TradeType


class BookLine(BaseModel):
    """One client's lot in a token for one trade type; DELIVERY includes the demat holding (`held_quantity` of it)."""

    client_id: int
    client_name: str
    trade_type: TradeType
    net_quantity: int
    held_quantity: int
    average_price: Decimal
    last_price: Decimal | None
    unrealised_pnl: Decimal
    realised_pnl: Decimal


class BookToken(BaseModel):
    """A token's lots across clients and their totals; `net_value` is net quantity x last price (None unpriced)."""

    token_id: int
    symbol: str
    exchange: str
    last_price: Decimal | None
    net_quantity: int
    net_value: Decimal | None
    unrealised_pnl: Decimal
    realised_pnl: Decimal
    clients: list[BookLine]


class BookClientError(BaseModel):
    """A client whose broker could not be read: it is in none of the figures, and says why."""

    client_id: int
    client_name: str
    error: str


class BookPositionsOut(BaseModel):
    tokens: list[BookToken]
    errors: list[BookClientError]


class BookClientPnl(BaseModel):
    client_id: int
    client_name: str
    pnl: Decimal


class BookSummaryOut(BaseModel):
    """Totals over the caller's readable clients: P&L today is realised + unrealised, gross exposure is the sum of
    |net quantity| x last price over every lot (unpriced lots left out and counted in `unpriced_lots`)."""

    pnl_today: Decimal
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    gross_exposure: Decimal
    margin_used: Decimal
    margin_available: Decimal
    clients: int
    clients_with_open_positions: int
    unpriced_lots: int
    best_client: BookClientPnl | None
    worst_client: BookClientPnl | None
    errors: list[BookClientError]
