"""Fault tests (issue 8): the database or Redis going away under a running app, and a broker call that times out.

Database. The app under test is one of its own (`create_app`, full start-up), faced with the fault the suite's
database can really have; nothing is mocked:
- PostgreSQL (MULTIDESK_TEST_DATABASE_URL): the app reaches it through a TCP proxy the test controls (tests/
  tcp_proxy.py). `postgres-refused`: the server is gone, connections are reset. `postgres-no-answer`: it stops
  answering, as in a network partition, so only the database URL's `timeout` (1 s here) ends each wait.
- SQLite (the default): `sqlite-write-locked`: another connection holds the write lock, as a second process or a
  backup would; the app's own file, the URL's `timeout` bounding the wait for the lock. SQLite keeps serving reads
  meanwhile (WAL), so there reads succeed and writes fail.
Either way /health/ready answers 503, requests answer 503 DATABASE_UNAVAILABLE in the standard error shape (not
a 500, not a hang), a placement reaches the broker only with its row written, and once the database is back the
same app (no restart) serves again; an outage that strikes between an order's row and the broker's answer leaves
a PENDING row that reconciliation settles from the broker's book.

Redis (MULTIDESK_REDIS_URL through a proxy to the Redis at 127.0.0.1:6379, database 5): the app starts and keeps
serving without it, as documented. /health/ready answers 200 "degraded" naming Redis, rate limits are counted in
process memory (still enforced), Socket.IO events reach the sockets on the sending process, and when Redis is back
everything is shared through it again. A Redis that hangs costs one bounded wait, not one per request.

Brokers. Already covered elsewhere: a timed-out order the broker took is FAILED, then reconciled to the broker's
state (tests/test_reconcile.py, simulator; tests/motilal/test_app.py, Motilal); a crash between the row and the
call is reconciled to CANCELLED NOT_AT_BROKER and never re-sent (tests/test_reconcile.py); a call outliving
MULTIDESK_BROKER_CALL_TIMEOUT_S is FAILED (tests/test_execute_all.py); Motilal 5xx answers are BrokerUnavailable
(tests/motilal/test_adapter.py). Added here: a call cut off by the timeout before the broker booked it is
reconciled to NOT_AT_BROKER; in tests/motilal/test_faults.py: a 5xx on placement through the app, and a
reconciliation pass that cannot read the broker's book.
"""

import asyncio
import os
import secrets
import socket
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import httpx
import pytest
import socketio
import uvicorn
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.brokers.base import BrokerAccount, BrokerOrder, BrokerOrderAck, BrokerOrderRequest
from app.brokers.simulator import SimulatorBroker
from app.config import Settings
from app.context import AppContext
from app.enums import BrokerName, OrderStatus, Role
from app.errors import RateLimited
from app.main import create_app
from app.models import Client, User
from app.realtime.server import MultiDeskApp
from app.security.ratelimit import RateLimits
from app.services.reconcile import NOT_AT_BROKER, reconcile
from tests.conftest import Actor, MakeClients, Simulator, database_url, eventually, place_order
from tests.tcp_proxy import TcpProxy

T = TypeVar("T")
RELIANCE = 2885
NOW = timedelta(0)
# Every wait on a missing database or Redis is bounded by these (the URL's `timeout`, MULTIDESK_REDIS_TIMEOUT_S).
DATABASE_TIMEOUT_S = 1
REDIS_TIMEOUT_S = 0.5
# How long a request may take during a fault before the test calls it a hang: a few of the timeouts above (a
# stalled PostgreSQL costs a ping, closing the connection and a new connect), far below anything unbounded.
ANSWERED_WITHIN_S = 20
REDIS_URL = os.environ.get("MULTIDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
# Placements at once during an outage: more than the pool's connections (4 + 4 overflow here), so some wait for one.
BURST = 12
SMALL_POOL = {"db_pool_size": 4, "db_max_overflow": 4}

ON_POSTGRES = database_url(Path()).startswith("postgresql")
DATABASE_FAULTS = ["postgres-refused", "postgres-no-answer"] if ON_POSTGRES else ["sqlite-write-locked"]


async def answered(requests: Awaitable[T]) -> T:
    """The answer to requests made during a fault: there must be one, within the bound."""
    async with asyncio.timeout(ANSWERED_WITHIN_S):
        return await requests


def assert_database_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert (error["code"], error["details"]) == ("DATABASE_UNAVAILABLE", {})
    assert error["message"]


def app_settings(base: Settings, data_dir: Path, **changes: Any) -> Settings:
    """The suite's settings for an app of the test's own, on its own data dir."""
    return Settings(
        **{
            **base.model_dump(),
            "data_dir": data_dir,
            "static_dir": data_dir / "no-frontend",
            # Exact fills at the instrument's reference price, no price moves.
            "sim_slippage_bps": Decimal(0),
            "sim_tick_interval_s": 3600.0,
            # Reconciliation runs when the test says so.
            "reconcile_interval_s": 3600.0,
            **changes,
        }
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[MultiDeskApp, httpx.AsyncClient]]:
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=ANSWERED_WITHIN_S, shutdown_timeout=ANSWERED_WITHIN_S):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield application, http


