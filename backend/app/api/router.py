"""The /api/v1 router: every area's router in one place."""

from fastapi import APIRouter

from app.api import (
    audit,
    auth,
    batches,
    book,
    cash,
    clients,
    groups,
    market,
    market_calendar,
    market_replay,
    orders,
    risk,
    square_off,
    tokens,
    trades,
    users,
)

api_router = APIRouter(prefix="/api/v1")
for module in (
    auth,
    users,
    clients,
    groups,
    tokens,
    orders,
    batches,
    trades,
    book,
    market,
    market_calendar,
    market_replay,
    risk,
    audit,
):
    api_router.include_router(module.router)
api_router.include_router(cash.router)
api_router.include_router(square_off.router)
