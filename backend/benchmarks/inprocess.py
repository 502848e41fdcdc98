"""Benchmarks 1-3 in-process (create_app + httpx ASGITransport): execute-all fan-out, pure overhead, exit-by-token.

Each times the POST to the moment the last row of its batch is resolved (the batch_progress event with
done == total), then checks that every order it sent reached a verdict (no row left PENDING or FAILED).
"""

import asyncio
import contextlib
import math
import os
import sys
import time
from functools import partial
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from app.brokers.simulator import SimulatorBroker
from app.context import AppContext
from app.enums import BrokerName, OrderStatus
from app.main import create_app
from app.models import Order
from app.realtime import events
from app.services.reconcile import on_broker_order
from benchmarks.common import Row, reset_database, seed_advisor, settings_for, size

RELIANCE = 2885
LATENCY_MS, JITTER_MS = 50.0, 10.0
# Orders per second an execute-all must move with a broker that answers at once (set for PostgreSQL).
OVERHEAD_BOUND = 3000.0


class BatchWatch:
    """Resolves when a batch_progress event reports done == total for the batch."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.finished: dict[int, float] = {}
        self.waiters: dict[int, asyncio.Event] = {}
        ctx.events.subscribe(self._on_event)

    async def _on_event(self, event: str, room: str, payload: dict) -> None:
        if event == events.BATCH_PROGRESS and payload["done"] == payload["total"]:
            batch_id = payload["batch_id"]
            self.finished.setdefault(batch_id, time.perf_counter())
            self.waiters.setdefault(batch_id, asyncio.Event()).set()

    async def wait(self, batch_id: int, within_s: float) -> float:
        async with asyncio.timeout(within_s):
            await self.waiters.setdefault(batch_id, asyncio.Event()).wait()
        return self.finished[batch_id]


async def verdicts(ctx: AppContext, batch_id: int, expected: int) -> dict[str, int]:
    """Every order of the batch has a verdict; returns the status counts."""
    async with ctx.sessions() as session:
        counts = dict(
            (
                await session.execute(
                    select(Order.status, func.count()).where(Order.batch_id == batch_id).group_by(Order.status)
                )
            ).all()
        )
    counts = {str(k): v for k, v in counts.items()}
    assert sum(counts.values()) == expected, f"batch {batch_id}: {sum(counts.values())} orders, expected {expected}"
    unresolved = counts.get(OrderStatus.PENDING, 0) + counts.get(OrderStatus.FAILED, 0)
    assert unresolved == 0, f"batch {batch_id}: orders without a verdict: {counts}"
    return counts


async def restart_brokers(ctx: AppContext, **settings: object) -> SimulatorBroker:
    for name, value in settings.items():
        setattr(ctx.settings, name, value)
    await ctx.brokers.close()
    await ctx.start_brokers(order_listener=partial(on_broker_order, ctx))
    broker = ctx.brokers.adapter(BrokerName.SIMULATOR)
    assert isinstance(broker, SimulatorBroker)
    return broker


async def execute_all(http: httpx.AsyncClient, ctx: AppContext, watch: BatchWatch, clients: int) -> tuple[float, dict]:
    user_id, client_ids = await seed_advisor(ctx.sessions, clients)
    headers = {"Authorization": f"Bearer {ctx.tokens.issue(user_id, 'access')}"}
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": [{"client_id": c, "quantity": 1} for c in client_ids],
    }
    started = time.perf_counter()
    response = await http.post("/api/v1/orders/execute-all", json=body, headers=headers)
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]
    finished = await watch.wait(batch_id, within_s=300)
    print(f"[bench]   execute-all of {clients}: {finished - started:.2f} s", file=sys.stderr, flush=True)
    return finished - started, await verdicts(ctx, batch_id, clients)


async def exit_by_token(
    http: httpx.AsyncClient, ctx: AppContext, watch: BatchWatch, holders: int
) -> tuple[float, dict]:
    broker = await restart_brokers(ctx, sim_latency_ms=0.0, sim_latency_jitter_ms=0.0, broker_concurrency=64)
    user_id, client_ids = await seed_advisor(ctx.sessions, holders)
    headers = {"Authorization": f"Bearer {ctx.tokens.issue(user_id, 'access')}"}
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": [{"client_id": c, "quantity": 2} for c in client_ids],
    }
    response = await http.post("/api/v1/orders/execute-all", json=body, headers=headers)
    assert response.status_code == 202, response.text
    await watch.wait(response.json()["batch_id"], within_s=300)
    # The same broker (its books hold the positions) now answers with the latency model.
    broker.settings.latency_ms, broker.settings.latency_jitter_ms = LATENCY_MS, JITTER_MS
    started = time.perf_counter()
    response = await http.post(f"/api/v1/trades/exit-by-token/{RELIANCE}", json={}, headers=headers)
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]
    finished = await watch.wait(batch_id, within_s=300)
    return finished - started, await verdicts(ctx, batch_id, holders)


@contextlib.contextmanager
def maybe_profile(name: str, db: str, out_dir: Path):
    """BENCH_PROFILE=<benchmark name> writes a pyinstrument profile of that benchmark to the output dir."""
    if os.environ.get("BENCH_PROFILE") != name:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"profile-{name}-{db}.txt").write_text(profiler.output_text(unicode=False, color=False))
        (out_dir / f"profile-{name}-{db}.html").write_text(profiler.output_html())


async def run_inprocess(db: str, data_dir: Path, out_dir: Path) -> list[Row]:
    settings = settings_for(
        db,
        data_dir,
        sim_latency_ms=LATENCY_MS,
        sim_latency_jitter_ms=JITTER_MS,
        broker_concurrency=64,
        # No background ticks moving prices or filling: the benchmark is the order path.
        sim_tick_interval_s=3600.0,
        reconcile_interval_s=3600.0,
    )
    await reset_database(settings.resolved_database_url)
    app = create_app(settings)
    rows: list[Row] = []
    async with LifespanManager(app):
        ctx: AppContext = app.state.ctx
        watch = BatchWatch(ctx)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300) as http:
            # 1. Execute-all fan-out at concurrency 64.
            n = size(1000, 10)
            await restart_brokers(ctx, broker_concurrency=64, sim_latency_ms=LATENCY_MS)
            with maybe_profile("execute_all", db, out_dir):
                elapsed, counts = await execute_all(http, ctx, watch, n)
            bound = math.ceil(n / 64) * LATENCY_MS / 1000
            rows.append(
                Row(
                    "execute_all",
                    db,
                    elapsed,
                    "s",
                    bound,
                    "le",
                    1.25,
                    note=f"{n} clients, 50±10 ms, concurrency 64; bound ceil({n}/64)×50 ms",
                    extra={"counts": counts},
                )
            )
            # 1b. Sequential: concurrency 1, run at a tenth of the clients and extrapolated.
            n_seq = size(100, 5)
            full = size(1000, 10)
            await restart_brokers(ctx, broker_concurrency=1)
            elapsed, counts = await execute_all(http, ctx, watch, n_seq)
            rows.append(
                Row(
                    "execute_all_sequential",
                    db,
                    elapsed * full / n_seq,
                    "s",
                    full * LATENCY_MS / 1000,
                    "le",
                    1.25,
                    note=f"measured {elapsed:.2f} s at {n_seq} clients, extrapolated ×{full / n_seq:g} to {full}; "
                    f"bound {full}×50 ms",
                    extra={"measured_s": elapsed, "clients": n_seq, "counts": counts},
                )
            )
            # 2. Pure overhead: zero broker latency.
            n_over = size(2000, 20)
            await restart_brokers(ctx, broker_concurrency=64, sim_latency_ms=0.0, sim_latency_jitter_ms=0.0)
            with maybe_profile("overhead", db, out_dir):
                elapsed, counts = await execute_all(http, ctx, watch, n_over)
            rows.append(
                Row(
                    "overhead_orders_per_s",
                    db,
                    n_over / elapsed,
                    "orders/s",
                    OVERHEAD_BOUND,
                    "ge",
                    note=f"{n_over} orders in one execute-all, zero latency "
                    "(validation, DB writes, audit, events); target set for PostgreSQL",
                    extra={"counts": counts},
                )
            )
            # 3. Exit-by-token: holders built at zero latency, the exit timed with 50±10 ms.
            n_exit = size(1000, 10)
            with maybe_profile("exit_by_token", db, out_dir):
                elapsed, counts = await exit_by_token(http, ctx, watch, n_exit)
            bound = math.ceil(n_exit / 64) * LATENCY_MS / 1000
            rows.append(
                Row(
                    "exit_by_token",
                    db,
                    elapsed,
                    "s",
                    bound,
                    "le",
                    1.25,
                    note=f"{n_exit} holders, 50±10 ms, concurrency 64 (includes reading {n_exit} positions)",
                    extra={"counts": counts},
                )
            )
    return rows
