"""`FakeMotilal`: the fake's state, its Python and HTTP control, the request handler (headers, sessions, faults,
routing) and the demo entry point."""

import argparse
import asyncio
import csv
import itertools
import json
import random
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from tests.fakes.motilal.auth import ACCESS_TOKEN_PATH, LOGIN_PATH, SESSION_ERRORS, Auth, session_error
from tests.fakes.motilal.broadcast import Broadcast
from tests.fakes.motilal.carry import Carry
from tests.fakes.motilal.model import (
    BOOK_TIME,
    OPEN,
    SEED_USERS,
    TOKENS_CSV,
    Book,
    FakeOrder,
    FakeUser,
    Fault,
    InvalidInput,
    Recorded,
    copy_user,
    error,
)
from tests.fakes.motilal.orders import Orders
from tests.fakes.motilal.reports import Reports
from tests.fakes.motilal.scrip_master import ScripMaster


class FakeMotilal(Auth, Orders, Reports, Carry, ScripMaster, Broadcast):
    """The fake broker's state and its ASGI app (`fake.app`)."""

    def __init__(self, *, tokens_csv: Path | None = TOKENS_CSV) -> None:
        self._tokens_csv = tokens_csv
        self.app = Starlette(
            routes=[
                Route("/_fake/{action}", self._control, methods=["GET", "POST"]),
                Route("/getscripmastercsv", self._scrip_master, methods=["GET"]),
                WebSocketRoute("/jwebsocket/jwebsocket", self._broadcast_endpoint),
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
        self.users: dict[str, FakeUser] = {u.userid: copy_user(u) for u in SEED_USERS}
        self.books: dict[str, Book] = {u: Book() for u in self.users}
        self._reset_sessions()
        self.ltp: dict[int, Decimal] = {}
        self.lot_sizes: dict[int, int] = {}
        self.liquidity: dict[int, int] = {}
        self.faults: list[Fault] = []
        # How trade rows write tradetime: BOOK_TIME, or "%d/%m/%Y" (the date alone, as Motilal's trade-book docs show).
        self.trade_time_format = BOOK_TIME
        self.requests: list[Recorded] = []
        self.login_attempts: Counter[str] = Counter()
        self.logins: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._trade_ids = itertools.count(1)
        self._release = asyncio.Event()
        self._seed_prices()
        self._reset_scrip_master()
        self._reset_broadcast()

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
        self._push_ltp(token)
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
        elif action == "logout":
            self.log_out(body["userid"])
        elif action == "reset":
            self.reset()
        elif action == "broadcast-drop":
            self.drop_broadcast()
        elif action == "state":
            return JSONResponse(self.state())
        elif not self._carry_control(action, body):
            return JSONResponse({"error": f"unknown control {action}"}, status_code=404)
        return JSONResponse({"ok": True})

    def state(self) -> dict[str, Any]:
        return {
            "ltp": {str(token): str(price) for token, price in sorted(self.ltp.items())},
            "users": {
                userid: {
                    "cash": str(self._cash(userid)),
                    "orders": [o.row() for o in self.books[userid].orders.values()],
                    "trades": self._trade_rows(userid),
                    "positions": self._position_rows(userid),
                    "holdings": self._holdings(userid, {})["data"] or [],
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
                # A session refusal with one of Motilal's session codes (MO8002 Token Expired unless given).
                return JSONResponse(session_error(fault.code if fault.code in SESSION_ERRORS else "MO8002"))
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
            return error("MO2001", "Method Not Allowed")
        if not isinstance(body, dict):
            return error("MO2002", "InVaild JSON format in Body Request")
        headers = request.headers
        refused = self._check_headers(headers)
        if refused is not None:
            return refused
        if path == LOGIN_PATH:
            return self._login(headers, body)
        userid, refused = self._authorise(path, headers)
        if refused is not None:
            return refused
        assert userid is not None
        if path == ACCESS_TOKEN_PATH:
            return self._access_token(headers)
        handler = ROUTES.get(path)
        if handler is None:
            return error("MO2001", f"Unknown API {path}")
        try:
            return handler(self, userid, body)
        except InvalidInput as exc:
            return error(exc.code, str(exc))
        except ValueError as exc:  # a field that is not even of its type (a price that is not a number)
            return error("MO1050", f"Invalid Input Parameter: {exc}")

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
    "/rest/trans/v2/placeorder": FakeMotilal._place,
    "/rest/trans/v5/modifyorder": FakeMotilal._modify,
    "/rest/trans/v2/cancelorder": FakeMotilal._cancel,
    "/rest/book/v5/getorderbook": FakeMotilal._order_book,
    "/rest/book/v4/gettradebook": FakeMotilal._trade_book,
    "/rest/book/v5/getorderdetailbyuniqueorderid": FakeMotilal._order_detail,
    "/rest/book/v4/gettradedetailbyuniqueorderid": FakeMotilal._trade_detail,
    "/rest/book/v4/getposition": FakeMotilal._positions,
    "/rest/report/v3/getdpholding": FakeMotilal._holdings,
    "/rest/report/v1/getltpdata": FakeMotilal._ltp,
    "/rest/report/v3/getreportmargindetail": FakeMotilal._margin,
}


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
