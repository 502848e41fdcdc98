"""No connection held while waiting (issue 13, item 2): overlapping orders, batches and batch waits never stall the API.

A request takes a pooled database connection only for its own reads and writes, never while it waits for a
broker, the order writer or a batch. So a burst of places, execute-alls and viewers waiting on batches never
starves the pool, and a user who only asks who they are (GET /auth/me) is answered at once meanwhile. The
simulator answers slowly here, so every request of the burst overlaps the others.
"""

import asyncio
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import AppContext
from app.db import make_engine
from app.enums import Role
from app.realtime import events
from app.realtime.events import EventBus
from app.services.batch_waits import BatchWaits
from tests.conftest import Actor, MakeClients, MakeUser, Simulator, place_order

RELIANCE = 2885
PLACES = 50
EXECUTE_ALLS = 20
WAITS = 20
CLIENTS_PER_BATCH = 4
# The bound for an unrelated request during the burst: a load check, not a benchmark.
ANSWER_BOUND_S = 1.0


@dataclass
class LoadResult:
    places: list[httpx.Response] = field(default_factory=list)
    execute_alls: list[httpx.Response] = field(default_factory=list)
    waits: list[httpx.Response] = field(default_factory=list)
    # How long each GET /auth/me took while the burst ran.
    me_seconds: list[float] = field(default_factory=list)


async def overlapping_load(
    http: httpx.AsyncClient,
    trader: dict[str, str],
    bystander: dict[str, str],
    client_ids: list[int],
    *,
    place_url: Callable[[int], str] = lambda _: "",
    wait_url: Callable[[int], str] = lambda _: "",
) -> LoadResult:
    """50 places, 20 execute-alls and a wait on each of their batches at once, and GET /auth/me every 50 ms until
    they are all answered. `place_url(i)` and `wait_url(i)` pick the server of the i-th request (tests with two)."""
    result = LoadResult()

    async def place(index: int) -> None:
        client_id = client_ids[index % len(client_ids)]
        body = {
            "token_id": RELIANCE,
            "client_id": client_id,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "INTRADAY",
            "quantity": 1,
        }
        result.places.append(await http.post(f"{place_url(index)}/api/v1/orders/place", json=body, headers=trader))
        placed.set()

    async def execute_all_then_wait(index: int) -> None:
        start = (index * CLIENTS_PER_BATCH) % len(client_ids)
        chosen = [client_ids[(start + i) % len(client_ids)] for i in range(CLIENTS_PER_BATCH)]
        body = {
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "INTRADAY",
            "allocations": [{"client_id": c, "quantity": 1} for c in chosen],
        }
        url = f"{place_url(index)}/api/v1/orders/execute-all"
        created = await http.post(url, json=body, headers=trader)
        result.execute_alls.append(created)
        if created.status_code != 202:
            return
        batch_id = created.json()["batch_id"]
        waited = await http.get(
            f"{wait_url(index)}/api/v1/batches/{batch_id}", params={"wait": "true", "timeout": 30}, headers=bystander
        )
        result.waits.append(waited)

    async def ask_who_i_am(done: asyncio.Event) -> None:
        # From the first broker answer on: by then every request of the burst has been taken in and they all wait
        # (for the broker, the writer, their batches), which is when held connections used to starve the pool.
        # Before it the process is busy taking the burst in, CPU work no pool setting changes.
        await placed.wait()
        while not done.is_set():
            started = time.perf_counter()
            me = await http.get(f"{wait_url(len(result.me_seconds))}/api/v1/auth/me", headers=bystander)
            result.me_seconds.append(time.perf_counter() - started)
            assert me.status_code == 200, me.text
            await asyncio.sleep(0.05)

    placed, done = asyncio.Event(), asyncio.Event()
    watcher = asyncio.create_task(ask_who_i_am(done))
    try:
        await asyncio.gather(
            *(place(i) for i in range(PLACES)), *(execute_all_then_wait(i) for i in range(max(EXECUTE_ALLS, WAITS)))
        )
    finally:
        done.set()
        await watcher
    return result


def assert_nothing_stalled(result: LoadResult) -> None:
    assert [r.status_code for r in result.places] == [201] * PLACES, [r.text for r in result.places][:3]
    assert [r.json()["status"] for r in result.places] == ["FILLED"] * PLACES
    assert [r.status_code for r in result.execute_alls] == [202] * EXECUTE_ALLS
    assert [r.status_code for r in result.waits] == [200] * WAITS, [r.text for r in result.waits][:3]
    for waited in result.waits:
        batch = waited.json()
        assert batch["status"] == "COMPLETED" and batch["counts"]["filled"] == CLIENTS_PER_BATCH, batch
    # Asked several times while the burst ran, each answered well within the bound.
    assert len(result.me_seconds) >= 3, result.me_seconds
    assert max(result.me_seconds) < ANSWER_BOUND_S, sorted(result.me_seconds)[-5:]


