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
    # token -> (quantity, average price) held in the demat account
    holdings: dict[int, tuple[int, Decimal]] = field(default_factory=dict)
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
class FakePosition:
    token: int
    exchange: str
    product: str
    bought: int = 0
    sold: int = 0
    buy_amount: Decimal = Decimal(0)
    sell_amount: Decimal = Decimal(0)

    @property
    def net(self) -> int:
        return self.bought - self.sold

    @property
    def booked(self) -> Decimal:
        closed = min(self.bought, self.sold)
        if not closed:
            return Decimal(0)
        return (self.sell_amount / self.sold - self.buy_amount / self.bought) * closed


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
    return replace(user, holdings=dict(user.holdings))


def later(previous: datetime) -> datetime:
    """Now, but always a later second than before: lastmodifiedtime must change with every change."""
    now = datetime.now(IST).replace(microsecond=0)
    return max(now, previous.replace(microsecond=0) + timedelta(seconds=1))
