"""The long-lived objects one app instance shares: settings, database, vault, tokens, brokers, events, tasks."""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.brokers.base import OrderListener
from app.brokers.motilal import MotilalBroker, MotilalConfig
from app.brokers.registry import BrokerRegistry
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.brokers.simulator.venue_client import VenueBroker
from app.brokers.simulator.venue_settings import VenueSettings
from app.config import Settings
from app.db import DEFAULT_MAX_OVERFLOW, DEFAULT_POOL_SIZE, make_engine, make_sessionmaker, make_write_turns
from app.enums import BrokerName
from app.market import bar_store
from app.market.calendar.indian import IndianExchangeCalendar
from app.market.calendar.port import ExchangeCalendar
from app.market.candles import CandleAggregator
from app.market.clock import Clock, make_clock
from app.market.select import build_market_data
from app.market.switch import MarketDataSwitch
from app.models import Instrument
from app.realtime.events import EventBus
from app.security.ratelimit import RateLimits
from app.security.tokens import TokenIssuer
from app.security.vault import CredentialVault
from app.services.batch_waits import BatchWaits
from app.services.halt_gate import HaltGate
from app.services.market_data import designated_account, instrument_lookup
from app.services.order_writer import OrderWriter
from app.services.trades import FillFollowUp
from app.tasks import TaskSet

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    vault: CredentialVault
    tokens: TokenIssuer
    limits: RateLimits
    events: EventBus = field(default_factory=EventBus)
    # The trading day's time (MULTIDESK_SIM_CLOCK_START shifts it) and the exchange calendar read against it.
    clock: Clock = field(default_factory=make_clock)
    calendar: ExchangeCalendar = field(default_factory=IndianExchangeCalendar)
    tasks: TaskSet = field(default_factory=TaskSet)
    # Every price (quotes, the realtime stream, risk checks, P&L): the market-data port chosen by
    # MULTIDESK_MARKET_DATA, followed across broker restarts (app/market/switch.py).
    market: MarketDataSwitch = field(default_factory=MarketDataSwitch)
    # 1-minute candles built from the market's quotes (the live minute in memory, written every few seconds).
    candles: CandleAggregator = field(default_factory=CandleAggregator)
    # Made by start_brokers(), once the instruments (and the simulator's starting prices) are loaded.
    brokers: BrokerRegistry = field(init=False)
    # Every change to an order row goes through the writer; fills and positions follow up after it.
    fills: FillFollowUp = field(init=False)
    order_writer: OrderWriter = field(init=False)
    # Every send asks it, at the last moment, whether a kill switch stops the order.
    halt_gate: HaltGate = field(init=False)
    # Turns to write (app/db.py write_turn), so writers queueing for the audit chain's lock never fill the pool.
    write_turns: asyncio.Semaphore = field(
        default_factory=lambda: make_write_turns(DEFAULT_POOL_SIZE, DEFAULT_MAX_OVERFLOW)
    )
    # Requests waiting for a batch sleep here between looks, woken by the writer's batch_progress events.
    batch_waits: BatchWaits = field(init=False)

    def __post_init__(self) -> None:
        self.fills = FillFollowUp(self)
        self.order_writer = OrderWriter(self.sessions, self.events, on_fills=self.fills.request)
        self.halt_gate = HaltGate(self.sessions)
        self.batch_waits = BatchWaits(self.events)
        # Through the attribute, not the bound method: whichever aggregator the context holds gets the quotes.
        self.market.add_listener(lambda quotes: self.candles.on_quotes(quotes))

    def market_now(self) -> datetime:
        """The market clock candles close on: the port's (the wall clock with the simulator and Motilal, the
        replayed time in a replay)."""
        return self.market.now()

    @classmethod
    def build(cls, settings: Settings) -> "AppContext":
        settings.ensure_secrets()
        assert settings.jwt_secret is not None
        engine = make_engine(
            settings.resolved_database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout_s=settings.db_pool_timeout_s,
        )
        sessions = make_sessionmaker(engine)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            vault=CredentialVault(settings.encryption_keys),
            tokens=TokenIssuer(
                settings.jwt_secret,
                access_ttl=timedelta(minutes=settings.access_token_minutes),
                refresh_ttl=timedelta(days=settings.refresh_token_days),
            ),
            limits=RateLimits(settings),
            write_turns=make_write_turns(settings.db_pool_size, settings.db_max_overflow),
        )

    async def start_brokers(self, order_listener: OrderListener | None = None) -> None:
        """Build and start every broker adapter; `order_listener` receives the orders brokers push."""
        async with self.sessions() as session:
            rows = (await session.execute(select(Instrument.token_id, Instrument.ref_price))).all()
        initial_prices: dict[int, Decimal] = {token_id: price for token_id, price in rows if price is not None}
        simulator: SimulatorBroker | VenueBroker
        if self.settings.simulator_url:
            # One venue for every process: its books and prices are the same whichever process asks.
            venue = VenueSettings(self.settings.simulator_url, timeout_s=self.settings.simulator_timeout_s)
            simulator = VenueBroker(venue, initial_prices=initial_prices)
        else:
            simulator = SimulatorBroker(simulator_settings(self.settings), initial_prices=initial_prices)
        motilal = MotilalBroker(motilal_config(self.settings))
        self.brokers = BrokerRegistry(
            # Motilal is always registered; its base URL (MULTIDESK_MOTILAL_BASE_URL) may point at the fake.
            {BrokerName.SIMULATOR: simulator, BrokerName.MOTILAL: motilal},
            concurrency=self.settings.broker_concurrency,
            call_timeout_s=self.settings.broker_call_timeout_s,
        )
        for adapter in self.brokers.adapters().values():
            if adapter.capabilities.pushes_order_updates:
                adapter.set_order_listener(order_listener)
        await self.brokers.start()
        account = designated_account(self.sessions, self.vault, self.settings.motilal_market_data_client_id)
        market = build_market_data(
            self.settings,
            simulator=simulator,
            motilal=motilal,
            motilal_account=account,
            instruments=instrument_lookup(self.sessions),
        )
        await self.market.use(market)

    async def close(self) -> None:
        await self.tasks.close()
        # Brokers first: they deliver their last order updates, which still need the database.
        await self.market.close()
        if hasattr(self, "brokers"):
            await self.brokers.close()
        # The candles written since the last flush, the live minutes included, are not lost with the process.
        try:
            await bar_store.flush(self.candles, self.sessions, self.write_turns, self.market_now())
        except Exception:
            log.exception("writing the last candles at shutdown failed")
        await self.engine.dispose()


