"""Issue "Trust", part B: metrics, JSON logs with request ids, rate limits and lockout, security headers, the body
limit, and refresh-token rotation / logout."""

import io
import json
import logging
import os
from collections.abc import Iterator

import httpx
import pytest
from limits import RateLimitItemPerMinute, parse
from pydantic import ValidationError

from app.config import Settings
from app.context import AppContext
from app.errors import RateLimited
from app.observability.logs import JsonFormatter, RequestIdFilter
from app.observability.metrics import PRICE_FRAMES_SENT, SOCKET_CONNECTIONS
from app.security.ratelimit import RateLimits
from tests.conftest import METRICS_TOKEN, TEST_PASSWORD, Actor, MakeClients, Simulator

METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}

RELIANCE = 2885


async def login(http: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"email": email, "password": password})


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body


# --- observability


async def test_metrics_expose_the_named_series_after_an_order(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    placed = await http.post(
        "/api/v1/orders/place",
        json={
            "client_id": client.id,
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "INTRADAY",
            "quantity": 1,
        },
        headers=advisor.headers,
    )
    assert placed.status_code == 201, placed.text
    batch = await http.post(
        "/api/v1/orders/execute-all",
        json={
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "INTRADAY",
            "allocations": [{"client_id": client.id, "quantity": 1}],
        },
        headers=advisor.headers,
    )
    assert batch.status_code == 202, batch.text
    waited = await http.get(
        f"/api/v1/batches/{batch.json()['batch_id']}", params={"wait": "true"}, headers=advisor.headers
    )
    assert waited.status_code == 200
    await http.get(f"/api/v1/orders/{placed.json()['id']}", headers=advisor.headers)

    response = await http.get("/metrics", headers=METRICS_AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'multidesk_http_request_duration_seconds_count{method="POST",route="/api/v1/orders/place",status="201"}' in text
    )
    # The route template, never the raw path.
    assert 'route="/api/v1/orders/{order_id}"' in text
    assert f'route="/api/v1/orders/{placed.json()["id"]}"' not in text
    assert 'multidesk_orders_status_total{status="FILLED"}' in text
    assert 'multidesk_broker_call_duration_seconds_count{broker="simulator"}' in text
    assert "multidesk_batch_duration_seconds_count" in text
    for name in (
        "multidesk_broker_call_errors_total",
        "multidesk_socket_connections",
        "multidesk_price_frames_sent_total",
        "multidesk_price_quotes_sent_total",
        "multidesk_rate_limited_total",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text


async def test_metrics_answer_only_the_scraper_with_the_token(
    http: httpx.AsyncClient, admin: Actor, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /metrics was open to anyone who could reach the port: route names, order and error rates, process details.
    for headers in (
        {},
        admin.headers,  # a signed-in user, even an admin, is not the scraper
        {"Authorization": "Bearer wrong-token-of-some-length"},
        {"Authorization": f"Basic {METRICS_TOKEN}"},
        {"Authorization": METRICS_TOKEN},
        {"Authorization": f"Bearer {METRICS_TOKEN}x"},
    ):
        refused = await http.get("/metrics", headers=headers)
        assert refused.status_code == 401, (headers, refused.text)
        assert refused.json()["error"]["code"] == "NOT_AUTHENTICATED"
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "multidesk_" not in refused.text
    assert (await http.get("/metrics", headers={"Authorization": f"bearer {METRICS_TOKEN}"})).status_code == 200

    # Without a token configured, nothing is served: the same 404 as an unknown path.
    monkeypatch.setattr(ctx.settings, "metrics_token", None)
    for headers in ({}, METRICS_AUTH):
        off = await http.get("/metrics", headers=headers)
        assert off.status_code == 404 and off.json()["error"]["code"] == "NOT_FOUND"


def test_a_metrics_token_is_long_enough_or_refused() -> None:
    assert Settings(metrics_token="").metrics_token is None
    assert Settings(metrics_token=" " + "t" * 16 + " ").metrics_token == "t" * 16
    with pytest.raises(ValidationError, match="at least 16 characters"):
        Settings(metrics_token="short")


async def test_socket_gauge_and_price_counter_are_wired(ctx: AppContext) -> None:
    # Exercised end to end by the realtime tests; here only that the series exist and move.
    before = PRICE_FRAMES_SENT._value.get()
    PRICE_FRAMES_SENT.inc()
    assert PRICE_FRAMES_SENT._value.get() == before + 1
    assert SOCKET_CONNECTIONS._value.get() >= 0


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


async def test_json_log_lines_carry_the_request_id_which_is_echoed(
    http: httpx.AsyncClient, advisor: Actor, json_log: io.StringIO
) -> None:
    response = await http.get("/api/v1/auth/me", headers={**advisor.headers, "X-Request-ID": "req-abc-123"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-abc-123"
    failed = await login(http, advisor.user.email, "wrong-password")
    assert failed.status_code == 401
    generated = failed.headers["x-request-id"]
    assert len(generated) == 32

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "nothing was logged"
    for line in lines:
        assert {"ts", "level", "logger", "message", "request_id"} <= set(line)
    access = [line for line in lines if line["logger"] == "app.access"]
    assert any(line["request_id"] == "req-abc-123" and line["route"] == "/api/v1/auth/me" for line in access)
    assert any(line["request_id"] == generated and line["status"] == 401 for line in access)
    # Credentials never reach the logs.
    assert "wrong-password" not in json_log.getvalue()
    assert advisor.headers["Authorization"].split()[1] not in json_log.getvalue()


async def test_a_malformed_request_id_is_replaced(http: httpx.AsyncClient) -> None:
    response = await http.get("/health/live", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"


# --- security headers and the body limit


async def test_security_headers_on_every_response(http: httpx.AsyncClient) -> None:
    for path in ("/health/live", "/api/v1/auth/me", "/api/v1/nowhere"):
        response = await http.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "connect-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "strict-transport-security" not in response.headers


async def test_hsts_only_over_https(app) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await client.get("/health/live")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_a_body_over_the_limit_is_413_in_the_standard_shape(http: httpx.AsyncClient, ctx: AppContext) -> None:
    big = b'{"email": "a@example.com", "password": "' + b"x" * (ctx.settings.max_body_bytes + 10) + b'"}'
    response = await http.post("/api/v1/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "CONTENT_TOO_LARGE")
    assert response.headers["x-content-type-options"] == "nosniff"

    async def chunks():
        for _ in range(3):
            yield b"x" * (ctx.settings.max_body_bytes // 2)

    streamed = await http.post("/api/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(streamed, 413, "CONTENT_TOO_LARGE")


# --- rate limits and lockout


async def test_login_is_locked_after_repeated_failures(
    http: httpx.AsyncClient, ctx: AppContext, advisor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.limits, "failures", RateLimitItemPerMinute(3, 15))
    for _ in range(3):
        assert_error(await login(http, advisor.user.email, "nope-nope"), 401, "INVALID_CREDENTIALS")
    locked = await login(http, advisor.user.email)  # even the right password
    body = assert_error(locked, 429, "LOGIN_LOCKED")
    retry_after = int(locked.headers["retry-after"])
    assert 14 * 60 < retry_after <= 15 * 60
    assert body["error"]["details"]["retry_after"] == retry_after
    # Another account is not affected.
    await ctx.limits.reset()
    assert (await login(http, advisor.user.email)).status_code == 200


async def test_a_successful_login_clears_the_failures(
    http: httpx.AsyncClient, ctx: AppContext, advisor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.limits, "failures", RateLimitItemPerMinute(2, 15))
    assert (await login(http, advisor.user.email, "nope-nope")).status_code == 401
    assert (await login(http, advisor.user.email)).status_code == 200
    assert (await login(http, advisor.user.email, "nope-nope")).status_code == 401
    assert (await login(http, advisor.user.email)).status_code == 200


async def test_login_attempts_are_limited_per_ip_and_per_email(
    http: httpx.AsyncClient, ctx: AppContext, advisor: Actor, viewer: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.limits, "login_email", parse("2/minute"))
    assert (await login(http, advisor.user.email)).status_code == 200
    assert (await login(http, advisor.user.email)).status_code == 200
    limited = await login(http, advisor.user.email)
    assert_error(limited, 429, "RATE_LIMITED")
    assert int(limited.headers["retry-after"]) >= 1
    assert (await login(http, viewer.user.email)).status_code == 200

    await ctx.limits.reset()
    monkeypatch.setattr(ctx.limits, "login_ip", parse("3/minute"))
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        assert (await login(http, email)).status_code == 401
    assert_error(await login(http, viewer.user.email), 429, "RATE_LIMITED")


async def test_order_endpoints_share_a_per_user_budget(
    http: httpx.AsyncClient,
    ctx: AppContext,
    advisor: Actor,
    other_advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ctx.limits, "orders", parse("3/minute"))
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    terms = {"token_id": RELIANCE, "execution": "BUY", "order_type": "LIMIT", "trade_type": "INTRADAY"}
    placed = await http.post(
        "/api/v1/orders/place",
        json={**terms, "client_id": client.id, "quantity": 1, "price": "1300.00"},
        headers=advisor.headers,
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    assert (
        await http.patch(f"/api/v1/orders/{order_id}", json={"quantity": 2}, headers=advisor.headers)
    ).status_code == 200
    assert (await http.post(f"/api/v1/orders/{order_id}/cancel", headers=advisor.headers)).status_code == 200
    for response in (
        await http.post(f"/api/v1/orders/{order_id}/cancel", headers=advisor.headers),
        await http.post("/api/v1/trades/exit-by-token/2885", json={}, headers=advisor.headers),
        await http.post("/api/v1/trades/1/exit", json={}, headers=advisor.headers),
        await http.post("/api/v1/orders/execute-all", json={**terms, "allocations": []}, headers=advisor.headers),
    ):
        limited = assert_error(response, 429, "RATE_LIMITED")
        assert int(response.headers["retry-after"]) >= 1
        assert limited["error"]["details"]["retry_after"] >= 1
    # Per user: another advisor still has a budget, and reads are not limited.
    assert (await http.get("/api/v1/orders", headers=advisor.headers)).status_code == 200
    other = await http.post(f"/api/v1/orders/{order_id}/cancel", headers=other_advisor.headers)
    assert other.status_code == 404


# --- refresh rotation and logout


async def test_refresh_rotates_and_the_old_refresh_token_is_spent(http: httpx.AsyncClient, advisor: Actor) -> None:
    first = (await login(http, advisor.user.email)).json()
    second = await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reused = await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_error(reused, 401, "INVALID_TOKEN")
    third = await http.post("/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
    assert third.status_code == 200
    me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {third.json()['access_token']}"})
    assert me.status_code == 200


async def test_logout_revokes_the_refresh_token_and_ends_the_sessions(http: httpx.AsyncClient, advisor: Actor) -> None:
    tokens = (await login(http, advisor.user.email)).json()
    other_device = (await login(http, advisor.user.email)).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await http.get("/api/v1/auth/me", headers=bearer)).status_code == 200

    out = await http.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    assert_error(
        await http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401, "INVALID_TOKEN"
    )
    assert_error(await http.get("/api/v1/auth/me", headers=bearer), 401, "INVALID_TOKEN")
    again = await http.post("/api/v1/auth/refresh", json={"refresh_token": other_device["refresh_token"]})
    assert_error(again, 401, "INVALID_TOKEN")
    # Logging out twice is harmless; a fresh login works.
    assert (await http.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})).status_code == 204
    fresh = (await login(http, advisor.user.email)).json()
    assert (
        await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh['access_token']}"})
    ).status_code == 200


async def test_logout_with_a_bad_token_is_401(http: httpx.AsyncClient) -> None:
    assert_error(await http.post("/api/v1/auth/logout", json={"refresh_token": "nope"}), 401, "INVALID_TOKEN")


async def test_limits_are_shared_through_redis_when_it_is_configured(test_settings) -> None:
    url = os.environ.get("MULTIDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    settings = test_settings.model_copy(update={"redis_url": url, "rate_limit_orders": "2/minute"})
    # Two processes' limiters over one Redis share one budget.
    first, second = RateLimits(settings), RateLimits(settings)
    await first.reset()
    try:
        await first.check_orders(7)
        await second.check_orders(7)
        with pytest.raises(RateLimited) as refused:
            await first.check_orders(7)
        assert refused.value.code == "RATE_LIMITED" and int(refused.value.headers["Retry-After"]) >= 1
        await second.check_orders(8)
    finally:
        await first.reset()


async def test_an_id_past_what_the_database_holds_is_422_not_500(http: httpx.AsyncClient, admin: Actor) -> None:
    # Found by the schema fuzzer: SQLite raised OverflowError, asyncpg "value out of int32 range".
    response = await http.get(f"/api/v1/clients/{2**70}", headers=admin.headers)
    assert_error(response, 422, "INVALID_VALUE")
    nul = await http.post(
        "/api/v1/users",
        json={"email": "nul@example.com", "full_name": "a\u0000b", "role": "viewer", "password": "long-enough-1"},
        headers=admin.headers,
    )
    assert nul.status_code in (201, 422)  # PostgreSQL cannot store NUL in text: 422, never 500
    if nul.status_code == 422:
        assert_error(nul, 422, "INVALID_VALUE")
