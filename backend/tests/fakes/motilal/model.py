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
OPEN = frozenset({"Confirm", "Sent", "Open"})


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
    modified_at: datetime = field(default_factory=lambda: datetime.now(IST))

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled

    @property
    def lastmodifiedtime(self) -> str:
        return self.modified_at.strftime("%d-%b-%Y %H:%M:%S")

    def row(self) -> dict[str, Any]:
        average = (self.fill_value / self.filled).quantize(Decimal("0.01")) if self.filled else Decimal(0)
        return {
            "uniqueorderid": self.uniqueorderid,
            "orderstatus": self.status,
            "tag": self.tag,
            "exchange": self.exchange,
            "symboltoken": self.token,
            "buyorsell": self.side,
            "ordertype": self.ordertype,
            "producttype": self.producttype,
            "orderqty": self.quantity,
            "lotsize": self.lot_size,
            "qtytradedtoday": self.filled,
            "averageprice": float(average),
            "price": float(self.price),
            "triggerprice": float(self.trigger),
            "lastmodifiedtime": self.lastmodifiedtime,
            "error": self.error,
        }


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


def decimal_of(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not a number") from None


def copy_user(user: FakeUser) -> FakeUser:
    return FakeUser(
        user.userid,
        user.password,
        user.api_key,
        user.two_fa,
        user.totp_secret,
        user.cash,
        {isin: replace(h) for isin, h in user.holdings.items()},
    )


def later(previous: datetime) -> datetime:
    """Now, but always a later second than before: lastmodifiedtime must change with every change."""
    now = datetime.now(IST).replace(microsecond=0)
    return max(now, previous.replace(microsecond=0) + timedelta(seconds=1))
