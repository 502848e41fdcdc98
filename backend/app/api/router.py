"""The /api/v1 router: every area's router in one place."""

from fastapi import APIRouter

from app.api import auth, clients, tokens, users

api_router = APIRouter(prefix="/api/v1")
for module in (auth, users, clients, tokens):
    api_router.include_router(module.router)
