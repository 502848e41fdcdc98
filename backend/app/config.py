"""Settings read from the environment (prefix MULTIDESK_), with the demo-mode secret bootstrap."""

import json
import secrets
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from cryptography.fernet import Fernet
from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
_KEYGEN = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


class ConfigError(RuntimeError):
    """The settings cannot start the app; the message says which setting to fix."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MULTIDESK_", extra="ignore")

    demo_mode: bool = True
    # Production runs migrations as a separate job, not on every replica start.
    migrate_on_start: bool = True
    data_dir: Path = REPO_ROOT / "var"
    database_url: str | None = None
    # Each process's database connection pool (SQLite and PostgreSQL alike): connections kept open, more opened
    # under load, and how long a request waits for a free one before 503 DATABASE_UNAVAILABLE (unset: the URL's
    # `timeout`). Requests hold a connection only while their statements run, never while they wait for a broker
    # or a batch, so a small pool serves many at once. On PostgreSQL keep processes x (size + overflow) below the
    # server's max_connections.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_s: float | None = Field(default=None, gt=0)
    redis_url: str | None = None
    # One Redis connection attempt or command; past it Redis counts as unreachable and its fallbacks take over.
    redis_timeout_s: float = Field(default=2.0, gt=0)
    jwt_secret: str | None = None
    encryption_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    # The web app's refresh-token cookie is Secure (sent over HTTPS only; browsers also accept it on
    # http://localhost). Turn off only to try the app over plain HTTP from another machine.
    refresh_cookie_secure: bool = True
    tokens_csv: Path = REPO_ROOT / "data" / "tokens.csv"
    static_dir: Path = REPO_ROOT / "frontend" / "out"
    log_level: str = "INFO"
    demo_client_count: int = 8
    # Orders in flight at once per broker, and how long one broker call may take before it counts as no answer.
    broker_concurrency: int = Field(default=32, ge=1)
    broker_call_timeout_s: float = Field(default=10.0, gt=0)
    # Exits of one instrument are taken one at a time across every process (a lease): how long a second exit waits
    # for the first before 409 EXIT_IN_PROGRESS.
    exit_wait_s: float = Field(default=30.0, gt=0)
    # How long a lease (an exit's, the reconciliation runner's) outlives a process that died holding it; a live
    # holder renews it every third of this.
    lease_ttl_s: float = Field(default=60.0, ge=3)
    # The one process that runs the periodic background jobs (reconciliation, the candle prune: app/services/runner.py)
    # holds a lease this long and renews it every third of it; another takes over within this and a third after the
    # runner died.
    runner_lease_ttl_s: float = Field(default=15.0, ge=1)
    # Server processes `python -m app.cli serve` runs on one port (uvicorn workers). More than 1 needs Redis (rooms
    # and rate limits shared between them) and the shared simulator venue (MULTIDESK_SIMULATOR_URL; unset, serve
    # starts one beside the workers).
    workers: int = Field(default=1, ge=1, le=64)
    # How long GET /batches/{id}?wait=true may hold a request.
    batch_wait_max_s: float = Field(default=30.0, gt=0)
    # Background reconciliation: open orders are synced, FAILED ones looked up by tag once this old.
    reconcile_interval_s: float = Field(default=15.0, gt=0)
    reconcile_failed_after_s: float = Field(default=5.0, ge=0)
    sim_seed: int | None = None
    sim_tick_interval_s: float = Field(default=1.0, gt=0)
    sim_volatility: float = Field(default=0.25, ge=0)
    sim_slippage_bps: Decimal = Field(default=Decimal("5"), ge=0)
    sim_liquidity_per_tick: int = Field(default=100_000, ge=1)
    sim_latency_ms: float = Field(default=0.0, ge=0)
    sim_latency_jitter_ms: float = Field(default=0.0, ge=0)
    sim_reject_rate: float = Field(default=0.0, ge=0, le=1)
    sim_timeout_rate: float = Field(default=0.0, ge=0, le=1)
    # None follows demo mode: the demo market never closes, otherwise NSE hours apply.
    sim_always_open: bool | None = None
    sim_persist: bool = True
    # The shared simulator venue (`python -m app.cli simulator serve`): with a URL, the simulator broker and its
    # market data are that one service, shared by every backend process; unset, each process runs its own
    # in-process simulator (one process only: its journal is locked by the process that opened it).
    simulator_url: str | None = None
    # One HTTP request to the venue; past it the request counts as no answer (BrokerUnavailable).
    simulator_timeout_s: float = Field(default=5.0, gt=0)
    # 1-minute candles (app/market/candles.py): kept this many days, pruned daily; the aggregator writes changed
    # candles to the database every flush interval (the live minute stays in memory in between).
    bars_retention_days: int = Field(default=30, ge=1)
    bars_prune_interval_s: float = Field(default=86_400.0, gt=0)
    # How often the runner looks for advisors' scheduled square-offs that are due (app/services/square_off.py).
    square_off_interval_s: float = Field(default=30.0, gt=0)
    bars_flush_interval_s: float = Field(default=5.0, gt=0)
    # Replay (MULTIDESK_MARKET_DATA=replay, app/market/replay.py): a CSV of 1-minute candles, played back at
    # replay_speed replayed seconds per wall second (60: a minute a second). A file without a symbol/token_id
    # column is replay_token_id's; a symbol on several exchanges is taken from replay_exchange.
    replay_file: Path | None = None
    replay_speed: Decimal = Field(default=Decimal(60), gt=0, le=86_400)
    replay_tick_interval_s: float = Field(default=0.25, gt=0, le=60)
    replay_token_id: int | None = Field(default=None, ge=1)
    replay_exchange: str = "NSE"
    replay_start_paused: bool = False
    # Socket.IO: every socket gets at most one `prices` frame per this interval, with what changed (latest tick wins).
    price_emit_interval_ms: int = Field(default=250, ge=10)
    # Instruments one socket may stream at once.
    realtime_max_subscriptions: int = Field(default=500, ge=1)
    # The Redis pub/sub channel the backend processes share Socket.IO events on (with MULTIDESK_REDIS_URL).
    realtime_redis_channel: str = "multidesk-socketio"
    # Motilal Oswal OpenAPI (app/brokers/motilal/README.md). Tests and `make run` demos point the base URL at the
    # fake (tests/fakes/motilal/); UAT is https://openapi.motilaloswaluat.com.
    motilal_base_url: str = "https://openapi.motilaloswal.com"
    # One HTTP request to Motilal; keep it under broker_call_timeout_s (a MARKET order makes two: price, then place).
    motilal_timeout_s: float = Field(default=4.0, gt=0)
    motilal_orders_per_second: int = Field(default=10, ge=1)
    # MARKET and SL-M orders go to Motilal as LIMIT / STOPLOSS orders this far (percent) beyond the price.
    motilal_market_protection_pct: Decimal = Field(default=Decimal("1.0"), gt=0, le=20)
    # Header values Motilal asks every API caller to send (source, client IPs, MAC address).
    motilal_source_id: str = "WEB"
    motilal_user_agent: str = "MOSL/V.1.1.0"
    motilal_client_local_ip: str = "127.0.0.1"
    # The static public IP whitelisted with Motilal (MO2035 otherwise); start-up refuses a non-public one outside
    # demo mode while any Motilal client is active (app/services/startup_checks.py).
    motilal_client_public_ip: str = "127.0.0.1"
    motilal_mac_address: str = "00:00:00:00:00:00"
    # Where every price comes from (app/market/port.py): the simulator's price model, Motilal's getltpdata polled
    # with one designated account, or a replayed candle file.
    market_data: Literal["simulator", "motilal", "replay"] = "simulator"
    # The Motilal client (our clients.id) whose session asks Motilal for prices when market_data is motilal.
    motilal_market_data_client_id: int | None = None
    # getltpdata calls per second, all instruments together (Motilal's FAQ Q9 allows 2 per second for non-order APIs).
    motilal_market_data_requests_per_second: float = Field(default=2.0, gt=0, le=2.0)
    # A polled Motilal price younger than this serves risk checks and P&L without a request of its own.
    motilal_market_data_fresh_s: float = Field(default=10.0, gt=0)
    # Motilal's broadcast WebSocket (app/market/motilal_broadcast.py) beside polling; empty = off. Motilal's feed is
    # wss://ws1feed.motilaloswal.com/jwebsocket/jwebsocket (an undocumented binary protocol: see its README first).
    motilal_broadcast_url: str = ""
    # Scrips registered on the socket at most (Motilal's getbroadcastmaxlimit; the SDK assumes 200); the rest poll.
    motilal_broadcast_max_scrips: int = Field(default=200, ge=1)
    # Logs: "json" (one object per line) or "text"; None is text in demo mode, JSON otherwise.
    log_format: Literal["json", "text"] | None = None
    # Abuse limits (`limits` syntax, e.g. "20/minute"); Redis-backed with redis_url, in memory otherwise.
    rate_limit_login_ip: str = "30/minute"
    # Attempts for one email from one client address (an attacker elsewhere cannot use up a user's budget).
    rate_limit_login_email: str = "10/minute"
    # Failed sign-ins for one email from one address that lock that pair; each further lockout of the pair within
    # a day lasts twice as long as the one before (at most a day). An admin's unlock clears them all.
    login_lockout_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # Peers (IPs or CIDRs, comma-separated, "*" for any) whose X-Forwarded-For / X-Forwarded-Proto is believed:
    # the reverse proxies in front of the app. Empty: the headers are ignored and the client address is the peer's.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rate_limit_orders: str = "120/minute"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # The largest quantity and price one order may carry (place, execute-all rows, modify, exits), checked before
    # anything is written or sent: QUANTITY_TOO_LARGE / PRICE_TOO_LARGE. Bounded by what the columns hold
    # (quantities are INTEGER, prices have at most 10 integer digits).
    max_order_quantity: int = Field(default=10_000_000, ge=1, le=2**31 - 1)
    max_order_price: Decimal = Field(default=Decimal("10000000"), gt=0, lt=Decimal("1e10"))
    # GET /metrics answers only `Authorization: Bearer <this>` (Prometheus: `authorization: {credentials: ...}`);
    # unset, /metrics is a 404. At least 16 characters; make one with secrets.token_urlsafe(32).
    metrics_token: str | None = None
    demo_min_cash: Decimal = Decimal("500000")
    demo_max_cash: Decimal = Decimal("5000000")

    @field_validator("encryption_keys", "cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def resolved_log_format(self) -> str:
        return self.log_format or ("text" if self.demo_mode else "json")

    @field_validator("simulator_url")
    @classmethod
    def _simulator_url(cls, value: str | None) -> str | None:
        value = value.strip().rstrip("/") if value else None
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("MULTIDESK_SIMULATOR_URL must be http(s)://host:port (or unset for the in-process one)")
        return value or None

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token(cls, value: str | None) -> str | None:
        value = value.strip() if value else None
        if value is not None and len(value) < 16:
            raise ValueError("MULTIDESK_METRICS_TOKEN must be at least 16 characters (or unset, to serve no metrics)")
        return value or None

    @field_validator("rate_limit_login_ip", "rate_limit_login_email", "rate_limit_orders")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit like '20/minute': {value!r}") from exc
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'multidesk.db').resolve()}"

    def ensure_secrets(self) -> None:
        """Fill in missing secrets: generated once and kept in the data dir in demo mode, fatal otherwise."""
        missing = [
            name
            for name, value in (
                ("MULTIDESK_JWT_SECRET", self.jwt_secret),
                ("MULTIDESK_ENCRYPTION_KEYS", self.encryption_keys),
            )
            if not value
        ]
        if not missing:
            return
        if not self.demo_mode:
            raise ConfigError(
                f"{', '.join(missing)} must be set when MULTIDESK_DEMO_MODE is false "
                f"(make an encryption key with: {_KEYGEN})"
            )
        stored = self._demo_secrets()
        self.jwt_secret = self.jwt_secret or stored["jwt_secret"]
        self.encryption_keys = self.encryption_keys or [stored["encryption_key"]]

    def _demo_secrets(self) -> dict[str, str]:
        path = self.data_dir / "demo-secrets.json"
        if path.exists():
            return json.loads(path.read_text())
        self.data_dir.mkdir(parents=True, exist_ok=True)
        stored = {"jwt_secret": secrets.token_urlsafe(48), "encryption_key": Fernet.generate_key().decode()}
        path.touch(mode=0o600)
        path.write_text(json.dumps(stored))
        return stored