@pytest.fixture
async def bystander(make_user: MakeUser) -> Actor:
    return await make_user(Role.VIEWER, "bystander@example.com", "Bystander")


async def test_a_burst_of_orders_batches_and_batch_waits_never_stalls_anyone(
    http: httpx.AsyncClient, advisor: Actor, bystander: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    clients = await make_clients(advisor, 20, cash=Decimal("10000000"))
    # Every broker call takes a while, so the burst's requests all overlap.
    await sim.configure(sim_latency_ms=150.0)
    await sim.price(RELIANCE, "1400.00")

    result = await overlapping_load(http, advisor.headers, bystander.headers, [c.id for c in clients])  # type: ignore[misc]

    assert_nothing_stalled(result)


# ------------------------------------------------------------------ no connection while awaiting something else


Held = tuple[int, asyncio.Task[Any] | None]  # (a connection's pool record, the task that checked it out)


@dataclass
class HeldConnections:
    """Which task holds which pooled connection, and every wait begun while holding one.

    A task also holds what its parent held when it was made, while the parent still has it: a request that fans
    out with asyncio.gather while keeping its session's connection is waiting with it held, in every child.
    """

    owners: dict[int, asyncio.Task[Any] | None] = field(default_factory=dict)
    inherited: "weakref.WeakKeyDictionary[asyncio.Task[Any], set[Held]]" = field(
        default_factory=weakref.WeakKeyDictionary
    )
    violations: list[str] = field(default_factory=list)

    def checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        self.owners[id(record)] = asyncio.current_task()

    def checkin(self, _dbapi: Any, record: Any) -> None:
        self.owners.pop(id(record), None)

    def held_by(self, task: asyncio.Task[Any] | None) -> set[Held]:
        own = {(record, owner) for record, owner in self.owners.items() if owner is task}
        from_parent = {(record, owner) for record, owner in self.inherited.get(task, set())} if task else set()
        return own | {(record, owner) for record, owner in from_parent if self.owners.get(record) is owner}

    def task_factory(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = asyncio.Task(coro, loop=loop, **kwargs)
        held = self.held_by(asyncio.current_task(loop))
        if held:
            self.inherited[task] = held
        return task

    def check(self, what: str) -> None:
        if self.held_by(asyncio.current_task()):
            where = "".join(traceback.format_stack(limit=14)[:-2])
            self.violations.append(f"{what} awaited while holding a connection:\n{where}")

    def watch(self, obj: Any, name: str) -> None:
        real = getattr(obj, name)

        async def watched(*args: Any, **kwargs: Any) -> Any:
            self.check(f"{type(obj).__name__}.{name}")
            return await real(*args, **kwargs)

        setattr(obj, name, watched)


WATCHED = (("brokers", "call"), ("order_writer", "apply"), ("batch_waits", "wait"))


@contextmanager
def held_connections(ctx: AppContext) -> Iterator[HeldConnections]:
    held = HeldConnections()
    engine = ctx.engine.sync_engine
    loop = asyncio.get_running_loop()
    event.listen(engine, "checkout", held.checkout)
    event.listen(engine, "checkin", held.checkin)
    loop.set_task_factory(held.task_factory)
    for attribute, name in WATCHED:
        held.watch(getattr(ctx, attribute), name)
    try:
        yield held
    finally:
        loop.set_task_factory(None)
        event.remove(engine, "checkout", held.checkout)
        event.remove(engine, "checkin", held.checkin)
        for attribute, name in WATCHED:
            delattr(getattr(ctx, attribute), name)


async def test_no_request_holds_a_connection_while_it_awaits_a_broker_the_writer_or_a_batch(
    http: httpx.AsyncClient, ctx: AppContext, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    clients = await make_clients(advisor, 3)
    await sim.configure(sim_latency_ms=5.0)
    await sim.price(RELIANCE, "1400.00")
    headers = advisor.headers
    # Limits that need the market's price and the client's positions, so the pre-trade check asks the broker.
    limits = {"max_order_value": "100000000", "max_gross_exposure": "100000000", "price_band_pct": "50"}
    assert (await http.put("/api/v1/risk/limits", json=limits, headers=admin.headers)).status_code == 200
    client_id = clients[0].id

    with held_connections(ctx) as held:
        placed = await place_order(http, headers, client_id=client_id, quantity=10)
        assert placed.status_code == 201, placed.text
        resting = await place_order(http, headers, client_id=client_id, order_type="LIMIT", price="1300.00")
        assert resting.status_code == 201, resting.text
        order_id = resting.json()["id"]
        modified = await http.patch(f"/api/v1/orders/{order_id}", json={"price": "1310.00"}, headers=headers)
        assert modified.status_code == 200, modified.text
        cancelled = await http.post(f"/api/v1/orders/{order_id}/cancel", headers=headers)
        assert cancelled.status_code == 200, cancelled.text
        body = {
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "INTRADAY",
            "allocations": [{"client_id": c.id, "quantity": 2} for c in clients],
        }
        batch = await http.post("/api/v1/orders/execute-all", json=body, headers=headers)
        assert batch.status_code == 202, batch.text
        waited = await http.get(f"/api/v1/batches/{batch.json()['batch_id']}?wait=true", headers=headers)
        assert waited.json()["status"] == "COMPLETED", waited.text
        for path in (
            "/api/v1/clients",
            f"/api/v1/clients/{client_id}",
            f"/api/v1/clients/{client_id}/portfolio",
            f"/api/v1/tokens/{RELIANCE}/holders",
            f"/api/v1/market/quotes?token_ids={RELIANCE}",
        ):
            assert (await http.get(path, headers=headers)).status_code == 200, path
        tested = await http.post(f"/api/v1/clients/{client_id}/test-connection", headers=headers)
        assert tested.status_code == 200, tested.text
        renamed = await http.patch(f"/api/v1/clients/{client_id}", json={"display_name": "Renamed"}, headers=headers)
        assert renamed.status_code == 200, renamed.text
        trades = (await http.get("/api/v1/trades", params={"client_id": client_id}, headers=headers)).json()["items"]
        exited = await http.post(f"/api/v1/trades/{trades[0]['id']}/exit", headers=headers)
        assert exited.status_code == 201, exited.text
        by_token = await http.post(f"/api/v1/trades/exit-by-token/{RELIANCE}", headers=headers)
        assert by_token.status_code == 202, by_token.text
        halted = await http.post(
            "/api/v1/risk/halt",
            json={"scope": "firm", "reason": "test", "cancel_open_orders": True},
            headers=admin.headers,
        )
        assert halted.status_code == 200, halted.text

    assert held.violations == [], "\n".join(held.violations)


def test_a_batch_waiter_is_woken_by_the_writers_announcement_of_its_batch_only() -> None:
    bus = EventBus()
    waits = BatchWaits(bus)
    mine, other = waits.watch(7), waits.watch(8)
    assert waits.watch(7) is mine, "waiters on one batch share its event"

    asyncio.run(bus.publish(events.BATCH_PROGRESS, events.batch_room(7), {"batch_id": 7, "done": 1, "total": 2}))

    assert mine.is_set() and not other.is_set()
    assert waits.watch(7) is not mine, "the next look waits for the next change"


# --------------------------------------------------------------------------------------------- readiness


async def test_ready_reports_a_starved_pool_and_recovers(http: httpx.AsyncClient, ctx: AppContext) -> None:
    assert (await http.get("/health/ready")).status_code == 200
    pool = ctx.engine.pool
    capacity = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    taken: list[AsyncConnection] = []
    try:
        # Every connection the pool may hand out is taken and kept, as requests that never let go would.
        while pool.checkedout() < capacity:  # type: ignore[attr-defined]
            taken.append(await ctx.engine.connect())
        starved = await http.get("/health/ready")
        assert starved.status_code == 503, starved.text
        assert starved.json()["status"] == "unavailable"
        assert starved.json()["checks"]["database"] == f"error: POOL_EXHAUSTED ({capacity} of {capacity} in use)"
    finally:
        for connection in taken:
            await connection.close()
    ready = await http.get("/health/ready")
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "market_data": "ok"}},
    )


# ------------------------------------------------------------------------------------------------ settings


@pytest.mark.parametrize("url", ["sqlite+aiosqlite:///{tmp}/pool.db", "postgresql+asyncpg://u@127.0.0.1:9/none"])
async def test_the_pool_is_sized_from_settings(url: str, tmp_path: Any) -> None:
    engine = make_engine(url.format(tmp=tmp_path), pool_size=3, max_overflow=4, pool_timeout_s=2.5)
    try:
        pool = engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 4, 2.5)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
