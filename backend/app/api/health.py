"""/health/live and /health/ready (database, and Redis when configured)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from sqlalchemy import text

from app.api.deps import ContextDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(ctx: ContextDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        async with ctx.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; the reason is reported, not raised
        checks["database"] = f"error: {type(exc).__name__}"
    if ctx.settings.redis_url:
        checks["redis"] = await _redis_check(ctx.settings.redis_url)
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


async def _redis_check(url: str) -> str:

    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
        return "ok"
    except Exception as exc:  # same as above: report, don't raise
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
