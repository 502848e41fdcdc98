"""SimulatorSettings: every knob of the simulated broker (price model, matching, margin, injected faults, journal)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.enums import TradeType


def _default_leverage() -> dict[TradeType, Decimal]:
    return {TradeType.INTRADAY: Decimal(5), TradeType.DELIVERY: Decimal(1), TradeType.MTF: Decimal(4)}


@dataclass
class SimulatorSettings:
    seed: int | None = None
    tick_interval_s: float = 1.0
    # GBM parameters, annualised; a tick advances time by tick_interval_s of a trading year.
    drift: float = 0.0
    volatility: float = 0.25
    max_move_pct: float = 2.0  # per tick, in percent
    slippage_bps: Decimal = Decimal(5)  # MARKET orders: buyers pay up, sellers receive less
    liquidity_per_tick: int = 100_000  # max quantity one order fills per matching pass
    leverage: Mapping[TradeType, Decimal] = field(default_factory=_default_leverage)
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    reject_rate: float = 0.0
    timeout_rate: float = 0.0
    # On a simulated timeout, whether the broker had already accepted the request before the answer was lost.
    timeout_after_accept: bool = True
    always_open: bool = True
    # Debit brokerage and statutory charges on every fill (app/brokers/charges.py), as a broker does. Off only
    # where a test's subject is margin or P&L arithmetic, so its figures stay the round ones it reasons about.
    charges: bool = True
    # Where the books are journalled so they survive a restart (see journal.py); None keeps them in memory only.
    journal_path: Path | None = None
    # fsync every journal line. Off, a killed process loses nothing it acknowledged (each line is written and
    # flushed before the answer), but an OS crash or power loss can lose the last lines the OS had not yet
    # written to disk; on, it survives those too, at a disk sync (milliseconds) per order event.
    journal_fsync: bool = False

    def __post_init__(self) -> None:
        if self.tick_interval_s <= 0:
            raise ValueError("tick_interval_s must be positive")
        if self.liquidity_per_tick < 1:
            raise ValueError("liquidity_per_tick must be at least 1")
        for name in ("reject_rate", "timeout_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            raise ValueError("latency_ms and latency_jitter_ms cannot be negative")
        missing = [t.value for t in TradeType if self.leverage.get(t, 0) <= 0]
        if missing:
            raise ValueError(f"leverage must be positive for every trade type (missing/invalid: {', '.join(missing)})")
