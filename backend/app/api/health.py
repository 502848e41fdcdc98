"""/health/live and /health/ready.

Ready means this process can take orders: the database answers (on SQLite: its write lock can be taken, since
reads go on while another connection holds it) within the database URL's timeout, and the process's connection
pool is not starved. A database that cannot answer is 503 "unavailable" with the driver's reason. A starved pool
is 503 too, reason `POOL_EXHAUSTED (N of N in use)`: every connection the pool may open stayed checked out for
`POOL_WAIT_S`, so requests are queueing for connections. (Requests hold a connection only while their statements
run, so a healthy pool, even a full one, frees connections within milliseconds.)
Redis, when configured, is reported but does not decide readiness: without it the app keeps serving with its
documented fallbacks (per-process rate limits, Socket.IO events to this process's own sockets), so it answers
200 "degraded" rather than taking every replica out of service at once. Market data is reported the same way
(`market_data`: "ok", or "degraded: <why>", e.g. Motilal's market-data account missing or refused): orders,
exits and books still work without it, and every replica shares the cause.
"""

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from app.api.deps import ContextDep
from app.context import AppContext
from app.db import DatabaseUnavailable

router = APIRouter(prefix="/health", tags=["health"])

# How long readiness waits for a connection from a pool that has none free before it calls the pool starved.
POOL_WAIT_S = 1.0


@router.get("/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(ctx: ContextDep) -> JSONResponse:
    checks = {"database": await _database_check(ctx)}
    problem = ctx.market.problem()
    checks["market_data"] = "ok" if problem is None else f"degraded: {problem}"
    if ctx.settings.redis_url:
        checks["redis"] = await _redis_check(ctx.settings.redis_url, ctx.settings.redis_timeout_s)
    if checks["database"] != "ok":
        return JSONResponse({"status": "unavailable", "checks": checks}, status_code=503)
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JSONResponse({"status": status, "checks": checks})


async def _database_check(ctx: AppContext) -> str:
    try:
        await _wait_for_free_connection(ctx.engine)
        async with ctx.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                await connection.execute(text("SELECT 1"))
            await connection.rollback()
        return "ok"
    except PoolExhausted as exc:
        return f"error: POOL_EXHAUSTED ({exc})"
    except DatabaseUnavailable as exc:
        return f"error: {exc.reason}"
    except Exception as exc:  # any failure means not ready; the reason is reported, not raised
        return f"error: {type(exc).__name__}"


class PoolExhausted(Exception):
    """No pooled connection came free within POOL_WAIT_S; the message says how many are in use."""


async def _wait_for_free_connection(engine: AsyncEngine) -> None:
    """Raise PoolExhausted if every connection the pool may open stays checked out for POOL_WAIT_S.

    Watched rather than queued for: a checkout abandoned at a deadline could leak its connection, and a pool that
    stays at capacity a whole second has requests queueing for connections, which is the starvation to report.
    """
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return
    capacity = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + POOL_WAIT_S
    while pool.checkedout() >= capacity:
        if loop.time() >= deadline:
            raise PoolExhausted(f"{pool.checkedout()} of {capacity} in use")
        await asyncio.sleep(POOL_WAIT_S / 50)


async def _redis_check(url: str, timeout_s: float) -> str:
    client = Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        await client.ping()
        return "ok"
    except Exception as exc:  # same as above: report, don't raise
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