async def advisor_with_client(ctx: AppContext) -> tuple[dict[str, str], Client]:
    async with ctx.sessions() as session:
        # Never signs in: its access token is issued directly.
        user = User(
            email=f"faults-{secrets.token_hex(4)}@example.com",
            full_name="Fault Advisor",
            role=Role.ADVISOR,
            password_hash="!",
        )
        session.add(user)
        await session.flush()
        assert user.id is not None
        client = Client(
            owner_id=user.id,
            display_name="Fault Client",
            broker=BrokerName.SIMULATOR,
            broker_client_id=f"FAULT-{user.id}",
            opening_cash=Decimal("1000000"),
        )
        session.add(client)
        await session.commit()
    return {"Authorization": f"Bearer {ctx.tokens.issue(user.id, 'access')}"}, client


def simulator(ctx: AppContext) -> SimulatorBroker:
    broker = ctx.brokers.adapter(BrokerName.SIMULATOR)
    assert isinstance(broker, SimulatorBroker)
    return broker


async def broker_book(ctx: AppContext, client: Client) -> list[BrokerOrder]:
    assert client.id is not None
    return await simulator(ctx).order_book(BrokerAccount(client.id, client.broker_client_id, {}, client.opening_cash))


def place(http: httpx.AsyncClient, headers: dict[str, str], client_id: int | None) -> Awaitable[httpx.Response]:
    return place_order(http, headers, client_id=client_id)


# --- the database ------------------------------------------------------------------------------------------------


class Outage(Protocol):
    reads_fail: ClassVar[bool]

    async def begin(self) -> None: ...

    async def end(self) -> None: ...


@dataclass
class ProxyOutage:
    """PostgreSQL gone (connections reset) or not answering (a partition), through the proxy."""

    proxy: TcpProxy
    no_answer: bool
    reads_fail: ClassVar[bool] = True

    async def begin(self) -> None:
        if self.no_answer:
            self.proxy.stall()
        else:
            self.proxy.cut()

    async def end(self) -> None:
        self.proxy.restore()


@dataclass
class WriteLock:
    """Another connection holding SQLite's write lock, as a second process or a backup would."""

    path: Path
    reads_fail: ClassVar[bool] = False
    holder: sqlite3.Connection | None = None

    async def begin(self) -> None:
        # In a thread: the app may be finishing a write, and this must wait for it without blocking the app's loop.
        self.holder = await asyncio.to_thread(self._lock)

    def _lock(self) -> sqlite3.Connection:
        holder = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        return holder

    async def end(self) -> None:
        holder, self.holder = self.holder, None
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()


@dataclass
class FaultyDatabase:
    ctx: AppContext
    http: httpx.AsyncClient
    headers: dict[str, str]
    client: Client
    outage: Outage

    def place(self) -> Awaitable[httpx.Response]:
        return place(self.http, self.headers, self.client.id)

    async def book(self) -> list[BrokerOrder]:
        return await broker_book(self.ctx, self.client)

    async def orders(self) -> list[dict[str, Any]]:
        listed = await self.http.get("/api/v1/orders", headers=self.headers)
        assert listed.status_code == 200, listed.text
        return listed.json()["items"]


