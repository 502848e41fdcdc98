"""`python -m app.cli serve`: the app on one port (HOST, PORT), in MULTIDESK_WORKERS uvicorn processes.

Several workers share the port (the kernel hands each new connection to one of them) and share everything else the
way replicas do: PostgreSQL or the SQLite file, Socket.IO rooms and rate limits through Redis (so Redis is
required), and the simulator as one venue they all call (MULTIDESK_SIMULATOR_URL; unset, serve starts the venue
beside the workers and stops it with them). Migrations run once here, before the workers start, so two workers
never run them at once; each worker then finds the schema current.
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import uvicorn

from app.config import ConfigError, Settings
from app.db import upgrade_head

SIMULATOR_URL = "MULTIDESK_SIMULATOR_URL"
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# The venue replays its journal before it listens; a long journal takes a while.
VENUE_START_S = 60.0
WORKER_HEALTHCHECK_S = 60


def check_workers(settings: Settings) -> None:
    if settings.workers > 1 and not settings.redis_url:
        raise ConfigError(
            f"MULTIDESK_WORKERS={settings.workers} needs MULTIDESK_REDIS_URL: the worker processes share Socket.IO "
            "rooms, rate limits and login lockouts through Redis. Set it, or run one worker."
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


@contextlib.contextmanager
def venue_beside() -> Iterator[str]:
    """The shared simulator venue as a child process on a free local port; its URL while it runs."""
    port = _free_port()
    # Local only: the workers beside it are its only callers.
    command = [sys.executable, "-m", "app.cli", "simulator", "serve", "--host", "127.0.0.1", "--port", str(port)]
    venue = subprocess.Popen(command)  # noqa: S603
    try:
        deadline = time.monotonic() + VENUE_START_S
        while not _listening(port):
            if venue.poll() is not None:
                raise ConfigError(f"the simulator venue exited ({venue.returncode}) before it listened on {port}")
            if time.monotonic() > deadline:
                raise ConfigError(f"the simulator venue did not listen on {port} within {VENUE_START_S:.0f} s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        venue.terminate()
        try:
            venue.wait(timeout=15)
        except subprocess.TimeoutExpired:
            venue.kill()
            venue.wait()


def run() -> int:
    settings = Settings()
    try:
        check_workers(settings)
        # Here, once: in demo mode the generated secrets are written to the data dir before the workers read them,
        # so they do not each make their own (a token signed by one would be refused by the other).
        settings.ensure_secrets()
    except ConfigError as exc:
        print(f"MultiDesk cannot start: {exc}", file=sys.stderr)
        return 2
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104  (served on every interface, as a container must be)
    print(f"MultiDesk on http://127.0.0.1:{port}  (data: {settings.data_dir.resolve()})", flush=True)
    if settings.demo_mode:
        print("demo logins: advisor@example.com / advisor123   admin@example.com / admin123", flush=True)
    with contextlib.ExitStack() as beside:
        if settings.workers > 1:
            # /metrics adds up the workers' samples kept here (app/observability/metrics.py).
            if not os.environ.get(METRICS_DIR):
                os.environ[METRICS_DIR] = beside.enter_context(tempfile.TemporaryDirectory(prefix="multidesk-metrics-"))
            if settings.migrate_on_start:
                asyncio.run(upgrade_head(settings.resolved_database_url))
                # The workers read their settings from this environment: the schema is current for them.
                os.environ["MULTIDESK_MIGRATE_ON_START"] = "false"
            if not os.environ.get(SIMULATOR_URL):
                try:
                    os.environ[SIMULATOR_URL] = beside.enter_context(venue_beside())
                except ConfigError as exc:
                    print(f"MultiDesk cannot start: {exc}", file=sys.stderr)
                    return 2
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=settings.workers,
            log_level="info",
            # Per-message compression cost about a third of the CPU spent sending price updates (measured with
            # `make bench`), and those frames are small JSON objects that compress little.
            ws_per_message_deflate=False,
            # The app configures logging (JSON or text, with request ids) and writes its own access lines.
            log_config=None,
            access_log=False,
            # Uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, so any local caller could pick its
            # address; the app believes it only from MULTIDESK_TRUSTED_PROXIES (app.main).
            proxy_headers=False,
            # No `server: uvicorn` header naming the server software (the image's command said the same).
            server_header=False,
            # The parent pings each worker and replaces one that does not answer in time. A worker answers only
            # once its imports are done, which takes longer than uvicorn's 5 s default on a busy machine: the
            # parent would kill every worker while it starts, forever.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        )
    return 0