def simulator_settings(settings: Settings) -> SimulatorSettings:
    always_open = settings.demo_mode if settings.sim_always_open is None else settings.sim_always_open
    # A replay's market is open whenever the file has prices, whatever the hour it is replayed at.
    always_open = always_open or settings.market_data == "replay"
    return SimulatorSettings(
        seed=settings.sim_seed,
        tick_interval_s=settings.sim_tick_interval_s,
        volatility=settings.sim_volatility,
        slippage_bps=settings.sim_slippage_bps,
        liquidity_per_tick=settings.sim_liquidity_per_tick,
        latency_ms=settings.sim_latency_ms,
        latency_jitter_ms=settings.sim_latency_jitter_ms,
        reject_rate=settings.sim_reject_rate,
        timeout_rate=settings.sim_timeout_rate,
        always_open=always_open,
        # The simulated broker keeps its books in the data dir, as a real broker keeps its own across our restarts.
        journal_path=settings.data_dir / "simulator-journal.jsonl" if settings.sim_persist else None,
    )


def motilal_config(settings: Settings) -> MotilalConfig:
    return MotilalConfig(
        base_url=settings.motilal_base_url,
        timeout_s=settings.motilal_timeout_s,
        orders_per_second=settings.motilal_orders_per_second,
        market_protection_pct=settings.motilal_market_protection_pct,
        source_id=settings.motilal_source_id,
        user_agent=settings.motilal_user_agent,
        client_local_ip=settings.motilal_client_local_ip,
        client_public_ip=settings.motilal_client_public_ip,
        mac_address=settings.motilal_mac_address,
    )
