"""Start-up refuses to serve live Motilal clients from an address Motilal cannot have whitelisted (MO2035)."""

from decimal import Decimal
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import ConfigError, Settings
from app.enums import BrokerName, Role
from app.main import create_app
from app.models import Client, User
from app.security.passwords import hash_password
from app.services.startup_checks import check_motilal_public_ip

KEY = Fernet.generate_key().decode()


def settings(data_dir: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "demo_mode": False,
        "data_dir": data_dir,
        "database_url": f"sqlite+aiosqlite:///{data_dir / 'startup.db'}",
        "jwt_secret": "startup-secret-" + "z" * 40,
        "encryption_keys": [KEY],
        "static_dir": data_dir / "none",
        "sim_tick_interval_s": 3600.0,
    }
    return Settings(**{**values, **changes})  # type: ignore[arg-type]


async def add_motilal_client(session: AsyncSession) -> Client:
    user = User(email="a@example.com", full_name="A", role=Role.ADVISOR, password_hash=hash_password("pw-1234567"))
    session.add(user)
    await session.flush()
    assert user.id is not None
    client = Client(
        owner_id=user.id,
        display_name="M",
        broker=BrokerName.MOTILAL,
        broker_client_id="EMUM1",
        opening_cash=Decimal(0),
    )
    session.add(client)
    await session.commit()
    return client


async def test_live_motilal_clients_need_a_public_ip_set_explicitly(tmp_path: Path) -> None:
    first = create_app(settings(tmp_path))
    async with LifespanManager(first):  # no Motilal client yet: the default address is fine
        async with first.state.ctx.sessions() as session:
            await add_motilal_client(session)

    with pytest.raises(ConfigError, match=r"PUBLIC_IP is '127\.0\.0\.1', not a public address"):
        async with LifespanManager(create_app(settings(tmp_path))):
            pass
    for private in ("10.0.0.5", "192.168.1.20", "203.0.113.7", "not-an-ip"):  # 203.0.113/24 is documentation
        with pytest.raises(ConfigError, match="whitelisted static public IP"):
            async with LifespanManager(create_app(settings(tmp_path, motilal_client_public_ip=private))):
                pass
    async with LifespanManager(create_app(settings(tmp_path, motilal_client_public_ip="49.36.10.20"))):
        pass


async def test_demo_mode_a_local_broker_or_no_active_motilal_client_needs_no_public_ip(tmp_path: Path) -> None:
    # One running app throughout: the checks read the same database the app serves (on SQLite, an app stopped
    # inside this process can leave its file locked until its connections are collected; a stopped process cannot).
    app = create_app(settings(tmp_path))
    async with LifespanManager(app), app.state.ctx.sessions() as session:
        client = await add_motilal_client(session)
        with pytest.raises(ConfigError, match="not a public address"):
            await check_motilal_public_ip(session, settings(tmp_path))
        # Demo mode, or a base URL on this machine (the fake broker), needs no whitelisted address.
        await check_motilal_public_ip(session, settings(tmp_path, demo_mode=True))
        await check_motilal_public_ip(session, settings(tmp_path, motilal_base_url="http://127.0.0.1:8765"))
        client.is_active = False
        await session.commit()
        await check_motilal_public_ip(session, settings(tmp_path))  # no active Motilal client
