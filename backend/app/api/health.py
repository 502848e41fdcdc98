"""/health/live and /health/ready.

Ready means this process can take orders: the database answers (on SQLite: its write lock can be taken, since
reads go on while another connection holds it) within the database URL's timeout. A database that cannot is 503
"unavailable". Redis, when configured, is reported but does not decide readiness: without it the app keeps
serving with its documented fallbacks (per-process rate limits, Socket.IO events to this process's own sockets),
so it answers 200 "degraded" rather than taking every replica out of service at once.
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from sqlalchemy import text

from app.api.deps import ContextDep
from app.context import AppContext
from app.db import DatabaseUnavailable

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(ctx: ContextDep) -> JSONResponse:
    checks = {"database": await _database_check(ctx)}
    if ctx.settings.redis_url:
        checks["redis"] = await _redis_check(ctx.settings.redis_url, ctx.settings.redis_timeout_s)
    if checks["database"] != "ok":
        return JSONResponse({"status": "unavailable", "checks": checks}, status_code=503)
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JSONResponse({"status": status, "checks": checks})


async def _database_check(ctx: AppContext) -> str:
    try:
        async with ctx.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                await connection.execute(text("SELECT 1"))
            await connection.rollback()
        return "ok"
    except DatabaseUnavailable as exc:
        return f"error: {exc.reason}"
    except Exception as exc:  # any failure means not ready; the reason is reported, not raised
        return f"error: {type(exc).__name__}"


async def _redis_check(url: str, timeout_s: float) -> str:
    client = Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        await client.ping()
        return "ok"
    except Exception as exc:  # same as above: report, don't raise
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
