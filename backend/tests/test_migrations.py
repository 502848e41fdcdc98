"""The schema is made only by migrations: upgrade from empty, down and up again, on the test database kind."""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.config import ConfigError, Settings
from app.db import alembic_config, upgrade_head
from app.main import create_app

SCRATCH_DB = "multidesk_migration_scratch"


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[str]:
    base = os.environ.get("MULTIDESK_TEST_DATABASE_URL")
    if not base or base.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"))
        await connection.execute(text(f"CREATE DATABASE {SCRATCH_DB}"))
    yield make_url(base).set(database=SCRATCH_DB).render_as_string(hide_password=False)
    async with admin.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"))
    await admin.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names


async def test_upgrade_from_empty_makes_every_model_table_and_downgrade_undoes_it(empty_database: str) -> None:
    await upgrade_head(empty_database)
    expected = {table.name for table in SQLModel.metadata.sorted_tables}
    assert expected <= await _tables(empty_database)

    engine = create_async_engine(empty_database)
    async with engine.connect() as connection:
        head = (await connection.execute(text("SELECT last_hash, length FROM audit_head"))).all()
    await engine.dispose()
    assert head == [("0" * 64, 0)]

    await asyncio.to_thread(command.downgrade, alembic_config(empty_database), "base")
    assert await _tables(empty_database) <= {"alembic_version"}
    await upgrade_head(empty_database)
    assert expected <= await _tables(empty_database)


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    """A model change without a migration is caught here, not in production."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'diff.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(f"sqlite:///{tmp_path / 'diff.db'}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


async def test_without_migrate_on_start_an_unmigrated_database_stops_start_up_clearly(tmp_path: Path) -> None:
    settings = Settings(
        demo_mode=False,
        migrate_on_start=False,
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        jwt_secret="s" * 40,
        encryption_keys=[Fernet.generate_key().decode()],
        sim_persist=False,
    )
    with pytest.raises(ConfigError, match=r"python -m app\.cli migrate"):
        async with LifespanManager(create_app(settings)):
            pass
    assert await _tables(settings.resolved_database_url) == set()
    await upgrade_head(settings.resolved_database_url)
    async with LifespanManager(create_app(settings)):
        pass


async def test_group_names_differing_in_case_are_renamed_so_the_case_blind_index_can_be_built(
    empty_database: str,
) -> None:
    """Migration 0010 keeps every group: the earliest keeps its name, a later one's name gets its id appended."""
    await asyncio.to_thread(command.upgrade, alembic_config(empty_database), "0008")
    engine = create_async_engine(empty_database)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO users (id, email, full_name, role, password_hash, is_active, token_version, created_at) "
                "VALUES (1, 'a@example.com', 'A', 'advisor', 'x', true, 0, CURRENT_TIMESTAMP), "
                "(2, 'b@example.com', 'B', 'advisor', 'x', true, 0, CURRENT_TIMESTAMP)"
            )
        )
        for group_id, owner_id, name in ((1, 1, "Growth"), (2, 1, "growth"), (3, 2, "GROWTH"), (4, 1, "Value")):
            await connection.execute(
                text(
                    "INSERT INTO client_groups (id, owner_id, name, created_at, updated_at) "
                    "VALUES (:id, :owner, :name, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": group_id, "owner": owner_id, "name": name},
            )
    await upgrade_head(empty_database)
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT id, name FROM client_groups ORDER BY id"))).all()
    await engine.dispose()
    assert names == [(1, "Growth"), (2, "growth (2)"), (3, "GROWTH"), (4, "Value")]