@pytest.fixture(params=DATABASE_FAULTS)
async def faulty_database(
    request: pytest.FixtureRequest, app: MultiDeskApp, test_settings: Settings, tmp_path: Path
) -> AsyncIterator[FaultyDatabase]:
    # `app` (the suite's app) is asked for its database handling: on PostgreSQL this app shares the suite's
    # database, which that fixture resets at the start and empties after each test.
    proxy: TcpProxy | None = None
    if ON_POSTGRES:
        target = make_url(test_settings.resolved_database_url)
        proxy = await TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
        url = target.set(host="127.0.0.1", port=proxy.port).update_query_dict({"timeout": str(DATABASE_TIMEOUT_S)})
        outage: Outage = ProxyOutage(proxy, no_answer=request.param == "postgres-no-answer")
        database = url.render_as_string(hide_password=False)
    else:
        path = tmp_path / "faults.db"
        outage = WriteLock(path)
        database = f"sqlite+aiosqlite:///{path}?timeout={DATABASE_TIMEOUT_S}"
    try:
        settings = app_settings(test_settings, tmp_path, database_url=database, **SMALL_POOL)
        async with running(settings) as (application, http):
            ctx: AppContext = application.state.ctx
            headers, client = await advisor_with_client(ctx)
            try:
                yield FaultyDatabase(ctx, http, headers, client, outage)
            finally:
                await outage.end()
    finally:
        if proxy is not None:
            await proxy.close()


async def test_a_database_outage_answers_503_writes_nothing_half_and_the_same_app_recovers(
    faulty_database: FaultyDatabase,
) -> None:
    db = faulty_database
    assert (await db.http.get("/health/ready")).status_code == 200
    before = await db.place()
    assert before.status_code == 201 and before.json()["status"] == "FILLED", before.text

    await db.outage.begin()
    ready = await answered(db.http.get("/health/ready"))
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable" and ready.json()["checks"]["database"].startswith("error: ")
    listed = await answered(db.http.get("/api/v1/orders", headers=db.headers))
    if db.outage.reads_fail:
        assert_database_unavailable(listed)
    else:
        assert listed.status_code == 200 and listed.json()["total"] == 1
    # A burst, as a desk keeps trying: more requests than the pool has connections, so some wait for one.
    for response in await answered(asyncio.gather(*(db.place() for _ in range(BURST)))):
        assert_database_unavailable(response)
    assert len(await db.book()) == 1, "nothing reached the broker without its row"

    await db.outage.end()
    ready = await db.http.get("/health/ready")
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "market_data": "ok"}},
    )
    after = await db.place()
    assert after.status_code == 201 and after.json()["status"] == "FILLED", after.text
    orders = await db.orders()
    assert [order["status"] for order in orders] == ["FILLED", "FILLED"], "the refused placement left no row"
    assert sorted(order.tag for order in await db.book()) == sorted(f"MD{order['id']}" for order in orders)


