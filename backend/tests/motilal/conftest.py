"""Motilal fixtures: the fake OpenAPI served over real HTTP (uvicorn, on a free port), adapters and app clients on it.

The fake runs for the whole session on the test event loop, so tests drive it through its Python API
(`fake.set_ltp`, `fake.fail_next`...) and it is reset before every test. `motilal` points the app's own Motilal
adapter at the fake for one test and restores the settings afterwards.
"""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import httpx
import pytest
import uvicorn

from app.brokers.base import BrokerAccount
from app.brokers.motilal import MotilalBroker, MotilalConfig
from app.context import AppContext
from app.enums import BrokerName
from app.models import Client
from app.services.reconcile import on_broker_order
from tests.conftest import Actor, Simulator
from tests.fakes.motilal import SEED_USERS, FakeMotilal, FakeUser

USERS = {user.userid: user for user in SEED_USERS}
TOTP_USER, PLAIN_USER, POOR_USER = (user.userid for user in SEED_USERS)


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: the test process keeps Ctrl-C for itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class FakeServer:
    fake: FakeMotilal
    url: str


@pytest.fixture(scope="session")
async def fake_server() -> AsyncIterator[FakeServer]:
    fake = FakeMotilal()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP: asyncio sets NODELAY
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(fake.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield FakeServer(fake, f"http://127.0.0.1:{port}")
    fake.reset()
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture
def fake(fake_server: FakeServer) -> Iterator[FakeMotilal]:
    fake_server.fake.reset()
    yield fake_server.fake
    fake_server.fake.reset()  # also lets requests hung by a timeout fault finish


def credentials(user: FakeUser, **changes: str) -> dict[str, str]:
    creds = {"api_key": user.api_key, "password": user.password, "two_fa": user.two_fa}
    if user.totp_secret:
        creds["totp_secret"] = user.totp_secret
    if user.api_secret:
        creds["api_secret"] = user.api_secret
    creds.update(changes)
    return {name: value for name, value in creds.items() if value}


def account(userid: str, client_id: int | None = None, **changes: str) -> BrokerAccount:
    user = USERS[userid]
    number = client_id if client_id is not None else list(USERS).index(userid) + 1
    return BrokerAccount(number, userid, credentials(user, **changes), Decimal(0))


def config(url: str, **changes: object) -> MotilalConfig:
    return MotilalConfig(**{"base_url": url, "timeout_s": 0.5, **changes})  # type: ignore[arg-type]


MakeBroker = Callable[..., Awaitable[MotilalBroker]]


@pytest.fixture
async def make_broker(fake: FakeMotilal, fake_server: FakeServer) -> AsyncIterator[MakeBroker]:
    made: list[MotilalBroker] = []

    async def make(**changes: object) -> MotilalBroker:
        broker = MotilalBroker(config(fake_server.url, **changes))
        await broker.start()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.close()


@pytest.fixture
async def broker(make_broker: MakeBroker) -> MotilalBroker:
    return await make_broker()


@dataclass
class MotilalApp:
    """The app's Motilal adapter pointed at the fake, and a way to add Motilal clients through the API."""

    ctx: AppContext
    fake: FakeMotilal
    http: httpx.AsyncClient

    async def client(self, owner: Actor, userid: str, **changes: str) -> Client:
        body = {
            "display_name": f"Motilal {userid}",
            "broker": BrokerName.MOTILAL.value,
            "broker_client_id": userid,
            "opening_cash": "0",
            "credentials": credentials(USERS[userid], **changes),
        }
        response = await self.http.post("/api/v1/clients", json=body, headers=owner.headers)
        assert response.status_code == 201, response.text
        async with self.ctx.sessions() as session:
            client = await session.get(Client, response.json()["id"])
        assert client is not None
        return client


@pytest.fixture
async def motilal(
    ctx: AppContext, sim: Simulator, fake: FakeMotilal, fake_server: FakeServer, http: httpx.AsyncClient
) -> AsyncIterator[MotilalApp]:
    changed = {"motilal_base_url": fake_server.url, "motilal_timeout_s": 1.0}
    saved = {name: getattr(ctx.settings, name) for name in changed}
    for name, value in changed.items():
        setattr(ctx.settings, name, value)
    await ctx.brokers.close()
    await ctx.start_brokers(order_listener=partial(on_broker_order, ctx))
    yield MotilalApp(ctx, fake, http)
    # The autouse clean-up restarts the brokers after this, with the settings put back.
    for name, value in saved.items():
        setattr(ctx.settings, name, value)
