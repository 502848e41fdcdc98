"""SQLModel tables; importing this package registers every table on SQLModel.metadata."""

from app.models.audit import AuditEvent, AuditHead
from app.models.batch import Batch
from app.models.calendar import CalendarOverride
from app.models.cash import CashTransfer
from app.models.client import Client
from app.models.group import ClientGroup, ClientGroupMember
from app.models.instrument import Instrument
from app.models.lease import Lease
from app.models.order import Order, OrderLeg, Trade
from app.models.price_bar import PriceBar
from app.models.risk import RiskLimit, TradingHalt
from app.models.square_off import SquareOffSchedule
from app.models.token import RevokedToken
from app.models.user import User

__all__ = [
    "AuditEvent",
    "AuditHead",
    "Batch",
    "CalendarOverride",
    "CashTransfer",
    "Client",
    "ClientGroup",
    "ClientGroupMember",
    "Instrument",
    "Lease",
    "Order",
    "OrderLeg",
    "PriceBar",
    "RevokedToken",
    "RiskLimit",
    "SquareOffSchedule",
    "Trade",
    "TradingHalt",
    "User",
]