async def test_an_outage_between_the_orders_row_and_the_brokers_answer_loses_nothing(
    faulty_database: FaultyDatabase,
) -> None:
    db = faulty_database
    broker = simulator(db.ctx)
    real_place = broker.place_order

    async def place_as_the_database_goes(account: BrokerAccount, request: BrokerOrderRequest) -> BrokerOrderAck:
        # The order's row is committed by now; the broker takes the order, its answer cannot be recorded.
        await db.outage.begin()
        return await real_place(account, request)

    broker.place_order = place_as_the_database_goes  # type: ignore[method-assign]
    assert_database_unavailable(await answered(db.place()))
    broker.place_order = real_place  # type: ignore[method-assign]
    await db.outage.end()

    [row] = await db.orders()
    assert row["status"] == "PENDING"
    [at_broker] = await db.book()
    assert (at_broker.tag, at_broker.status) == (f"MD{row['id']}", OrderStatus.FILLED)
    report = await reconcile(db.ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (report.updated, report.not_at_broker) == (1, 0)
    [settled] = await db.orders()
    assert (settled["status"], settled["filled_quantity"]) == ("FILLED", 1)
    assert len(await db.book()) == 1, "found by its tag, never sent again"
    fills = (await db.http.get("/api/v1/trades", headers=db.headers)).json()
    assert [fill["order_id"] for fill in fills["items"]] == [row["id"]]


# --- Redis -------------------------------------------------------------------------------------------------------

REDIS_FAULTS = ["refused", "no-answer"]


def break_redis(proxy: TcpProxy, fault: str) -> None:
    if fault == "no-answer":
        proxy.stall()
    else:
        proxy.cut()


@pytest.fixture
async def redis_proxy() -> AsyncIterator[TcpProxy]:
    target = make_url(REDIS_URL)
    proxy = await TcpProxy(target.host or "127.0.0.1", target.port or 6379).start()
    yield proxy
    await proxy.close()


def through(proxy: TcpProxy) -> str:
    return make_url(REDIS_URL).set(port=proxy.port).render_as_string()


def unique_email() -> str:
    # Redis database 5 may be shared with other test runs: keys of their own keep their budgets apart.
    return f"faults-{secrets.token_hex(6)}@example.com"


async def login(http: httpx.AsyncClient, email: str) -> httpx.Response:
    return await answered(http.post("/api/v1/auth/login", json={"email": email, "password": "not-the-password"}))


@pytest.mark.parametrize("fault", REDIS_FAULTS)
async def test_without_redis_at_start_the_app_serves_degraded_then_shares_again_when_it_is_back(
    fault: str, redis_proxy: TcpProxy, test_settings: Settings, tmp_path: Path
) -> None:
    break_redis(redis_proxy, fault)
    settings = app_settings(
        test_settings,
        tmp_path,
        # Its own SQLite file whatever the suite's database: this test is about Redis.
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'redis-faults.db'}",
        redis_url=through(redis_proxy),
        redis_timeout_s=REDIS_TIMEOUT_S,
        rate_limit_login_email="2/minute",
    )
    # Another process's view of the shared limits (Redis directly, not through the proxy).
    shared = RateLimits(Settings(**{**settings.model_dump(), "redis_url": REDIS_URL}))
    async with running(settings) as (application, http):
        ctx: AppContext = application.state.ctx
        # Redis is tried at every request here, so the test sees it come back at once (the interval between tries
        # has a test of its own below).
        ctx.limits.retry_interval_s = 0
        ready = await answered(http.get("/health/ready"))
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded"
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["redis"].startswith("error: ")
        # The limits still hold, counted in this process.
        locked_out = unique_email()
        assert [(await login(http, locked_out)).status_code for _ in range(3)] == [401, 401, 429]

        redis_proxy.restore()
        ready = await http.get("/health/ready")
        assert (ready.status_code, ready.json()["status"]) == (200, "ok")
        counted = unique_email()
        assert (await login(http, counted)).status_code == 401
        # Counted in Redis again: another process sees this attempt in the shared budget (2 per minute for one
        # email from one address; the test client's is 127.0.0.1).
        await shared.check_login("127.0.0.1", counted)
        with pytest.raises(RateLimited):
            await shared.check_login("127.0.0.1", counted)


