"""Health, the one error shape, the SPA served beside the API, and demo seeding."""

from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.context import AppContext
from app.models import Client, User
from app.services.demo import seed_demo
from app.spa import mount_spa


async def test_health_live_and_ready(http: httpx.AsyncClient) -> None:
    assert (await http.get("/health/live")).json() == {"status": "ok"}
    ready = await http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}


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
