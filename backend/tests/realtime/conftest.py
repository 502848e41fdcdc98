"""A real server for socket tests: the session app served by uvicorn on a free port, and recording clients."""

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import socketio
import uvicorn
from redis.asyncio import Redis

from app.realtime.server import MultiDeskApp


class Recorder:
    """A python-socketio client that keeps every event it receives, in order."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.connect_errors: list[Any] = []
        self.disconnects: list[Any] = []
        self.client.on("*", self._any)
        self.client.on("connect_error", self._connect_error)
        self.client.on("disconnect", self._disconnect)

    async def _any(self, event: str, data: Any) -> None:
        self.events.append((event, data))

    async def _connect_error(self, data: Any) -> None:
        self.connect_errors.append(data)

    async def _disconnect(self, reason: Any = None) -> None:
        self.disconnects.append(reason)

    def received(self, event: str, **match: Any) -> list[dict[str, Any]]:
        return [
            data
            for name, data in self.events
            if name == event and all(data.get(key) == value for key, value in match.items())
        ]

    async def call(self, event: str, data: Any) -> dict[str, Any]:
        return await self.client.call(event, data, timeout=5)

    async def wait_for(self, event: str, within: float = 5.0, count: int = 1, **match: Any) -> list[dict[str, Any]]:
        await wait_until(lambda: len(self.received(event, **match)) >= count, within)
        return self.received(event, **match)


async def wait_until(check: Callable[[], bool], within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.fixture(scope="session")
async def server_url(app: MultiDeskApp) -> AsyncIterator[str]:
    """The session app (already started by its lifespan) on a real port, so clients speak real WebSocket."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    await wait_until(lambda: server.started or task.done())
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
    listener.close()


Connect = Callable[..., Awaitable[Recorder]]


@pytest.fixture
async def connect(server_url: str) -> AsyncIterator[Connect]:
    """connect(token) -> a connected Recorder; connect(token, expect_refusal=True) -> a refused one."""
    made: list[Recorder] = []

    async def make(token: str | None, *, expect_refusal: bool = False) -> Recorder:
        recorder = Recorder()
        made.append(recorder)
        auth = None if token is None else {"token": token}
        if expect_refusal:
            with pytest.raises(socketio.exceptions.ConnectionError):
                await recorder.client.connect(server_url, auth=auth, transports=["websocket"], wait_timeout=5)
        else:
            await recorder.client.connect(server_url, auth=auth, transports=["websocket"], wait_timeout=5)
        return recorder

    yield make
    for recorder in made:
        if recorder.client.connected:
            await recorder.client.disconnect()


# A Redis database of these tests' own (never 0, which a developer's server may use): emptied before each test.
REDIS_URL = os.environ.get("MULTIDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable ({exc!r}); this test needs it (make services)")
    await client.flushdb()
    yield client
    await client.aclose()
