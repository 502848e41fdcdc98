"""Domain enumerations shared by models, services and broker adapters, and the order-status groups."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ADVISOR = "advisor"
    VIEWER = "viewer"


class BrokerName(StrEnum):
    SIMULATOR = "simulator"
    MOTILAL = "motilal"


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class Execution(StrEnum):
    BUY = "BUY"
    SELL = "SELL"
    EXIT = "EXIT"


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    SL = "SL"
    SL_M = "SL-M"


class TradeType(StrEnum):
    INTRADAY = "INTRADAY"
    DELIVERY = "DELIVERY"
    MTF = "MTF"


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    OPEN = "OPEN"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    DENIED = "DENIED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"


# Written by us, no broker verdict yet: reconciliation looks at these after a crash.
IN_FLIGHT_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.FAILED})
# Live at the broker: can still fill, be modified or cancelled.
OPEN_STATUSES = frozenset({OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})
# Final: nothing more will happen to the order.
CLOSED_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.DENIED, OrderStatus.REJECTED})


class BatchKind(StrEnum):
    EXECUTE_ALL = "EXECUTE_ALL"
    EXIT_BY_TOKEN = "EXIT_BY_TOKEN"  # noqa: S105
    RETRY = "RETRY"  # an execute-all's (or a retry's) failed rows sent again


class BatchStatus(StrEnum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"


class Segment(StrEnum):
    """A broker's margin segment: cash (equity) and futures & options."""

    CASH = "CASH"
    FO = "FO"


class CashKind(StrEnum):
    """A movement in a simulated account's cash ledger."""

    OPENING = "OPENING"
    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    REALISED_PNL = "REALISED_PNL"
    CHARGES = "CHARGES"
    SETTLEMENT = "SETTLEMENT"


class Closes(StrEnum):
    """What an exit order closes: a position in the position book, demat holdings (DELIVERY), or both."""

    POSITION = "POSITION"
    HOLDING = "HOLDING"
    HOLDING_AND_POSITION = "HOLDING_AND_POSITION"
