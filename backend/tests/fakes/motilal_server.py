"""A fake Motilal Oswal OpenAPI: an ASGI app with per-user books, for tests and for trying Motilal clients on the demo.

Run it next to `make run` (from backend/):

    .venv/bin/python -m tests.fakes.motilal_server --port 8765
    MULTIDESK_MOTILAL_BASE_URL=http://127.0.0.1:8765 make run

Seeded users (create a client with broker "motilal", the client code as broker client id, and these credentials):

    client code   password      api_key                 two_fa (2FA)   totp_secret          cash
    EMUM755714    Fake@Pass1    FAKE-APIKEY-755714      01/01/1990     MULTIDESKFAKEMOTILALTOTPSECRETAB  10,00,000
    EMUM755715    Fake@Pass2    FAKE-APIKEY-755715      15/08/1985     (none)               10,00,000
    EMUM755716    Fake@Pass3    FAKE-APIKEY-755716      26/01/1980     (none)                   20,000

What it checks, like Motilal: every request is a POST of JSON with the header set (ApiKey, vendorinfo, User-Agent
MOSL/..., SourceId WEB|DESKTOP, ClientLocalIp, ClientPublicIp, MacAddress, os/device/product/browser headers);
login takes password = sha256(password + api key), the 2FA and, for users with a TOTP secret, a current TOTP;
later requests need Authorization = the AuthToken, an ApiKey and vendorinfo matching the session's user.

What it does: MARKET, SL-M and STOPLOSS-without-a-limit orders are refused with M01108, as Motilal refuses them
from API channels. LIMIT orders fill at the fake's own last price (settable per token; seeded from
data/tokens.csv) when it is at or through the limit, else rest until a new price crosses them; STOPLOSS orders
trigger at their trigger price and then work as a LIMIT. `liquidity` caps the quantity one price fills (partial
fills). Orders over the user's margin are accepted and then shown Rejected with an RMS reason, as Motilal's risk
system does. Books: order book, trade book (no tag, like Motilal's), day positions, DP holdings, margin detail
(srno 102 available, 201 cash, 300 margin used), LTP in paise.

Error codes it answers with (HTTP 200, status ERROR, unless a fault says otherwise):
    MO1001 Invalid Session            the AuthToken is unknown or expired (the adapter logs in again)
    MO1002 Invalid User ID or Password
    MO1003 Invalid 2FA
    MO1004 Invalid TOTP
    MO1005 Invalid ApiKey
    MO1006 header missing / vendorinfo mismatch / body not JSON
    M01108 MARKET and SL-M orders are not allowed from API
    MO2001 invalid order field (exchange, token, quantity, price, tag longer than 10...)
    MO2002 Order not found             MO2003 order not open        MO2004 stale lastmodifiedtime
    MO3001 scrip not found (no price)  MO9999 a rejection injected by `reject_next`

Control, from Python (tests share the event loop with the server) or over HTTP:
    fake.set_ltp(token, price)              POST /_fake/ltp     {"token": 2885, "ltp": "1400.00"}
    fake.fail_next(kind, path=..., ...)     POST /_fake/fault   {"kind": "timeout", "path": "placeorder", ...}
        kinds: reject (code, message), timeout (seconds, accept: book the order before sleeping), http (status),
        malformed, session (answer MO1001); `count` requests matching `path` (a substring; None = any but login)
        and, with `userid`, only requests in that user's session
    fake.expire_sessions(userid)            POST /_fake/expire  {"userid": "EMUM755714"}
    fake.reset()                            POST /_fake/reset
                                            GET  /_fake/state   users' books as JSON
"""

import argparse
import asyncio
import csv
import hashlib
import itertools
import json
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

IST = ZoneInfo("Asia/Kolkata")
TOKENS_CSV = Path(__file__).resolve().parents[3] / "data" / "tokens.csv"
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


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not a number") from None


