"""The replay's admin API (roles, codes, audit), GET /market/clock, market_clock, and the app wired for replay."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.context import AppContext
from app.enums import BrokerName
from app.market.replay import ReplayMarketData
from app.market.replay_setup import replay_settings
from app.market.switch import MarketDataSwitch
from app.models import AuditEvent
from app.realtime.clock import run_market_clock
from app.services.market_data import instrument_lookup
from tests.conftest import Actor

T0 = datetime(2026, 11, 30, 3, 45, tzinfo=UTC)
CSV = (
    "timestamp,open,high,low,close,volume,symbol\n"
    "2026-11-30 09:15:00,1400,1402,1399,1401,600,RELIANCE\n"
    "2026-11-30 09:16:00,1401,1403,1398,1398.50,300,RELIANCE\n"
)


class FakeWall:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def replay_file(tmp_path: Path) -> Path:
    path = tmp_path / "replay.csv"
    path.write_text(CSV)
    return path


@pytest.fixture
async def replaying(ctx: AppContext, replay_file: Path) -> AsyncIterator[tuple[ReplayMarketData, FakeWall]]:
    """The app's market data swapped for a replay driven by a fake wall clock (no task moves it)."""
    settings = ctx.settings.model_copy(update={"market_data": "replay", "replay_file": replay_file})
    wall = FakeWall()
    replay = ReplayMarketData(replay_settings(settings), instrument_lookup(ctx.sessions), monotonic=wall)
    await replay.load()
    before = ctx.market.current
    ctx.market.current = replay
    try:
        yield replay, wall
    finally:
        ctx.market.current = before