@asynccontextmanager
async def served(application: MultiDeskApp) -> AsyncIterator[str]:
    """The (already started) app on a real port, for Socket.IO clients."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[listener]))

    async def started() -> bool:
        return server.started or task.done()

    await eventually(started)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@pytest.mark.parametrize("fault", REDIS_FAULTS)
async def test_redis_going_away_keeps_orders_and_this_process_sockets_going(
    fault: str, redis_proxy: TcpProxy, test_settings: Settings, tmp_path: Path
) -> None:
    settings = app_settings(
        test_settings,
        tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'redis-faults.db'}",
        redis_url=through(redis_proxy),
        redis_timeout_s=REDIS_TIMEOUT_S,
    )
    async with running(settings) as (application, http), served(application) as url:
        ctx: AppContext = application.state.ctx
        headers, client = await advisor_with_client(ctx)
        updates: list[dict[str, Any]] = []
        socket_client = socketio.AsyncClient(reconnection=False)

        async def on_order_update(data: dict[str, Any]) -> None:
            updates.append(data)

        socket_client.on("order_update", on_order_update)

        async def placed_and_announced() -> None:
            response = await answered(place(http, headers, client.id))
            assert response.status_code == 201 and response.json()["status"] == "FILLED", response.text
            order_id = response.json()["id"]

            async def announced() -> bool:
                return any(update["id"] == order_id and update["status"] == "FILLED" for update in updates)

            await eventually(announced)

        await socket_client.connect(
            url, auth={"token": headers["Authorization"].removeprefix("Bearer ")}, transports=["websocket"]
        )
        try:
            await placed_and_announced()
            break_redis(redis_proxy, fault)
            ready = await answered(http.get("/health/ready"))
            assert (ready.status_code, ready.json()["status"]) == (200, "degraded")
            await placed_and_announced()
            await placed_and_announced()
            redis_proxy.restore()
            ready = await http.get("/health/ready")
            assert (ready.status_code, ready.json()["status"]) == (200, "ok")
            await placed_and_announced()
        finally:
            await socket_client.disconnect()


async def test_a_hanging_redis_costs_one_bounded_wait_then_limits_count_in_memory_until_it_is_back(
    redis_proxy: TcpProxy, test_settings: Settings
) -> None:
    settings = Settings(
        **{
            **test_settings.model_dump(),
            "redis_url": through(redis_proxy),
            "redis_timeout_s": REDIS_TIMEOUT_S,
            "rate_limit_orders": "2/minute",
        }
    )
    limits = RateLimits(settings)
    limits.retry_interval_s = 2.0
    # Users of its own in the shared Redis (see unique_email).
    user_ids = count(secrets.randbelow(2**60))
    user = next(user_ids)
    await limits.check_orders(user)
    redis_proxy.stall()
    async with asyncio.timeout(ANSWERED_WITHIN_S):
        await limits.check_orders(user)
    connections = redis_proxy.accepted
    # Within the retry interval Redis is not asked again (a new attempt would open a connection), and the budget
    # is kept in memory: two per minute, counted afresh there.
    await limits.check_orders(user)
    with pytest.raises(RateLimited):
        await limits.check_orders(user)
    assert redis_proxy.accepted == connections

    redis_proxy.restore()

    async def back_on_redis() -> bool:
        await limits.check_orders(next(user_ids))
        return redis_proxy.accepted > connections

    await eventually(back_on_redis, within=10)
    # Shared again: the user's one request from before the fault is counted in Redis, and one more fits.
    await limits.check_orders(user)
    with pytest.raises(RateLimited):
        await limits.check_orders(user)


# --- brokers -----------------------------------------------------------------------------------------------------


async def test_a_call_cut_off_by_the_timeout_before_the_broker_booked_it_is_cancelled_as_not_at_broker(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1)
    # The broker would take longer to act than MULTIDESK_BROKER_CALL_TIMEOUT_S allows: the call is abandoned
    # before anything is booked.
    sim.broker.settings.latency_ms = 2000
    ctx.brokers.call_timeout_s = 0.05
    placed = await place(http, advisor.headers, client.id)
    assert placed.status_code == 201
    order = placed.json()
    assert order["status"] == "FAILED" and order["reason"].startswith("NO_ANSWER"), order
    assert await broker_book(ctx, client) == []

    sim.broker.settings.latency_ms = 0
    report = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (report.updated, report.not_at_broker, report.unreachable_clients) == (0, 1, [])
    settled = (await http.get(f"/api/v1/orders/{order['id']}", headers=advisor.headers)).json()
    assert (settled["status"], settled["reason"]) == ("CANCELLED", NOT_AT_BROKER)
    assert await broker_book(ctx, client) == [], "never re-sent"


async def test_a_task_cancelled_during_a_statement_stays_cancelled_not_a_database_outage(ctx: AppContext) -> None:
    # Shutdown and request timeouts cancel tasks mid-statement; were that reported as DatabaseUnavailable, code that
    # handles outages would swallow the cancellation and carry on.
    slow = (
        "SELECT pg_sleep(10)"
        if ctx.engine.dialect.name == "postgresql"
        else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT count(*) FROM c"
    )

    async def query() -> None:
        async with ctx.sessions() as session:
            await session.execute(text(slow))

    task = asyncio.create_task(query())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
