"""The shared simulator venue as a real process for tests: `python -m app.cli simulator serve` on a free port and
its own data dir (its journal), killed with SIGKILL and started again on the same journal as often as needed."""

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.live_server import BACKEND, free_port, poll

# No ticks of its own unless a test asks: prices move only when a test moves them.
QUIET = {"MULTIDESK_SIM_SEED": "7", "MULTIDESK_SIM_TICK_INTERVAL_S": "3600"}


class VenueProcess:
    """`python -m app.cli simulator serve` as its own process, killed (SIGKILL) and started again on one journal."""

    def __init__(self, data_dir: Path, settings: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings or {}
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("MULTIDESK_")}
        env |= QUIET | self.settings | {"MULTIDESK_DATA_DIR": str(self.data_dir)}
        with (self.data_dir / "venue.log").open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "app.cli",
                "simulator",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                cwd=BACKEND,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        async with httpx.AsyncClient() as http:

            async def healthy() -> bool:
                try:
                    return (await http.get(f"{self.url}/health")).status_code == 200
                except httpx.TransportError:
                    return False

            await poll(healthy, within=20, failure=lambda: (self.data_dir / "venue.log").read_text())

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()


@contextlib.asynccontextmanager
async def venue(data_dir: Path, **settings: str) -> AsyncIterator[VenueProcess]:
    """A running venue; `settings` are MULTIDESK_SIM_* values by their lower-case suffix (timeout_rate="1")."""
    running = VenueProcess(data_dir, {f"MULTIDESK_SIM_{name.upper()}": value for name, value in settings.items()})
    await running.start()
    try:
        yield running
    finally:
        if running.running:
            await running.kill()
