"""Shared pieces of the benchmarks: scale, databases, seeding, result rows and the table."""

import asyncio
import csv
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import REPO_ROOT, Settings
from app.enums import BrokerName, Role
from app.models import Client, User
from app.security.passwords import hash_password

SCALE = os.environ.get("BENCH_SCALE", "full")
TINY = SCALE == "tiny"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/multidesk_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
JWT_SECRET = "bench-secret-" + "x" * 40
ENCRYPTION_KEY = Fernet.generate_key().decode()
# The benchmark server's /metrics answers only this bearer token (MULTIDESK_METRICS_TOKEN).
METRICS_TOKEN = "benchmark-metrics-" + "m" * 24
ROW_KEYS = ("name", "db", "value", "unit", "bound", "ratio", "target", "meets")
_NAMES = (
    "execute_all",
    "execute_all_sequential",
    "overhead_orders_per_s",
    "exit_by_token",
    "tick_p99_ms",
    "tick_delivered_pct",
    "api_clients_p95_ms",
    "api_place_p95_ms",
    "api_search_p95_ms",
    "candles_cpu_pct",
)
# The server benchmarks (benchmarks/server.py) measured with 2 worker processes too: each row beside its 1-process one.
SERVER_ROWS = ("tick_", "api_")
NAMES = tuple(n for base in _NAMES for n in (base, *([f"{base}_2w"] if base.startswith(SERVER_ROWS) else [])))


def size(full: int, tiny: int) -> int:
    return tiny if TINY else full


@dataclass
class Row:
    name: str
    db: str
    value: float
    unit: str
    bound: float
    # "le": value <= target_factor * bound; "ge": value >= bound; "lt": value < bound.
    rule: str
    target_factor: float = 1.0
    note: str = ""
    extra: dict = field(default_factory=dict)

    def public(self) -> dict:
        ratio = self.value / self.bound if self.bound else math.inf
        if self.rule == "le":
            target, meets = f"<= {self.target_factor:g} x bound", self.value <= self.target_factor * self.bound
        elif self.rule == "ge":
            target, meets = ">= bound", self.value >= self.bound
        else:
            target, meets = "< bound", self.value < self.bound
        return {
            "name": self.name,
            "db": self.db,
            "value": round(self.value, 3),
            "unit": self.unit,
            "bound": round(self.bound, 3),
            "ratio": round(ratio, 3),
            "target": target,
            "meets": bool(meets),
        }


def db_url(db: str, data_dir: Path) -> str:
    if db.startswith("postgres"):
        return PG_URL
    return f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


async def reset_database(url: str) -> None:
    """An empty database (the app's migrations build the schema); the PostgreSQL one is created if missing."""
    if url.startswith("sqlite"):
        _remove_sqlite_files(Path(url.split("///", 1)[1]))
        return
    base, name = url.rsplit("/", 1)
    admin = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        exists = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def tokens_csv(data_dir: Path, extra: int) -> Path:
    """data/tokens.csv plus `extra` synthetic instruments (token ids 900001...), for the tick benchmark."""
    source = REPO_ROOT / "data" / "tokens.csv"
    target = data_dir / "tokens.csv"
    lines = source.read_text().rstrip("\n").splitlines()
    with target.open("w", newline="") as handle:
        handle.write("\n".join(lines) + "\n")
        writer = csv.writer(handle)
        for i in range(1, extra + 1):
            writer.writerow([f"BENCH{i}", 900000 + i, "NSE", "EQ", 1, "0.05", f"Bench instrument {i}", "100.00"])
    return target


