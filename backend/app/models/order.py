"""Orders (one per client per request), the legs a split order is sent as, and the fills (trades) the broker reports
for them."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.enums import Execution, OrderStatus, OrderType, Side, TradeType
from app.models.types import EnumText, Money, UTCDateTime, utcnow


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_client_created", "client_id", "created_at"),
        Index("ix_orders_status", "status"),
        # An order is sent again at most once: two retries racing for the same row cannot both commit.
        UniqueConstraint("retry_of_order_id", name="uq_orders_retry_of_order_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="clients.id")
    token_id: int = Field(foreign_key="instruments.token_id", sa_type=BigInteger, index=True)
    batch_id: int | None = Field(default=None, foreign_key="batches.id", index=True)
    created_by: int = Field(foreign_key="users.id")
    execution: Execution = Field(sa_type=EnumText(Execution))
    side: Side = Field(sa_type=EnumText(Side))
    order_type: OrderType = Field(sa_type=EnumText(OrderType))
    trade_type: TradeType = Field(sa_type=EnumText(TradeType))
    quantity: int
    price: Decimal | None = Field(default=None, sa_type=Money)
    trigger_price: Decimal | None = Field(default=None, sa_type=Money)
    status: OrderStatus = Field(default=OrderStatus.PENDING, sa_type=EnumText(OrderStatus))
    reason: str | None = Field(default=None, sa_type=Text)
    # What the broker did to the order on its own (e.g. a MARKET sent as a protected LIMIT).
    broker_note: str | None = Field(default=None, sa_type=Text)
    broker_order_id: str | None = Field(default=None, sa_type=String(64), index=True)
    filled_quantity: int = 0
    average_price: Decimal | None = Field(default=None, sa_type=Money)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The REJECTED or NOT_AT_BROKER order this one sends again (a retry batch's row), else None.
    retry_of_order_id: int | None = Field(default=None, foreign_key="orders.id")
    # An after-market order: written while the market was closed, sent to the broker as an AMO for the next open.
    amo: bool = False

    @property
    def tag(self) -> str:
        """Our id as the broker's client tag: short (Motilal allows 10 characters) and unique."""
        if self.id is None:
            raise ValueError("an order gets its tag once it is written")
        return f"MD{self.id}"


class OrderLeg(SQLModel, table=True):
    """One of the broker orders an order above its instrument's freeze quantity is sent as.

    Written with all its siblings before any of them is sent; the order row the advisor sees is derived from them
    (app/services/order_legs.py). Unsplit orders have none.
    """

    __tablename__ = "order_legs"
    __table_args__ = (UniqueConstraint("order_id", "leg_no", name="uq_order_legs_order_leg"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    leg_no: int
    quantity: int
    price: Decimal | None = Field(default=None, sa_type=Money)
    trigger_price: Decimal | None = Field(default=None, sa_type=Money)
    status: OrderStatus = Field(default=OrderStatus.PENDING, sa_type=EnumText(OrderStatus))
    reason: str | None = Field(default=None, sa_type=Text)
    broker_note: str | None = Field(default=None, sa_type=Text)
    broker_order_id: str | None = Field(default=None, sa_type=String(64))
    filled_quantity: int = 0
    average_price: Decimal | None = Field(default=None, sa_type=Money)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def tag(self) -> str:
        """The leg's own broker tag (as short as an order's), so a broker's view of it finds this row."""
        if self.id is None:
            raise ValueError("a leg gets its tag once it is written")
        return f"{LEG_TAG_PREFIX}{self.id}"


LEG_TAG_PREFIX = "ML"


class Trade(SQLModel, table=True):
    __tablename__ = "trades"
    __table_args__ = (
        Index("ix_trades_client_token", "client_id", "token_id"),
        UniqueConstraint("client_id", "broker_trade_id", name="uq_trades_broker_trade"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    client_id: int = Field(foreign_key="clients.id")
    token_id: int = Field(foreign_key="instruments.token_id", sa_type=BigInteger)
    broker_trade_id: str = Field(sa_type=String(64))
    side: Side = Field(sa_type=EnumText(Side))
    trade_type: TradeType = Field(sa_type=EnumText(TradeType))
    quantity: int
    price: Decimal = Field(sa_type=Money)
    executed_at: datetime = Field(sa_type=UTCDateTime)
