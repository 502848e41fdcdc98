"""A server restart keeps everything a user relies on: orders, positions and cash at the (persisted) simulator."""

from decimal import Decimal
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet

from app.config import Settings
from app.enums import BrokerName, Role
from app.main import create_app
from app.models import Client, User
from app.security.passwords import hash_password

KEY = Fernet.generate_key().decode()


def settings(data_dir: Path) -> Settings:
    return Settings(
        demo_mode=False,
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'restart.db'}",
        jwt_secret="restart-secret-" + "y" * 40,
        encryption_keys=[KEY],
        static_dir=data_dir / "none",
        sim_persist=True,
        sim_slippage_bps=Decimal("0"),
        sim_tick_interval_s=3600.0,
        sim_always_open=True,  # the test runs at any hour
    )


async def test_positions_and_orders_survive_a_restart(tmp_path: Path) -> None:
    first = create_app(settings(tmp_path))
    async with LifespanManager(first):
        ctx = first.state.ctx
        async with ctx.sessions() as session:
            user = User(
                email="a@example.com", full_name="A", role=Role.ADVISOR, password_hash=hash_password("pw-12345678")
            )
            session.add(user)
            await session.flush()
            client = Client(
                owner_id=user.id,
                display_name="C",
                broker=BrokerName.SIMULATOR,
                broker_client_id="R1",
                opening_cash=Decimal("100000"),
            )
            session.add(client)
            await session.commit()
        headers = {"Authorization": f"Bearer {ctx.tokens.issue(user.id, 'access')}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://t") as http:
            placed = await http.post(
                "/api/v1/orders/place",
                json={
                    "client_id": client.id,
                    "token_id": 2885,
                    "execution": "BUY",
                    "order_type": "MARKET",
                    "trade_type": "DELIVERY",
                    "quantity": 7,
                },
                headers=headers,
            )
            assert placed.json()["status"] == "FILLED"
            before = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=headers)).json()

    second = create_app(settings(tmp_path))
    async with LifespanManager(second):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://t") as http:
            after = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=headers)).json()
            orders = (await http.get("/api/v1/orders", headers=headers)).json()
    assert after["positions"][0]["net_quantity"] == 7
    assert after["summary"]["cash"] == before["summary"]["cash"]
    assert after["summary"]["margin_used"] == before["summary"]["margin_used"] != "0.00"
    assert [o["status"] for o in orders["items"]] == ["FILLED"]
