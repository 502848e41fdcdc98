"""Schemathesis against the app's own OpenAPI schema: no 500s, and every error in the one standard shape.

(A 502/503 is a legitimate answer here: the tests' Motilal is unreachable on purpose.)

Cases are generated per operation (a bounded number each, deterministic) and sent, as the admin, through the
session's app on the session's event loop; failures are collected and reported together.
"""

import asyncio
import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from app.context import AppContext
from app.realtime.server import MultiDeskApp
from tests.conftest import Actor

MAX_EXAMPLES = 25


@pytest.fixture
async def session_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def _problem(response: httpx.Response) -> str | None:
    if response.status_code == 500:
        return f"500: {response.text[:300]}"
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except json.JSONDecodeError:
        return f"{response.status_code} not JSON: {response.text[:200]}"
    error = body.get("error") if isinstance(body, dict) else None
    if set(body) != {"error"} or not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return f"{response.status_code} not the standard error shape: {response.text[:200]}"
    types = (type(error["code"]), type(error["message"]), type(error["details"]))
    if types != (str, str, dict):
        return f"{response.status_code} error fields of the wrong types: {response.text[:200]}"
    return None


def _httpx_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    out = {key: kwargs[key] for key in ("method", "url", "params", "headers") if key in kwargs}
    if kwargs.get("cookies"):
        cookie = "; ".join(f"{name}={value}" for name, value in kwargs["cookies"].items())
        out["headers"] = {**out.get("headers", {}), "Cookie": cookie}
    if "json" in kwargs:
        out["json"] = kwargs["json"]
    elif "data" in kwargs:
        data = kwargs["data"]
        out["content" if isinstance(data, bytes | str) else "data"] = data
    return out


def test_fuzz_the_openapi_schema(
    app: MultiDeskApp, ctx: AppContext, admin: Actor, session_loop: asyncio.AbstractEventLoop
) -> None:
    schema = schemathesis.openapi.from_dict(app.api.openapi())
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
    )
    failures: list[str] = []
    sent = 0

    def fuzz(operation: Any) -> None:
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            nonlocal sent
            kwargs = _httpx_kwargs(case.as_transport_kwargs(base_url="http://testserver", headers=admin.headers))
            try:
                response = session_loop.run_until_complete(http.request(**kwargs))
            except (httpx.HTTPError, UnicodeEncodeError, ValueError):
                return  # not a request an HTTP client can send (e.g. a header value httpx refuses)
            sent += 1
            problem = _problem(response)
            if problem and len(failures) < 50:
                failures.append(f"{operation.method.upper()} {operation.path} {kwargs.get('url')}: {problem}")

        run()

    for result in schema.get_all_operations():
        fuzz(result.ok())
        # Budgets (orders per user, logins per IP) are not what this test is about.
        session_loop.run_until_complete(ctx.limits.reset())

    session_loop.run_until_complete(http.aclose())
    assert sent > 100
    assert not failures, "\n".join(failures)
