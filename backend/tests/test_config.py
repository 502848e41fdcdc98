"""Settings: secrets are mandatory in production and generated once in demo mode."""

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import ConfigError, Settings


def test_production_without_secrets_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(demo_mode=False, data_dir=tmp_path, jwt_secret=None, encryption_keys=[])
    with pytest.raises(ConfigError, match="MULTIDESK_JWT_SECRET, MULTIDESK_ENCRYPTION_KEYS must be set"):
        settings.ensure_secrets()


def test_demo_mode_generates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    first = Settings(demo_mode=True, data_dir=tmp_path, jwt_secret=None, encryption_keys=[])
    first.ensure_secrets()
    second = Settings(demo_mode=True, data_dir=tmp_path, jwt_secret=None, encryption_keys=[])
    second.ensure_secrets()
    assert first.jwt_secret and first.jwt_secret == second.jwt_secret
    assert first.encryption_keys == second.encryption_keys and len(first.encryption_keys) == 1
    assert (tmp_path / "demo-secrets.json").stat().st_mode & 0o077 == 0


def test_comma_separated_environment_lists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MULTIDESK_ENCRYPTION_KEYS", "k1, k2")
    monkeypatch.setenv("MULTIDESK_CORS_ORIGINS", "https://a.example,https://b.example")
    monkeypatch.setenv("MULTIDESK_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.encryption_keys == ["k1", "k2"]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'multidesk.db'}"


def test_order_maximums_default_to_ten_million_and_stay_within_what_the_columns_hold(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.max_order_quantity == 10_000_000
    assert settings.max_order_price == Decimal("10000000")
    for field, value in (("max_order_quantity", 2**31), ("max_order_quantity", 0), ("max_order_price", "1e10")):
        with pytest.raises(ValidationError):
            Settings(data_dir=tmp_path, **{field: value})


def test_the_simulator_venue_url_is_http_and_empty_means_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULTIDESK_SIMULATOR_URL", "http://simulator:8100/")
    assert Settings().simulator_url == "http://simulator:8100"
    monkeypatch.setenv("MULTIDESK_SIMULATOR_URL", "")
    assert Settings().simulator_url is None
    monkeypatch.setenv("MULTIDESK_SIMULATOR_URL", "simulator:8100")
    with pytest.raises(ValidationError, match="MULTIDESK_SIMULATOR_URL"):
        Settings()
