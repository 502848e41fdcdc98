"""Health, the one error shape, the SPA served beside the API, and demo seeding."""

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from app.api.edge import HttpEdge
from app.api.errors import install_error_handlers
from app.context import AppContext
from app.models import Client, User
from app.services.demo import seed_demo
from app.spa import mount_spa


async def test_health_live_and_ready(http: httpx.AsyncClient) -> None:
    assert (await http.get("/health/live")).json() == {"status": "ok"}
    ready = await http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "market_data": "ok"}


async def test_unknown_api_path_and_wrong_method_use_the_error_shape(http: httpx.AsyncClient) -> None:
    missing = await http.get("/api/v1/nope")
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"code", "message", "details"}
    wrong_method = await http.delete("/api/v1/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_malformed_json_is_a_422_in_the_error_shape(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_spa_serves_pages_dynamic_deep_links_and_refuses_traversal(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "_next" / "static").mkdir(parents=True)
    (out / "exit" / "_").mkdir(parents=True)
    (out / "index.html").write_text("<html>dashboard</html>")
    (out / "404.html").write_text("<html>not found</html>")
    (out / "login.html").write_text("<html>login</html>")
    (out / "exit" / "_.html").write_text("<html>exit page</html>")
    (out / "exit" / "_.txt").write_text("exit rsc")
    (out / "exit" / "_" / "__next._tree.txt").write_text("exit tree")
    (out / "_next" / "static" / "app.abc123.js").write_text("js")
    (tmp_path / "secret.txt").write_text("do not serve")
    app = FastAPI()
    mount_spa(app, out)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/")).text == "<html>dashboard</html>"
        assert (await http.get("/login")).text == "<html>login</html>"
        assert (await http.get("/exit/2885")).text == "<html>exit page</html>"
        assert (await http.get("/exit/2885.txt")).text == "exit rsc"
        assert (await http.get("/exit/2885/__next._tree.txt")).text == "exit tree"
        assert (await http.head("/exit/2885")).status_code == 200
        asset = await http.get("/_next/static/app.abc123.js")
        assert "immutable" in asset.headers["cache-control"]
        stale = await http.get("/_next/static/gone.js")
        assert stale.status_code == 404 and stale.json()["error"]["code"] == "NOT_FOUND"
        unknown = await http.get("/no/such/page")
        assert unknown.status_code == 404 and unknown.text == "<html>not found</html>"
        assert "do not serve" not in (await http.get("/..%2Fsecret.txt")).text
        api = await http.get("/api/v1/unknown")
        assert api.status_code == 404 and api.json()["error"]["code"] == "NOT_FOUND"


async def test_demo_seed_runs_once(ctx: AppContext) -> None:
    async with ctx.sessions() as session:
        seeded = await seed_demo(
            session, client_count=8, min_cash=ctx.settings.demo_min_cash, max_cash=ctx.settings.demo_max_cash
        )
        again = await seed_demo(
            session, client_count=8, min_cash=ctx.settings.demo_min_cash, max_cash=ctx.settings.demo_max_cash
        )
        assert (seeded, again) == (True, False)
        assert await session.scalar(select(func.count()).select_from(User)) == 2
        cash = sorted((await session.scalars(select(Client.opening_cash))).all())
    assert len(cash) == 8
    assert cash[0] == ctx.settings.demo_min_cash and cash[-1] == ctx.settings.demo_max_cash


async def test_demo_logins_work(http: httpx.AsyncClient, ctx: AppContext) -> None:
    async with ctx.sessions() as session:
        await seed_demo(
            session, client_count=8, min_cash=ctx.settings.demo_min_cash, max_cash=ctx.settings.demo_max_cash
        )
    login = await http.post("/api/v1/auth/login", json={"email": "advisor@example.com", "password": "advisor123"})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    clients = await http.get("/api/v1/clients", headers=headers)
    assert clients.json()["total"] == 8


async def test_hostile_paths_are_404s_never_500s(tmp_path: Path) -> None:
    # A NUL byte or a name longer than the filesystem allows made the file lookup raise: an unauthenticated 500.
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<html>dashboard</html>")
    (out / "404.html").write_text("<html>not found</html>")
    (out / "exit" / "_").mkdir(parents=True)
    (out / "exit" / "_.html").write_text("<html>exit page</html>")
    app = FastAPI()
    install_error_handlers(app)
    mount_spa(app, out)
    transport = httpx.ASGITransport(app=HttpEdge(app, max_body_bytes=1024 * 1024), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for path in (
            "/%00",
            "/index.html%00.txt",
            "/exit/%00",
            "/exit/1%00.txt",
            "/" + "a" * 5000,
            "/" + "a" * 5000 + ".js",
            "/" + "a/" * 2500,
            "/exit/" + "9" * 5000,
            "/_next/static/" + "b" * 300 + ".js",
        ):
            response = await http.get(path)
            assert response.status_code == 404, (path[:40], response.status_code, response.text[:200])
            assert "Traceback" not in response.text
            assert len(response.content) < 1000  # the path is not echoed back whole
        api = await http.get("/api/v1/" + "c" * 5000)
        assert api.status_code == 404 and len(api.content) < 1000
        assert (await http.get("/exit/2885")).text == "<html>exit page</html>"


async def test_an_unexpected_error_is_a_generic_500_with_the_request_id_and_one_logged_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: /srv/multidesk/app.py line 12")

    # The default transport re-raises whatever reaches the server: a second, uncorrelated traceback in its log.
    transport = httpx.ASGITransport(app=HttpEdge(app, max_body_bytes=1024 * 1024))
    with caplog.at_level(logging.ERROR):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "INTERNAL_ERROR",
            "message": "Something went wrong on our side; nothing more was done.",
            "details": {"request_id": "req-42"},
        }
    }
    assert response.headers["x-request-id"] == "req-42"
    [logged] = [r for r in caplog.records if r.exc_info]
    assert "secret internals" in str(logged.exc_info[1])

    @app.get("/cut")
    async def cut() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first rows,"
            raise RuntimeError("failed mid-body")

        return StreamingResponse(chunks())

    # A body cut off half-way cannot be turned into a 500: the server must drop the connection, so it is told.
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        with pytest.raises(RuntimeError, match="failed mid-body"):
            await http.get("/cut")
