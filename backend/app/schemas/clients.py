"""Client (broker account) bodies: credentials go in, only "set / not set" comes out."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from app.brokers.motilal.totp import normalised_secret
from app.enums import BrokerName, Segment, TradeType
from app.schemas.orders import OrderOut
from app.schemas.text import DisplayName


class Credentials(BaseModel):
    """Write-only broker secrets. Motilal: api_key, password, two_fa (DOB or PAN), totp_secret, api_secret."""

    model_config = ConfigDict(extra="forbid")

    api_key: str | None = Field(default=None, max_length=512)
    password: str | None = Field(default=None, max_length=512)
    two_fa: str | None = Field(default=None, max_length=64)
    totp_secret: str | None = Field(
        default=None, max_length=256, description="Base32, as the authenticator app takes it (spaces and case ignored)."
    )
    api_secret: str | None = Field(
        default=None, max_length=512, description="Motilal's API secret key; sent as apisecretkey when set."
    )

    @field_validator("totp_secret")
    @classmethod
    def _usable_totp_secret(cls, value: str | None) -> str | None:
        if value:
            try:
                normalised_secret(value)
            except ValueError as exc:
                # The secret itself is never echoed back (the error handler leaves inputs out too).
                raise PydanticCustomError("totp_secret_invalid", str(exc)) from None
        return value

    def __repr__(self) -> str:
        return f"Credentials(set={sorted(self.filled())})"

    __str__ = __repr__

    def filled(self) -> dict[str, str]:
        return {name: value for name, value in self.model_dump().items() if value}


class ClientCreate(BaseModel):
    display_name: DisplayName
    broker: BrokerName
    broker_client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    credentials: Credentials | None = None
    opening_cash: Decimal = Field(default=Decimal("0"), ge=0, max_digits=20, decimal_places=2)
    owner_id: int | None = Field(
        default=None, description="Admins may create a client for an advisor; advisors own what they create."
    )


class ClientUpdate(BaseModel):
    display_name: DisplayName | None = None
    broker_client_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    credentials: Credentials | None = Field(
        default=None, description="Fields given replace the stored ones; an empty string clears one."
    )
    is_active: bool | None = None

    @field_validator("display_name", "broker_client_id", "is_active", mode="before")
    @classmethod
    def not_null(cls, value: object) -> object:
        # Leave a field out to keep it; null would blank a value every client must have.
        if value is None:
            raise PydanticCustomError("null_not_allowed", "leave the field out to keep its value; it cannot be null")
        return value


class SegmentFundsOut(BaseModel):
    """One margin segment as the broker reports it: what is free to trade in it, and what it uses."""

    segment: Segment
    available: Decimal
    used: Decimal


class SummaryPosition(BaseModel):
    """One open position behind a summary's unrealised P&L, so a list of clients can reprice it at live prices."""

    token_id: int
    trade_type: TradeType
    net_quantity: int
    average_price: Decimal


def _zero() -> Decimal:
    return Decimal("0.00")


class PortfolioSummary(BaseModel):
    cash: Decimal
    margin_used: Decimal
    margin_available: Decimal
    realised_pnl: Decimal = Field(description="gross: before brokerage and statutory charges")
    unrealised_pnl: Decimal
    # default_factory, not default: the generated TypeScript keeps them optional for objects built in the browser.
    charges: Decimal = Field(default_factory=_zero, description="brokerage and statutory charges of the positions")
    realised_pnl_net: Decimal = Field(default_factory=_zero, description="realised P&L less charges")
    open_positions: int
    segments: list[SegmentFundsOut] = Field(
        default_factory=list, description="Margin per segment (CASH, FO), as the broker reports it; cash first"
    )
    positions: list[SummaryPosition] = Field(
        default_factory=list,
        description="The open positions (net quantity not 0) unrealised_pnl is summed over: unrealised P&L at a "
        "live price is the sum of (price - average_price) x net_quantity",
    )


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int
    display_name: str
    broker: BrokerName
    broker_client_id: str
    is_active: bool
    credentials_set: dict[str, bool]
    opening_cash: Decimal
    created_at: datetime
    updated_at: datetime
    summary: PortfolioSummary | None
    summary_error: str | None = None


class PositionOut(BaseModel):
    token_id: int
    symbol: str
    trade_type: str
    net_quantity: int
    average_price: Decimal
    last_price: Decimal | None
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    charges: Decimal = Field(default_factory=_zero, description="brokerage and statutory charges of its fills")
    realised_pnl_net: Decimal = Field(default_factory=_zero, description="realised P&L less charges")


class HoldingOut(BaseModel):
    """Shares in the client's demat account (DELIVERY buys join it from the next trading day, T+1)."""

    token_id: int | None = Field(description="Our instrument for the holding (NSE preferred); null if none matches")
    symbol: str
    exchange: str | None
    quantity: int
    average_price: Decimal
    last_price: Decimal | None
    unrealised_pnl: Decimal | None


class PortfolioOut(BaseModel):
    client_id: int
    summary: PortfolioSummary
    positions: list[PositionOut]
    holdings: list[HoldingOut]
    open_orders: list[OrderOut]


class HolderOut(BaseModel):
    """One client's position in a token per trade type, its demat holding joined to DELIVERY (`held_quantity` of
    `net_quantity` is in the demat account); `error` says why a client's books could not be read."""

    client_id: int
    client_name: str
    trade_type: TradeType | None
    net_quantity: int
    average_price: Decimal | None
    last_price: Decimal | None
    unrealised_pnl: Decimal | None
    realised_pnl: Decimal | None
    held_quantity: int = 0
    error: str | None = None