def settings_for(db: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict = dict(
        demo_mode=False,
        data_dir=data_dir,
        database_url=db_url(db, data_dir),
        redis_url=None,
        jwt_secret=JWT_SECRET,
        encryption_keys=[ENCRYPTION_KEY],
        static_dir=data_dir / "no-frontend",
        sim_persist=False,
        sim_always_open=True,
        sim_seed=7,
        sim_slippage_bps=Decimal("0"),
        log_level="WARNING",
        motilal_base_url="http://127.0.0.1:9",
        metrics_token=METRICS_TOKEN,
    )
    values.update(overrides)
    return Settings(**values)


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment for `python -m app.cli serve` with these settings (inherited MULTIDESK_* dropped)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULTIDESK_")}
    for name in (
        "demo_mode",
        "data_dir",
        "database_url",
        "redis_url",
        "jwt_secret",
        "static_dir",
        "sim_persist",
        "sim_always_open",
        "sim_seed",
        "sim_slippage_bps",
        "sim_tick_interval_s",
        "sim_latency_ms",
        "sim_latency_jitter_ms",
        "log_level",
        "motilal_base_url",
        "tokens_csv",
        "price_emit_interval_ms",
        "realtime_redis_channel",
        "metrics_token",
    ):
        value = getattr(settings, name)
        if value is not None:
            env[f"MULTIDESK_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    env["MULTIDESK_ENCRYPTION_KEYS"] = ",".join(settings.encryption_keys)
    env.update(extra)
    return env


async def seed_advisor(sessions, clients: int, *, cash: Decimal = Decimal("100000000")) -> tuple[int, list[int]]:
    """One advisor with `clients` simulator clients; (user id, client ids)."""
    async with sessions() as session:
        user = User(
            email=f"bench-{os.urandom(3).hex()}@example.com",
            full_name="Bench Advisor",
            role=Role.ADVISOR,
            password_hash=hash_password("bench-password-1"),
        )
        session.add(user)
        await session.flush()
        rows = [
            Client(
                owner_id=user.id,
                display_name=f"Bench Client {i + 1:05d}",
                broker=BrokerName.SIMULATOR,
                broker_client_id=f"B{user.id}-{i + 1}",
                opening_cash=cash,
            )
            for i in range(clients)
        ]
        session.add_all(rows)
        await session.commit()
        return user.id, [c.id for c in rows]  # type: ignore[return-value]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def check_rows(rows: list[dict]) -> None:
    """Well-formed rows: every key, known names, finite numbers (a correctness check, never a timing one)."""
    assert rows, "no benchmark rows"
    for row in rows:
        assert tuple(row) == ROW_KEYS, f"bad keys {list(row)}"
        assert row["name"] in NAMES, row["name"]
        for key in ("value", "bound", "ratio"):
            assert isinstance(row[key], (int, float)) and math.isfinite(row[key]), (key, row)
        assert row["value"] >= 0 and row["bound"] > 0, row
        assert isinstance(row["meets"], bool) and isinstance(row["unit"], str) and row["unit"], row


def write_results(rows: list[Row], out_dir: Path, header: str) -> str:
    out_dir.mkdir(parents=True, exist_ok=True)
    public = [row.public() for row in rows]
    check_rows(public)
    (out_dir / "results.json").write_text(json.dumps(public, indent=2) + "\n")
    (out_dir / "details.json").write_text(
        json.dumps([{**row.public(), "note": row.note, **row.extra} for row in rows], indent=2, default=str) + "\n"
    )
    lines = [
        "| benchmark | db | value | unit | bound | ratio | target | meets | note |",
        "|---|---|---:|---|---:|---:|---|---|---|",
    ]
    for row, pub in zip(rows, public, strict=True):
        lines.append(
            f"| {pub['name']} | {pub['db']} | {pub['value']:g} | {pub['unit']} | {pub['bound']:g} | "
            f"{pub['ratio']:.2f} | {pub['target']} | {'yes' if pub['meets'] else 'NO'} | {row.note} |"
        )
    table = "\n".join(lines)
    (out_dir / "results.md").write_text(f"{header}\n\n{table}\n")
    return table


def new_data_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="multidesk-bench-"))


def run(coro):
    return asyncio.run(coro)