async def test_admins_see_and_control_the_replay(
    http: httpx.AsyncClient, admin: Actor, ctx: AppContext, replaying: tuple[ReplayMarketData, FakeWall]
) -> None:
    replay, wall = replaying
    response = await http.get("/api/v1/market/replay", headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == {
        "running": True,
        "speed": "60",
        "now": "2026-11-30T03:45:00Z",
        "start": "2026-11-30T03:45:00Z",
        "end": "2026-11-30T03:47:00Z",
    }
    wall.t += 0.5
    response = await http.post("/api/v1/market/replay/pause", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["running"] is False and response.json()["now"] == "2026-11-30T03:45:30Z"
    wall.t += 10
    replay.step()
    assert replay.now() == T0 + timedelta(seconds=30)
    response = await http.post(
        "/api/v1/market/replay/seek", json={"to": "2026-11-30T09:16:30+05:30"}, headers=admin.headers
    )
    assert response.status_code == 200 and response.json()["now"] == "2026-11-30T03:46:30Z"
    assert replay.latest(2885).ltp == Decimal("1398")  # type: ignore[union-attr]
    response = await http.post("/api/v1/market/replay/resume", headers=admin.headers)
    assert response.json()["running"] is True
    async with ctx.sessions() as session:
        rows = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    actions = [(row.action, row.actor_id, row.payload["at"]) for row in rows if row.action.startswith("market.")]
    assert actions == [
        ("market.replay.pause", admin.id, "2026-11-30T03:45:30+00:00"),
        ("market.replay.seek", admin.id, "2026-11-30T03:46:30+00:00"),
        ("market.replay.resume", admin.id, "2026-11-30T03:46:30+00:00"),
    ]


async def test_seek_outside_the_file_or_without_a_zone_is_refused(
    http: httpx.AsyncClient, admin: Actor, replaying: tuple[ReplayMarketData, FakeWall]
) -> None:
    response = await http.post("/api/v1/market/replay/seek", json={"to": "2026-12-01T03:45:00Z"}, headers=admin.headers)
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "SEEK_OUT_OF_RANGE"
    assert body["details"] == {"start": "2026-11-30T03:45:00+00:00", "end": "2026-11-30T03:47:00+00:00"}
    response = await http.post("/api/v1/market/replay/seek", json={"to": "2026-11-30T09:16:00"}, headers=admin.headers)
    assert response.status_code == 422
    response = await http.post(
        "/api/v1/market/replay/seek", json={"to": "2026-11-30T03:46:00Z", "speed": 2}, headers=admin.headers
    )
    assert response.status_code == 422


async def test_only_admins_control_the_replay(
    http: httpx.AsyncClient, advisor: Actor, viewer: Actor, replaying: tuple[ReplayMarketData, FakeWall]
) -> None:
    for actor in (advisor, viewer):
        await _refused_control(http, actor, replaying[0])


async def _refused_control(http: httpx.AsyncClient, actor: Actor, replay: ReplayMarketData) -> None:
    assert (await http.get("/api/v1/market/replay", headers=actor.headers)).status_code == 403
    for action in ("pause", "resume"):
        assert (await http.post(f"/api/v1/market/replay/{action}", headers=actor.headers)).status_code == 403
    seek = await http.post("/api/v1/market/replay/seek", json={"to": "2026-11-30T03:46:00Z"}, headers=actor.headers)
    assert seek.status_code == 403
    assert replay.running and replay.now() == T0
    # The clock is for every desk.
    clock = await http.get("/api/v1/market/clock", headers=actor.headers)
    assert clock.json() == {"now": "2026-11-30T03:45:00Z", "source": "replay", "running": True}
    assert (await http.get("/api/v1/market/clock")).status_code == 401


async def test_replay_controls_are_409_when_the_market_is_not_a_replay(http: httpx.AsyncClient, admin: Actor) -> None:
    for method, path in (("GET", "replay"), ("POST", "replay/pause"), ("POST", "replay/resume")):
        response = await http.request(method, f"/api/v1/market/{path}", headers=admin.headers)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "REPLAY_NOT_ACTIVE"
    seek = await http.post("/api/v1/market/replay/seek", json={"to": "2026-11-30T03:46:00Z"}, headers=admin.headers)
    assert seek.json()["error"]["code"] == "REPLAY_NOT_ACTIVE"


async def test_the_clock_is_the_wall_clock_without_a_replay(http: httpx.AsyncClient, advisor: Actor) -> None:
    response = await http.get("/api/v1/market/clock", headers=advisor.headers)
    body = response.json()
    assert body["source"] == "simulator" and body["running"] is True
    shown = datetime.fromisoformat(body["now"].replace("Z", "+00:00"))
    assert abs((shown - datetime.now(UTC)).total_seconds()) < 60


async def test_market_clock_is_broadcast_to_every_desk(replaying: tuple[ReplayMarketData, FakeWall]) -> None:
    replay, _ = replaying
    sent: list[tuple[str, Any, str]] = []
    arrived = asyncio.Event()

    class Sio:
        async def emit(self, event: str, payload: Any, *, to: str, ignore_queue: bool) -> None:
            sent.append((event, payload, to))
            arrived.set()

    market = MarketDataSwitch()
    market.current = replay
    task = asyncio.create_task(run_market_clock(Sio(), market, interval_s=0.01))  # type: ignore[arg-type]
    await asyncio.wait_for(arrived.wait(), 5)
    task.cancel()
    assert sent[0] == ("market_clock", {"now": "2026-11-30T03:45:00+00:00", "running": True}, "users:all")


async def test_the_app_built_for_replay_fills_simulator_orders_at_replayed_prices(
    ctx: AppContext, replay_file: Path
) -> None:
    settings = ctx.settings.model_copy(
        update={"market_data": "replay", "replay_file": replay_file, "replay_start_paused": True}
    )
    other = replace(ctx, settings=settings, market=MarketDataSwitch())
    await other.start_brokers()
    try:
        replay = other.market.current
        assert isinstance(replay, ReplayMarketData)
        simulator = other.brokers.adapter(BrokerName.SIMULATOR)
        refs = [ref for ref in await replay._lookup() if ref.token_id == 2885]
        quotes = await simulator.quote(refs)
        assert quotes[2885].ltp == Decimal("1400")
        replay.seek(T0 + timedelta(seconds=90))
        assert (await simulator.quote(refs))[2885].ltp == Decimal("1398")
    finally:
        await other.brokers.close()
        await other.market.close()
