"""Credential encryption at rest and key rotation."""

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app.context import AppContext
from app.enums import BrokerName
from app.models import Client
from app.security.vault import CredentialVault, VaultError
from app.services.clients import rotate_credential_keys
from tests.conftest import Actor

BACKEND = Path(__file__).resolve().parents[1]


def test_encrypt_decrypt_roundtrip_and_ciphertext_hides_values() -> None:
    vault = CredentialVault([Fernet.generate_key().decode()])
    token = vault.encrypt({"password": "hunter2-secret"})
    assert "hunter2" not in token
    assert vault.decrypt(token) == {"password": "hunter2-secret"}


def test_a_dropped_key_is_a_clear_error_not_garbage() -> None:
    old = CredentialVault([Fernet.generate_key().decode()])
    new = CredentialVault([Fernet.generate_key().decode()])
    with pytest.raises(VaultError):
        new.decrypt(old.encrypt({"api_key": "k"}))


def test_keys_that_are_not_fernet_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="Fernet keys"):
        CredentialVault(["not-a-key"])


async def test_rotation_reencrypts_every_row_with_the_newest_key(ctx: AppContext, advisor: Actor) -> None:
    old_key = ctx.settings.encryption_keys[0]
    old_vault = CredentialVault([old_key])
    async with ctx.sessions() as session:
        for index in range(3):
            client = Client(
                owner_id=advisor.id, display_name=f"C{index}", broker=BrokerName.MOTILAL, broker_client_id=f"MO{index}"
            )
            client.credentials_ciphertext = old_vault.encrypt({"password": f"pw-{index}", "api_key": f"key-{index}"})
            client.credentials_key_id = old_vault.current_key_id
            session.add(client)
        await session.commit()

    new_key = Fernet.generate_key().decode()
    rotating = CredentialVault([new_key, old_key])
    async with ctx.sessions() as session:
        assert await rotate_credential_keys(session, rotating) == 3
    async with ctx.sessions() as session:
        assert await rotate_credential_keys(session, rotating) == 0

    only_new = CredentialVault([new_key])
    async with ctx.sessions() as session:
        rows = (await session.scalars(select(Client).order_by(Client.broker_client_id))).all()
    assert [only_new.decrypt(row.credentials_ciphertext or "") for row in rows] == [
        {"password": f"pw-{i}", "api_key": f"key-{i}"} for i in range(3)
    ]
    assert {row.credentials_key_id for row in rows} == {only_new.current_key_id}
    with pytest.raises(VaultError):
        old_vault.decrypt(rows[0].credentials_ciphertext or "")


def test_rotate_keys_command_runs_against_a_database(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    env = {
        "PATH": "/usr/bin:/bin",
        "MULTIDESK_DEMO_MODE": "false",
        "MULTIDESK_DATA_DIR": str(tmp_path),
        "MULTIDESK_JWT_SECRET": "x" * 40,
        "MULTIDESK_ENCRYPTION_KEYS": key,
    }
    migrate = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"], cwd=BACKEND, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    rotate = subprocess.run(
        [sys.executable, "-m", "app.cli", "rotate-keys"], cwd=BACKEND, env=env, capture_output=True, text=True
    )
    assert rotate.returncode == 0, rotate.stderr
    assert "re-encrypted 0 client credential rows" in rotate.stdout
