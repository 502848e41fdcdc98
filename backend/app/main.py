"""The ASGI app: FastAPI with its lifespan (migrate, load instruments, seed demo data) and the SPA, plus Socket.IO."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.api import health, metrics
from app.api.edge import HttpEdge
from app.api.errors import install_error_handlers
from app.api.router import api_router
from app.config import ConfigError, Settings
from app.context import AppContext
from app.db import schema_is_current, upgrade_head
from app.market.bar_store import flush_forever
from app.observability.gc_tuning import tune_after_startup
from app.observability.logs import configure_logging
from app.observability.metrics import process_ended
from app.realtime.reads import DeskReads
from app.realtime.server import MultiDeskApp, RealtimeServer
from app.services.bars import prune_once
from app.services.clients import visible_clients
from app.services.demo import seed_demo
from app.services.instruments import load_tokens_file
from app.services.leases import hold
from app.services.order_writer import batch_done_total
from app.services.reconcile import on_broker_order, reconcile_due, reconcile_once
from app.services.rollover import expire_day_orders
from app.services.runner import Job, Runner
from app.services.square_off import run_due as square_off_due
from app.services.startup_checks import check_motilal_public_ip
from app.services.trading_day import load_overrides, refresh_overrides_forever
from app.spa import mount_spa

log = logging.getLogger(__name__)

STARTUP_LEASE = "job:startup"
# Long enough for another process's start-up steps (a scrip-master sized tokens file, a large demo seed).
STARTUP_WAIT_S = 300.0
STARTUP_BUSY = ("STARTUP_BUSY", "another process has been loading instruments for too long")


async def start(ctx: AppContext) -> None:
    settings = ctx.settings
    if settings.migrate_on_start:
        await upgrade_head(settings.resolved_database_url)
    elif not await schema_is_current(ctx.engine, settings.resolved_database_url):
        raise ConfigError(
            "The database schema is not at the newest migration and MULTIDESK_MIGRATE_ON_START is false: "
            "run `python -m app.cli migrate` (the migration job) first."
        )
    # Processes starting together (workers, replicas) load the instruments and seed one after the other: each
    # step is an idempotent upsert, but two at once would race on the same rows.
    async with (
        hold(ctx.sessions, STARTUP_LEASE, ttl_s=settings.lease_ttl_s, wait_s=STARTUP_WAIT_S, busy=STARTUP_BUSY),
        ctx.sessions() as session,
    ):
        await check_motilal_public_ip(session, settings)
        await load_tokens_file(session, settings.tokens_csv)
        if settings.demo_mode:
            await seed_demo(
                session,
                client_count=settings.demo_client_count,
                min_cash=settings.demo_min_cash,
                max_cash=settings.demo_max_cash,
            )
    # The simulator's market follows the calendar, admin overrides included, from its first tick.
    await load_overrides(ctx)
    ctx.tasks.spawn(refresh_overrides_forever(ctx), name="calendar-overrides")
    await ctx.start_brokers(order_listener=partial(on_broker_order, ctx))
    # Orders a previous run left without a verdict are settled before new ones are taken.
    pending_age = timedelta(seconds=2 * settings.broker_call_timeout_s + 5)
    await reconcile_once(ctx, pending_older_than=pending_age, failed_older_than=timedelta(0))
    jobs = [
        Job("reconcile", settings.reconcile_interval_s, partial(reconcile_due, ctx)),
        Job("candles-prune", settings.bars_prune_interval_s, partial(prune_once, ctx), at_start=True),
        Job("square-off", settings.square_off_interval_s, partial(square_off_due, ctx), at_start=True),
        Job("rollover", 60.0, partial(expire_day_orders, ctx), at_start=True),
    ]
    ctx.tasks.spawn(Runner(ctx.sessions, jobs, ttl_s=settings.runner_lease_ttl_s).run_forever(), name="runner")
    # Every process writes the candles it built from its own ticks (the live minutes it serves are in its memory).
    ctx.tasks.spawn(
        flush_forever(ctx.candles, ctx.sessions, ctx.write_turns, ctx.market_now, settings.bars_flush_interval_s),
        name="candles-flush",
    )


def create_app(settings: Settings | None = None) -> MultiDeskApp:
    """The FastAPI app wrapped with Socket.IO at /socket.io; `.api` is the FastAPI instance, `.state` its state."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.resolved_log_format)
    ctx = AppContext.build(settings)
    realtime = RealtimeServer(ctx, DeskReads(visible_clients=visible_clients, batch_done_total=batch_done_total))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await start(ctx)
            await realtime.start()
        except BaseException:
            # A refused start (a setting, the schema) must not leave the pool, the brokers or a job behind it.
            await ctx.close()
            raise
        tune_after_startup()
        yield
        await realtime.close()
        await ctx.close()
        process_ended()

    app = FastAPI(title="MultiDesk", version="0.1.0", lifespan=lifespan)
    app.state.ctx = ctx
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    mount_spa(app, settings.static_dir)
    http: ASGIApp = HttpEdge(app, max_body_bytes=settings.max_body_bytes)
    if settings.trusted_proxies:
        # The client address (per-IP login limit, audit) comes from X-Forwarded-For only when a trusted proxy sent
        # it; the server itself is run with its own proxy-header handling off (app.cli, the container's command).
        http = ProxyHeadersMiddleware(http, trusted_hosts=settings.trusted_proxies)
    return MultiDeskApp(app, realtime, http=http)
