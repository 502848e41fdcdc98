"""Shared fixtures: one app per test session on SQLite or PostgreSQL (MULTIDESK_TEST_DATABASE_URL), users, clients."""

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from sqlalchemy import delete, text, update
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlmodel import SQLModel

from app.brokers.simulator import SimulatorBroker
from app.config import Settings
from app.context import AppContext
from app.enums import BrokerName, Role
from app.main import create_app
from app.models import AuditHead, Client, Instrument, User
from app.models.instrument import instrument_ref
from app.realtime.server import MultiDeskApp
from app.security.passwords import hash_password
from app.services.audit import GENESIS_HASH
from app.services.reconcile import on_broker_order

TEST_PASSWORD = "correct-horse-9"
# The bearer token GET /metrics asks for (MULTIDESK_METRICS_TOKEN).
METRICS_TOKEN = "test-metrics-token-0123456789"
# Hashing once keeps fixtures fast; every fixture user shares this password.
_PASSWORD_HASH = hash_password(TEST_PASSWORD)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Several backend processes on one database is scale-out, which is PostgreSQL's (DESIGN 9): on the SQLite pass
    those tests are deselected, and the header and the summary say how many."""
    if os.environ.get("MULTIDESK_TEST_DATABASE_URL"):
        return
    several = [item for item in items if item.get_closest_marker("several_processes")]
    if several:
        config.hook.pytest_deselected(items=several)
        items[:] = [item for item in items if not item.get_closest_marker("several_processes")]


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get("MULTIDESK_TEST_DATABASE_URL"):
        return "database: PostgreSQL (every test, several_processes included)"
    return "database: SQLite (several_processes tests deselected: they run on the PostgreSQL pass)"


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("MULTIDESK_TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}"


async def reset_database(url: str) -> None:
    """Leave an empty database, so the app's own migrations build the schema from nothing."""
    if url.startswith("sqlite"):
        return
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    return Settings(
        demo_mode=False,
        data_dir=data_dir,
        database_url=database_url(data_dir),
        jwt_secret="test-secret-" + "x" * 40,
        encryption_keys=[Fernet.generate_key().decode()],
        static_dir=data_dir / "no-frontend",
        # Each test gets a fresh in-memory simulator; the journal has tests of its own.
        sim_persist=False,
        # The tests run at any hour and on weekends; market hours have tests of their own (tests/brokers).
        sim_always_open=True,
        # Never the real Motilal: nothing listens on the discard port, so a Motilal client outside tests/motilal
        # gets BrokerUnavailable; tests/motilal points this at its fake server.
        motilal_base_url="http://127.0.0.1:9",
        metrics_token=METRICS_TOKEN,
    )


@pytest.fixture(scope="session")
async def app(test_settings: Settings) -> AsyncIterator[MultiDeskApp]:
    await reset_database(test_settings.resolved_database_url)
    application = create_app(test_settings)
    # The start-up (migrations, the exchange calendar's sessions) can take more than the 5 s default on a busy
    # machine; a timed-out start fails every test that uses the app.
    async with LifespanManager(application, startup_timeout=60):
        yield application


@pytest.fixture(scope="session")
def ctx(app: MultiDeskApp) -> AppContext:
    return app.state.ctx


@pytest.fixture
async def db(ctx: AppContext) -> AsyncIterator[AsyncSession]:
    async with ctx.sessions() as session:
        yield session