class FakeMotilal:
    """The fake broker's state and its ASGI app (`fake.app`)."""

    def __init__(self, *, tokens_csv: Path | None = TOKENS_CSV) -> None:
        self._tokens_csv = tokens_csv
        self.app = Starlette(
            routes=[
                Route("/_fake/{action}", self._control, methods=["GET", "POST"]),
                Route("/{path:path}", self._handle, methods=["GET", "POST", "PUT", "DELETE"]),
            ]
        )
        self.reset()

    # ---- Python control API --------------------------------------------------------------------------------

    def reset(self) -> None:
        """Seeded users, empty books, seeded prices; no sessions, faults or recorded requests."""
        release = getattr(self, "_release", None)
        if release is not None:
            release.set()  # let requests hung by a timeout fault finish
        self.users: dict[str, FakeUser] = {u.userid: _copy_user(u) for u in SEED_USERS}
        self.books: dict[str, Book] = {u: Book() for u in self.users}
        self.sessions: dict[str, str] = {}
        self.ltp: dict[int, Decimal] = {}
        self.lot_sizes: dict[int, int] = {}
        self.liquidity: dict[int, int] = {}
        self.faults: list[Fault] = []
        self.requests: list[Recorded] = []
        self.login_attempts: Counter[str] = Counter()
        self.logins: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._trade_ids = itertools.count(1)
        self._release = asyncio.Event()
        self._seed_prices()

    def _seed_prices(self) -> None:
        if self._tokens_csv is None or not self._tokens_csv.exists():
            return
        with self._tokens_csv.open(newline="") as handle:
            for row in csv.DictReader(handle):
                try:
                    token = int(row["token_id"])
                    self.lot_sizes[token] = int(row.get("lot_size") or 1)
                    if row.get("ref_price"):
                        self.ltp[token] = Decimal(row["ref_price"])
                except (KeyError, ValueError, InvalidOperation):
                    continue

    def add_user(self, user: FakeUser) -> None:
        self.users[user.userid] = user
        self.books.setdefault(user.userid, Book())

    def set_ltp(self, token: int, price: Decimal | str) -> None:
        """Move a token's last price; resting orders in it match against the new price."""
        self.ltp[token] = Decimal(str(price))
        for book in self.books.values():
            for order in list(book.orders.values()):
                if order.token == token and order.status in OPEN:
                    self._match(book, order)

    def fail_next(self, kind: str, **options: Any) -> Fault:
        fault = Fault(kind, **options)
        self.faults.append(fault)
        return fault

    def reject_next(self, code: str = "MO9999", message: str = "Order rejected by the fake (injected)") -> Fault:
        return self.fail_next("reject", path="placeorder", code=code, message=message)

    def expire_sessions(self, userid: str) -> None:
        self.sessions = {token: user for token, user in self.sessions.items() if user != userid}

    def release_hung(self) -> None:
        self._release.set()
        self._release = asyncio.Event()

    def requests_to(self, fragment: str) -> list[Recorded]:
        return [r for r in self.requests if fragment in r.path]

    def orders(self, userid: str) -> list[FakeOrder]:
        return list(self.books[userid].orders.values())

    # ---- HTTP ----------------------------------------------------------------------------------------------

    async def _control(self, request: Request) -> Response:
        action = request.path_params["action"]
        body = await request.json() if request.method == "POST" and await request.body() else {}
        if action == "ltp":
            self.set_ltp(int(body["token"]), Decimal(str(body["ltp"])))
        elif action == "fault":
            self.fail_next(**body)
        elif action == "expire":
            self.expire_sessions(body["userid"])
        elif action == "reset":
            self.reset()
        elif action == "state":
            return JSONResponse(self.state())
        else:
            return JSONResponse({"error": f"unknown control {action}"}, status_code=404)
        return JSONResponse({"ok": True})

    def state(self) -> dict[str, Any]:
        return {
            "ltp": {str(token): str(price) for token, price in sorted(self.ltp.items())},
            "users": {
                userid: {
                    "cash": str(self._cash(userid)),
                    "orders": [o.row() for o in self.books[userid].orders.values()],
                    "trades": self.books[userid].trades,
                    "positions": self._position_rows(userid),
                }
                for userid in self.users
            },
        }

    async def _handle(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        userid = self.sessions.get(request.headers.get("Authorization", ""))
        self.requests.append(
            Recorded(path, time.monotonic(), dict(request.headers), body if isinstance(body, dict) else {}, userid)
        )
        fault = self._take_fault(path, userid)
        if fault is not None:
            if fault.kind == "http":
                return Response("upstream unavailable", status_code=fault.status, media_type="text/plain")
            if fault.kind == "malformed":
                return Response('{"status": "SUCC', media_type="application/json")
            if fault.kind == "reject":
                return JSONResponse(error(fault.code, fault.message))
            if fault.kind == "session":
                return JSONResponse(error("MO1001", "Invalid Session, please login again"))
            if fault.kind == "timeout":
                answer = self._answer(request, path, body) if fault.accept else None
                release = self._release
                try:
                    await asyncio.wait_for(release.wait(), fault.seconds)
                except TimeoutError:
                    pass
                return JSONResponse(answer if answer is not None else error("MO9998", "timed out"))
        return JSONResponse(self._answer(request, path, body))

    def _take_fault(self, path: str, userid: str | None) -> Fault | None:
        for fault in self.faults:
            if fault.matches(path, userid):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _answer(self, request: Request, path: str, body: Any) -> dict[str, Any]:
        if request.method != "POST":
            return error("MO1006", "Only POST is supported")
        if not isinstance(body, dict):
            return error("MO1006", "The request body must be a JSON object")
        headers = request.headers
        required = REQUIRED_HEADERS + (BROWSER_HEADERS if headers.get("SourceId", "").upper() == "WEB" else ())
        for name in required:
            if not headers.get(name):
                return error("MO1006", f"Missing header parameter {name}")
        if not headers["User-Agent"].startswith("MOSL/"):
            return error("MO1006", "Invalid User-Agent")
        if headers["SourceId"].upper() not in ("WEB", "DESKTOP"):
            return error("MO1006", "Invalid SourceId")
        if path.endswith("/login/v3/authdirectapi"):
            return self._login(headers, body)
        userid = self.sessions.get(headers.get("Authorization", ""))
        if userid is None:
            return error("MO1001", "Invalid Session, please login again")
        user = self.users[userid]
        if headers["ApiKey"] != user.api_key:
            return error("MO1005", "Invalid ApiKey")
        if headers["vendorinfo"] != userid:
            return error("MO1006", "vendorinfo does not match the logged-in client code")
        handler = ROUTES.get(path)
        if handler is None:
            return error("MO1006", f"Unknown API {path}")
        try:
            return handler(self, userid, body)
        except ValueError as exc:
            return error("MO2001", str(exc))

    def _login(self, headers: Any, body: dict[str, Any]) -> dict[str, Any]:
        userid = str(body.get("userid", ""))
        self.login_attempts[userid] += 1
        user = self.users.get(userid)
        if user is None or headers["vendorinfo"] != userid:
            return error("MO1002", "Invalid User ID or Password")
        if headers["ApiKey"] != user.api_key:
            return error("MO1005", "Invalid ApiKey")
        expected = hashlib.sha256(f"{user.password}{user.api_key}".encode()).hexdigest()
        if body.get("password") != expected:
            return error("MO1002", "Invalid User ID or Password")
        if body.get("2FA") != user.two_fa:
            return error("MO1003", "Invalid 2FA: the date of birth or PAN does not match")
        if user.totp_secret and not pyotp.TOTP(user.totp_secret).verify(str(body.get("totp", "")), valid_window=1):
            return error("MO1004", "Invalid TOTP")
        token = secrets.token_hex(16)
        self.sessions[token] = userid
        self.logins[userid] += 1
        return {
            "status": "SUCCESS",
            "message": "Login Successful",
            "errorcode": "",
            "AuthToken": token,
            "isAuthTokenVerified": "TRUE",
        }

    # ---- orders --------------------------------------------------------------------------------------------

    def _place(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        ordertype = str(body.get("ordertype", "")).upper()
        price = _decimal(body.get("price", 0))
        trigger = _decimal(body.get("triggerprice", 0))
        if ordertype in ("MARKET", "SL-M", "SLM") or (ordertype == "STOPLOSS" and price <= 0):
            return error("M01108", "MARKET and SL-M orders are not allowed from API; send a LIMIT or STOPLOSS order")
        if ordertype not in ("LIMIT", "STOPLOSS"):
            raise ValueError(f"Invalid ordertype {ordertype}")
        exchange = str(body.get("exchange", ""))
        if exchange not in EXCHANGES:
            raise ValueError(f"Invalid exchange {exchange}")
        token = body.get("symboltoken")
        if not isinstance(token, int):
            raise ValueError("symboltoken must be an integer")
        side = str(body.get("buyorsell", ""))
        if side not in ("BUY", "SELL"):
            raise ValueError("buyorsell must be BUY or SELL")
        product = str(body.get("producttype", ""))
        if product not in PRODUCTS:
            raise ValueError(f"Invalid producttype {product}")
        if body.get("orderduration") != "DAY" or body.get("amoorder") not in ("Y", "N"):
            raise ValueError("orderduration must be DAY and amoorder Y or N")
        lots = body.get("quantityinlot")
        if not isinstance(lots, int) or lots <= 0:
            raise ValueError("quantityinlot must be a positive integer")
        tag = str(body.get("tag") or "")
        if len(tag) > 10:
            raise ValueError("tag must be at most 10 characters")
        if price <= 0:
            raise ValueError("price must be positive for LIMIT and STOPLOSS orders")
        if ordertype == "STOPLOSS" and trigger <= 0:
            raise ValueError("a STOPLOSS order needs a triggerprice")
        lot_size = self.lot_sizes.get(token, 1)
        order = FakeOrder(
            uniqueorderid=f"FK{next(self._ids):010d}",
            userid=userid,
            tag=tag,
            exchange=exchange,
            token=token,
            side=side,
            ordertype=ordertype,
            producttype=product,
            price=price,
            trigger=trigger,
            quantity=lots * lot_size,
            lot_size=lot_size,
        )
        book = self.books[userid]
        required = self._order_margin(order)
        available = self._cash(userid) - self._margin_used(userid)
        book.orders[order.uniqueorderid] = order
        if required > available:
            order.status = "Rejected"
            order.error = f"RMS:Margin Exceeds, Required:{required:.2f}, Available:{available:.2f}"
        else:
            self._match(book, order)
        return envelope(
            message="Order placement request sent successfully",
            uniqueorderid=order.uniqueorderid,
            data={"uniqueorderid": order.uniqueorderid},
        )

    def _find(self, userid: str, body: dict[str, Any]) -> FakeOrder | dict[str, Any]:
        order = self.books[userid].orders.get(str(body.get("uniqueorderid", "")))
        if order is None:
            return error("MO2002", "Order not found")
        if order.status not in OPEN:
            return error("MO2003", f"Order is {order.status}; it cannot be changed")
        return order

    def _modify(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        order = self._find(userid, body)
        if isinstance(order, dict):
            return order
        if body.get("lastmodifiedtime") != order.lastmodifiedtime:
            return error("MO2004", "The order has changed since lastmodifiedtime; read the order book again")
        if body.get("qtytradedtoday") != order.filled:
            return error("MO2004", "qtytradedtoday does not match the order")
        ordertype = str(body.get("newordertype", "")).upper()
        price = _decimal(body.get("newprice", 0))
        if ordertype in ("MARKET", "SL-M") or (ordertype == "STOPLOSS" and price <= 0):
            return error("M01108", "MARKET and SL-M orders are not allowed from API; send a LIMIT or STOPLOSS order")
        lots = body.get("newquantityinlot")
        if not isinstance(lots, int) or lots * order.lot_size <= order.filled:
            raise ValueError("newquantityinlot must exceed what has traded")
        order.ordertype = ordertype
        order.price = price
        order.trigger = _decimal(body.get("newtriggerprice", 0))
        order.quantity = lots * order.lot_size
        order.modified_at = _later(order.modified_at)
        self._match(self.books[userid], order)
        return envelope(message="Order modification request sent successfully", uniqueorderid=order.uniqueorderid)

    def _cancel(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        order = self._find(userid, body)
        if isinstance(order, dict):
            return order
        order.status = "Cancel"
        order.modified_at = _later(order.modified_at)
        return envelope(message="Order cancellation request sent successfully", uniqueorderid=order.uniqueorderid)

    def _match(self, book: Book, order: FakeOrder) -> None:
        ltp = self.ltp.get(order.token)
        if ltp is None or order.status not in OPEN:
            return
        buy = order.side == "BUY"
        if order.ordertype == "STOPLOSS" and not order.triggered:
            order.triggered = ltp >= order.trigger if buy else ltp <= order.trigger
            if not order.triggered:
                return
        if (buy and ltp > order.price) or (not buy and ltp < order.price):
            return
        quantity = min(order.remaining, self.liquidity.get(order.token, order.remaining))
        if quantity <= 0:
            return
        order.filled += quantity
        order.fill_value += ltp * quantity
        order.modified_at = _later(order.modified_at)
        if order.remaining == 0:
            order.status = "Traded"
        now = datetime.now(IST)
        book.trades.append(
            {
                "uniqueorderid": order.uniqueorderid,
                "tradeno": f"FT{next(self._trade_ids):010d}",
                "symboltoken": order.token,
                "exchange": order.exchange,
                "buyorsell": order.side,
                "producttype": order.producttype,
                "tradeqty": quantity,
                "tradeprice": float(ltp),
                "tradevalue": float(ltp * quantity),
                "tradetime": now.strftime("%d-%b-%Y %H:%M:%S"),
            }
        )
        position = book.positions.setdefault(
            (order.token, order.producttype), FakePosition(order.token, order.exchange, order.producttype)
        )
        if buy:
            position.bought += quantity
            position.buy_amount += ltp * quantity
        else:
            position.sold += quantity
            position.sell_amount += ltp * quantity

    # ---- books and reports ---------------------------------------------------------------------------------

    def _order_book(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        rows = [o.row() for o in self.books[userid].orders.values()]
        # An empty book comes back as null data, as Motilal sends it.
        return envelope(message="Order book", data=rows or None)

    def _trade_book(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        return envelope(message="Trade book", data=list(self.books[userid].trades) or None)

    def _position_rows(self, userid: str) -> list[dict[str, Any]]:
        rows = []
        for p in self.books[userid].positions.values():
            ltp = self.ltp.get(p.token, Decimal(0))
            average = p.buy_amount / p.bought if p.net > 0 else p.sell_amount / p.sold if p.net < 0 else Decimal(0)
            rows.append(
                {
                    "symboltoken": p.token,
                    "exchange": p.exchange,
                    "productname": p.product,
                    "buyquantity": p.bought,
                    "sellquantity": p.sold,
                    "buyamount": float(p.buy_amount),
                    "sellamount": float(p.sell_amount),
                    "LTP": float(ltp),
                    "marktomarket": float(((ltp - average) * p.net).quantize(Decimal("0.01"))),
                    "bookedprofitloss": float(p.booked.quantize(Decimal("0.01"))),
                }
            )
        return rows

    def _positions(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        return envelope(message="Positions", data=self._position_rows(userid) or None)

    def _holdings(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        rows = [
            {
                "scripname": str(token),
                "nsesymboltoken": token,
                "dpquantity": quantity,
                "buyavgprice": float(average),
            }
            for token, (quantity, average) in self.users[userid].holdings.items()
        ]
        return envelope(message="DP holdings", data=rows or None)

    def _ltp(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        token = body.get("scripcode")
        price = self.ltp.get(token) if isinstance(token, int) else None
        if price is None:
            return error("MO3001", f"Scrip {token} not found")
        paise = int((price * 100).to_integral_value(rounding=ROUND_HALF_UP))
        return envelope(
            message="LTP",
            data={
                "exchange": body.get("exchange"),
                "scripcode": token,
                "ltp": paise,
                "bid": paise - 5,
                "ask": paise + 5,
                "open": paise,
                "high": paise,
                "low": paise,
                "close": paise,
                "volume": 1000,
            },
        )

    def _cash(self, userid: str) -> Decimal:
        booked = sum((p.booked for p in self.books[userid].positions.values()), Decimal(0))
        return (self.users[userid].cash + booked).quantize(Decimal("0.01"))

    def _order_margin(self, order: FakeOrder) -> Decimal:
        if order.side == "SELL" and order.producttype in ("DELIVERY", "MTF", "SELLFROMDP", "BTST"):
            return Decimal(0)  # selling what the user holds needs no margin in the fake
        share = MARGIN_SHARE.get(order.producttype, Decimal(1))
        return order.price * order.remaining * share

    def _margin_used(self, userid: str) -> Decimal:
        book = self.books[userid]
        used = sum((self._order_margin(o) for o in book.orders.values() if o.status in OPEN), Decimal(0))
        for p in book.positions.values():
            if p.net == 0 or (p.net < 0 and p.product in ("DELIVERY", "MTF")):
                continue
            average = p.buy_amount / p.bought if p.net > 0 else p.sell_amount / p.sold
            used += abs(p.net) * average * MARGIN_SHARE.get(p.product, Decimal(1))
        return used.quantize(Decimal("0.01"))

    def _margin(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        cash, used = self._cash(userid), self._margin_used(userid)
        rows = [
            {"srno": 100, "particulars": "Margin Summary", "amount": 0},
            {"srno": 102, "particulars": "Available for Cash / SLBM Segment", "amount": float(cash - used)},
            {"srno": 201, "particulars": "Cash Balance (Cash Margin)", "amount": float(cash)},
            {"srno": 220, "particulars": "Non-Cash Balance (Non-Cash Margin)", "amount": 0},
            {"srno": 300, "particulars": "Margin Usage Details (B)", "amount": float(used)},
        ]
        return envelope(message="Margin detail", data=rows)

    # ---- demo ----------------------------------------------------------------------------------------------

    async def walk_prices(self, interval_s: float, volatility: float = 0.002) -> None:
        """Random-walk every seeded price (for the demo), matching resting orders as prices move."""
        rng = random.Random()
        while True:
            await asyncio.sleep(interval_s)
            for token, price in list(self.ltp.items()):
                step = Decimal(str(round(rng.gauss(0, volatility), 5)))
                moved = (price * (1 + step) / Decimal("0.05")).to_integral_value(ROUND_HALF_UP) * Decimal("0.05")
                self.set_ltp(token, max(moved, Decimal("0.05")))


ROUTES = {
    "/rest/trans/v1/placeorder": FakeMotilal._place,
    "/rest/trans/v2/modifyorder": FakeMotilal._modify,
    "/rest/trans/v1/cancelorder": FakeMotilal._cancel,
    "/rest/book/v2/getorderbook": FakeMotilal._order_book,
    "/rest/book/v1/gettradebook": FakeMotilal._trade_book,
    "/rest/book/v1/getposition": FakeMotilal._positions,
    "/rest/report/v1/getdpholding": FakeMotilal._holdings,
    "/rest/report/v1/getltpdata": FakeMotilal._ltp,
    "/rest/report/v1/getreportmargindetail": FakeMotilal._margin,
}


def _copy_user(user: FakeUser) -> FakeUser:
    return FakeUser(
        user.userid, user.password, user.api_key, user.two_fa, user.totp_secret, user.cash, dict(user.holdings)
    )


def _later(previous: datetime) -> datetime:
    """Now, but always a later second than before: lastmodifiedtime must change with every change."""
    now = datetime.now(IST).replace(microsecond=0)
    return max(now, previous.replace(microsecond=0) + timedelta(seconds=1))


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="A fake Motilal Oswal OpenAPI for MultiDesk demos and tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--walk-seconds", type=float, default=2.0, help="move prices this often; 0 keeps them still")
    args = parser.parse_args()
    fake = FakeMotilal()

    async def serve() -> None:
        config = uvicorn.Config(fake.app, host=args.host, port=args.port, log_level="info")
        walker = asyncio.create_task(fake.walk_prices(args.walk_seconds)) if args.walk_seconds > 0 else None
        try:
            await uvicorn.Server(config).serve()
        finally:
            if walker is not None:
                walker.cancel()

    print(f"fake Motilal on http://{args.host}:{args.port}; users: " + ", ".join(u.userid for u in SEED_USERS))
    asyncio.run(serve())


if __name__ == "__main__":
    main()
