"""The fake Motilal's data: users, orders, positions, injected faults, recorded requests, and the answer envelope."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
TOKENS_CSV = Path(__file__).resolve().parents[4] / "data" / "tokens.csv"
# Longer than any client timeout: a "timeout" fault answers after this, or when the fake is reset or stopped.
DEFAULT_HANG_S = 30.0

EXCHANGES = frozenset({"NSE", "BSE", "NSEFO", "NSECD", "MCX", "BSEFO"})
PRODUCTS = frozenset({"DELIVERY", "VALUEPLUS", "NORMAL", "MTF", "BTST", "SELLFROMDP"})
# The fake's margin: the share of an order's value the user must have, per product.
MARGIN_SHARE = {"VALUEPLUS": Decimal("0.2"), "MTF": Decimal("0.25")}
REQUIRED_HEADERS = (
    "ApiKey",
    "User-Agent",
    "vendorinfo",
    "SourceId",
    "ClientLocalIp",
    "ClientPublicIp",
    "MacAddress",
    "osname",
    "osversion",
    "devicemodel",
    "manufacturer",
    "productname",
    "productversion",
)
BROWSER_HEADERS = ("browsername", "browserversion")
# Motilal's order states (its "PossibleOrder Status" list, title case as its books show them). Orders in OPEN can
# still fill, be modified or cancelled; the others are refused with the code in NOT_OPEN.
STATES = ("Unknown", "Sent", "Confirm", "Partial", "Traded", "Cancel", "Rejected", "Error")
OPEN = frozenset({"Sent", "Confirm", "Partial"})
NOT_OPEN = {
    "Unknown": ("MO1065", "Order Status Is Uknown"),
    "Cancel": ("MO1066", "Order Is Already Cancelled"),
    "Traded": ("MO1067", "Order Is Already Traded"),
    "Rejected": ("MO1068", "Order Is Already Rejected"),
    "Error": ("MO1069", "Order Status Is Error"),
}
# Motilal's books write times as dd-MMM-yyyy HH:mm:ss in Indian time, and "0" for a time that has not happened.
BOOK_TIME = "%d-%b-%Y %H:%M:%S"
NO_TIME = "0"


@dataclass
class FakeUser:
    userid: str
    password: str
    api_key: str
    two_fa: str
    totp_secret: str | None
    cash: Decimal
    # ISIN -> what the demat account holds (add_holding, or a DELIVERY buy settled by next_day)
    holdings: dict[str, "FakeHolding"] = field(default_factory=dict)
    # Set: every call must carry it as `apisecretkey`, and calls after login the `accesstoken` from getaccesstoken.
    api_secret: str | None = None
    # True: a login without a TOTP opens an unverified session (Motilal would send an OTP to the client's phone).
    # Users with a TOTP secret always get an unverified session when they log in without a TOTP.
    otp_login: bool = False
    # The static IPs whitelisted for the user's app (checked against ClientPublicIp); None = any address.
    allowed_ips: frozenset[str] | None = None


SEED_USERS = (
    FakeUser(
        "EMUM755714",
        "Fake@Pass1",
        "FAKE-APIKEY-755714",
        "01/01/1990",
        "MULTIDESKFAKEMOTILALTOTPSECRETAB",
        Decimal("1000000"),
    ),
    FakeUser("EMUM755715", "Fake@Pass2", "FAKE-APIKEY-755715", "15/08/1985", None, Decimal("1000000")),
    FakeUser("EMUM755716", "Fake@Pass3", "FAKE-APIKEY-755716", "26/01/1980", None, Decimal("20000")),
)


def _now() -> datetime:
    return datetime.now(IST).replace(microsecond=0)


def book_time(moment: datetime | None) -> str:
    return NO_TIME if moment is None else moment.strftime(BOOK_TIME)


@dataclass
class FakeOrder:
    uniqueorderid: str
    userid: str
    tag: str
    exchange: str
    token: int
    side: str
    ordertype: str
    producttype: str
    price: Decimal
    trigger: Decimal
    quantity: int
    lot_size: int
    status: str = "Confirm"
    filled: int = 0
    fill_value: Decimal = Decimal(0)
    error: str = ""
    triggered: bool = False
    inserted_at: datetime = field(default_factory=_now)
    # When the exchange took the order; None (shown "0") for an order refused before it got there.
    entered_at: datetime | None = None
    # None (shown "0") until the order is first modified, as Motilal's order book shows it.
    modified_at: datetime | None = None
    # Each state the order has been in, oldest first: the rows of the order-detail answer.
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled

    @property
    def lastmodifiedtime(self) -> str:
        return book_time(self.modified_at)

    @property
    def modify_stamp(self) -> frozenset[str]:
        """What a modify must send as lastmodifiedtime: the last modification, or the entry time before the first."""
        if self.modified_at is not None:
            return frozenset({self.lastmodifiedtime})
        return frozenset({book_time(self.entered_at), book_time(self.inserted_at)}) - {NO_TIME}

    def row(self) -> dict[str, Any]:
        """The order-book row, with Motilal's field names, title-case words and "0" for unset times."""
        average = (self.fill_value / self.filled).quantize(Decimal("0.01")) if self.filled else Decimal(0)
        return {
            "ordercategory": "NORMAL",
            "clientid": self.userid,
            "exchange": self.exchange,
            "symboltoken": self.token,
            "series": "EQ",
            "expirydate": "0",
            "strikeprice": 0,
            "optiontype": "XX",
            "orderid": self.uniqueorderid[-7:],
            "ordertype": self.ordertype.title(),
            "orderduration": "Day",
            "producttype": self.producttype,
            "error": self.error,
            "orderstatus": self.status,
            "buyorsell": self.side.title(),
            "totalqtyremaining": self.remaining,
            "orderqty": self.quantity,
            "qtytradedtoday": self.filled,
            "totalqtytraded": self.filled,
            "disclosedqty": 0,
            "price": float(self.price),
            "triggerprice": float(self.trigger),
            "entrydatetime": book_time(self.entered_at),
            "lastmodifiedtime": self.lastmodifiedtime,
            "vendor": "MultiDesk",
            "uniqueorderid": self.uniqueorderid,
            "goodtilldate": "0",
            "algoid": 0,
            "algocategory": 0,
            "averageprice": float(average),
            "lotsize": self.lot_size,
            "tag": self.tag,
            "recordinserttime": book_time(self.inserted_at),
            "participantcode": "",
        }

    def detail_row(self) -> dict[str, Any]:
        """A row of the order-detail answer as Motilal's documentation shows it: the book row without the tag,
        `ordertype` "C" and the order's kind in `booktype`, plus the bracket-order fields."""
        row = self.row()
        del row["tag"]
        row.update(ordertype="C", booktype=self.ordertype.title(), stoploss=0, squareoff=0, trailingstoploss=0)
        return row

    def snapshot(self) -> None:
        """Record the order's current state as a row of its history (order detail), stamped now."""
        self.history.append({**self.detail_row(), "recordinserttime": book_time(_now())})