@pytest.fixture
async def http(app: MultiDeskApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


_KEEP = {"instruments", "alembic_version", "audit_head"}


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empties every table but the reference data after each test that used the app."""
    uses_app = "app" in request.fixturenames
    context: AppContext | None = request.getfixturevalue("ctx") if uses_app else None
    yield
    if context is None:
        return
    # Background work (batch runs, pushed fills) stops before the tables are emptied under it.
    await context.tasks.close()
    await context.brokers.close()
    async with context.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in _KEEP:
                await connection.execute(delete(table))
        await connection.execute(update(AuditHead).values(last_hash=GENESIS_HASH, length=0))
    # Rate-limit budgets and login lockouts start fresh in each test.
    await context.limits.reset()
    # A fresh simulator too: SQLite hands the same ids to the next test's clients and orders.
    await context.start_brokers(order_listener=partial(on_broker_order, context))


@dataclass
class Actor:
    user: User
    headers: dict[str, str]

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id


MakeUser = Callable[..., Awaitable[Actor]]


@pytest.fixture
def make_user(ctx: AppContext) -> MakeUser:
    async def make(role: Role, email: str | None = None, full_name: str = "Test User") -> Actor:
        async with ctx.sessions() as session:
            user = User(
                email=email or f"{role}-{os.urandom(4).hex()}@example.com",
                full_name=full_name,
                role=role,
                password_hash=_PASSWORD_HASH,
            )
            session.add(user)
            await session.commit()
        assert user.id is not None
        return Actor(user, {"Authorization": f"Bearer {ctx.tokens.issue(user.id, 'access')}"})

    return make


@pytest.fixture
async def admin(make_user: MakeUser) -> Actor:
    return await make_user(Role.ADMIN, "admin@example.com", "Admin")


@pytest.fixture
async def advisor(make_user: MakeUser) -> Actor:
    return await make_user(Role.ADVISOR, "advisor@example.com", "Advisor One")


@pytest.fixture
async def other_advisor(make_user: MakeUser) -> Actor:
    return await make_user(Role.ADVISOR, "advisor2@example.com", "Advisor Two")


@pytest.fixture
async def viewer(make_user: MakeUser) -> Actor:
    return await make_user(Role.VIEWER, "viewer@example.com", "Viewer")


MakeClients = Callable[..., Awaitable[list[Client]]]


@pytest.fixture
def make_clients(ctx: AppContext) -> MakeClients:
    async def make(owner: Actor, count: int, cash: Decimal = Decimal("1000000"), prefix: str = "SIM") -> list[Client]:
        async with ctx.sessions() as session:
            rows = [
                Client(
                    owner_id=owner.id,
                    display_name=f"Client {prefix}{i + 1}",
                    broker=BrokerName.SIMULATOR,
                    broker_client_id=f"{prefix}{owner.id}-{i + 1}",
                    opening_cash=cash,
                )
                for i in range(count)
            ]
            session.add_all(rows)
            await session.commit()
        return rows

    return make


@dataclass
class Simulator:
    """The app's simulator broker, reconfigurable per test (the app restarts its brokers with the new settings)."""

    ctx: AppContext
    _changed: dict[str, object]

    @property
    def broker(self) -> SimulatorBroker:
        adapter = self.ctx.brokers.adapter(BrokerName.SIMULATOR)
        assert isinstance(adapter, SimulatorBroker)
        return adapter

    async def configure(self, **settings: object) -> SimulatorBroker:
        for name, value in settings.items():
            self._changed.setdefault(name, getattr(self.ctx.settings, name))
            setattr(self.ctx.settings, name, value)
        await self.ctx.brokers.close()
        await self.ctx.start_brokers(order_listener=partial(on_broker_order, self.ctx))
        return self.broker

    def next_trading_day(self) -> None:
        """Move the simulator's clock a week on: a later trading day, so today's DELIVERY buys become holdings."""
        clock = self.broker._clock
        self.broker._clock = lambda: clock() + timedelta(days=7)

    async def price(self, token_id: int, price: str) -> None:
        """Move the instrument to a scripted price; resting orders match against it."""
        async with self.ctx.sessions() as session:
            instrument = await session.get(Instrument, token_id)
        assert instrument is not None
        self.broker.register(instrument_ref(instrument))
        self.broker.set_price(token_id, Decimal(price))


@pytest.fixture
async def sim(ctx: AppContext) -> AsyncIterator[Simulator]:
    simulator = Simulator(ctx, {})
    # Exact numbers in tests: no slippage unless a test asks for it, and no background ticks moving prices.
    await simulator.configure(sim_slippage_bps=Decimal("0"), sim_tick_interval_s=3600.0)
    yield simulator
    for name, value in simulator._changed.items():
        setattr(ctx.settings, name, value)


def place_order(http: httpx.AsyncClient, headers: dict[str, str], **fields: object) -> Awaitable[httpx.Response]:
    """POST /orders/place: a MARKET INTRADAY buy of one RELIANCE share unless `fields` say otherwise."""
    body = {
        "token_id": 2885,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "quantity": 1,
        **fields,
    }
    return http.post("/api/v1/orders/place", json=body, headers=headers)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Wait for something pushed in the background (a fill from a price move) to be recorded."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def wait_for_trades(
    http: httpx.AsyncClient, actor: Actor, expected: int, params: dict[str, object] | None = None
) -> list[dict[str, object]]:
    """The fills list once it holds `expected` rows: fills are copied from the broker just after the order's status."""
    found: list[dict[str, object]] = []

    async def complete() -> bool:
        nonlocal found
        page = (await http.get("/api/v1/trades", params=params or {}, headers=actor.headers)).json()
        found = page["items"]
        return page["total"] == expected

    await eventually(complete)
    return found


RELIANCE = 2885

SetLot = Callable[[int], Awaitable[None]]


@pytest.fixture
async def set_lot(ctx: AppContext) -> AsyncIterator[SetLot]:
    """RELIANCE's lot size for one test (every instrument in data/tokens.csv trades in lots of 1)."""

    async def put(size: int) -> None:
        async with ctx.sessions() as session:
            instrument = await session.get(Instrument, RELIANCE)
            assert instrument is not None
            instrument.lot_size = size
            await session.commit()

    yield put
    await put(1)