@dataclass
class FakeHolding:
    """A security in the demat account, as getdpholding reports it: both exchanges' tokens, quantity, cost."""

    isin: str
    name: str  # scripname, e.g. "RELIANCE EQ"
    nse_token: int  # nsesymboltoken (0 when not listed on NSE)
    bse_code: int  # bsescripcode (0 when not listed on BSE)
    quantity: int
    average: Decimal


@dataclass
class FakePosition:
    """One row of the position book: what was carried forward from earlier days (cf*) and today's trades (day*).

    As Motilal reports it, buyquantity/buyamount are carried + today's, with the carried part valued at the
    previous close; cfbuyamount/cfsellamount are the carried part at its actual cost.
    """

    token: int
    exchange: str
    product: str
    bought: int = 0  # today
    sold: int = 0
    buy_amount: Decimal = Decimal(0)
    sell_amount: Decimal = Decimal(0)
    cf_bought: int = 0  # carried forward from earlier days
    cf_sold: int = 0
    cf_buy_amount: Decimal = Decimal(0)  # at actual cost
    cf_sell_amount: Decimal = Decimal(0)
    previous_close: Decimal = Decimal(0)

    @property
    def net(self) -> int:
        return self.cf_bought + self.bought - self.cf_sold - self.sold

    def totals(self) -> tuple[int, Decimal, int, Decimal]:
        """(bought, bought at actual cost, sold, sold at actual value), carried and today's together."""
        return (
            self.cf_bought + self.bought,
            self.cf_buy_amount + self.buy_amount,
            self.cf_sold + self.sold,
            self.cf_sell_amount + self.sell_amount,
        )

    @property
    def average(self) -> Decimal:
        """The actual average cost of the open side."""
        bought, buy_amount, sold, sell_amount = self.totals()
        if self.net > 0:
            return buy_amount / bought
        if self.net < 0:
            return sell_amount / sold
        return Decimal(0)

    @property
    def booked(self) -> Decimal:
        """Realised P&L on actual cost: average sell less average buy, on what closed."""
        bought, buy_amount, sold, sell_amount = self.totals()
        closed = min(bought, sold)
        if not closed:
            return Decimal(0)
        return (sell_amount / sold - buy_amount / bought) * closed


@dataclass
class Book:
    orders: dict[str, FakeOrder] = field(default_factory=dict)
    trades: list[dict[str, Any]] = field(default_factory=list)
    positions: dict[tuple[int, str], FakePosition] = field(default_factory=dict)


@dataclass
class Fault:
    kind: str  # reject | timeout | http | malformed | session
    path: str | None = None
    count: int = 1
    code: str = "MO9999"
    message: str = "Order rejected by the fake (injected)"
    status: int = 503
    seconds: float = DEFAULT_HANG_S
    accept: bool = True
    userid: str | None = None  # only requests in this user's session

    def matches(self, path: str, userid: str | None) -> bool:
        if self.userid is not None and userid != self.userid:
            return False
        if self.path is None:
            return not path.endswith("authdirectapi")
        return self.path in path


@dataclass(frozen=True)
class Recorded:
    path: str
    at: float  # time.monotonic() when the request arrived
    headers: dict[str, str]
    body: dict[str, Any]
    userid: str | None


def envelope(status: str = "SUCCESS", message: str = "", errorcode: str = "", data: Any = None, **extra: Any) -> dict:
    return {"status": status, "message": message, "errorcode": errorcode, "data": data, **extra}


def error(code: str, message: str) -> dict:
    return envelope("ERROR", message, code)


class InvalidInput(ValueError):
    """A request field Motilal refuses, with the code of Motilal's error table that says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def decimal_of(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not a number") from None


def copy_user(user: FakeUser) -> FakeUser:
    return replace(user, holdings={isin: replace(h) for isin, h in user.holdings.items()})


def later(*previous: datetime | None) -> datetime:
    """Now, but always a later second than any before: lastmodifiedtime must change with every modification."""
    now = _now()
    return max([now, *(p.replace(microsecond=0) + timedelta(seconds=1) for p in previous if p is not None)])
