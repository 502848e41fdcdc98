"""One runner across real processes (DESIGN.md §7): two servers on one database, and the periodic jobs
(reconciliation, the candle prune) run in one of them only, once per period; after a SIGKILL of that one the
other takes over within the runner lease's TTL and a third. Each process reports its own job runs and whether it
is the runner at /metrics (multidesk_background_job_runs_total, multidesk_runner)."""

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import METRICS_TOKEN
from tests.live_server import Server, poll, server_pair

pytestmark = pytest.mark.several_processes

INTERVAL_S = 0.25
TTL_S = 2.0
JOBS = ("reconcile", "candles-prune")
SETTINGS = {
    "MULTIDESK_DEMO_MODE": "true",
    "MULTIDESK_DEMO_CLIENT_COUNT": "2",
    "MULTIDESK_SIM_PERSIST": "false",
    "MULTIDESK_MOTILAL_BASE_URL": "http://127.0.0.1:9",
    "MULTIDESK_METRICS_TOKEN": METRICS_TOKEN,
    "MULTIDESK_RUNNER_LEASE_TTL_S": str(TTL_S),
    "MULTIDESK_RECONCILE_INTERVAL_S": str(INTERVAL_S),
    "MULTIDESK_BARS_PRUNE_INTERVAL_S": str(INTERVAL_S),
}
RUNS = re.compile(r'^multidesk_background_job_runs_total\{job="([^"]+)",outcome="ok"\} (\S+)$', re.MULTILINE)
RUNNER = re.compile(r"^multidesk_runner (\S+)$", re.MULTILINE)


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[tuple[Server, Server]]:
    async with server_pair(tmp_path, "runner", SETTINGS) as pair:
        yield pair


async def observe(http: httpx.AsyncClient, server: Server) -> tuple[bool, dict[str, int]]:
    """Whether `server` is the runner, and the runs of each job it made so far."""
    answer = await http.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200, answer.text
    holder = RUNNER.search(answer.text)
    assert holder is not None, "no multidesk_runner gauge"
    runs = {job: int(float(count)) for job, count in RUNS.findall(answer.text)}
    return float(holder.group(1)) == 1, {job: runs.get(job, 0) for job in JOBS}


async def the_runner(http: httpx.AsyncClient, *servers: Server, within: float) -> Server:
    found: list[Server] = []

    async def one_runner() -> bool:
        found[:] = [server for server in servers if (await observe(http, server))[0]]
        return len(found) == 1

    await poll(one_runner, within=within, failure=lambda: f"not exactly one runner: {[s.url for s in found]}")
    return found[0]


async def test_one_process_runs_each_job_once_per_period_and_another_takes_over_after_a_sigkill(
    servers: tuple[Server, Server],
) -> None:
    a, b = servers
    async with httpx.AsyncClient(timeout=30) as http:
        await a.start(http)
        await b.start(http)
        runner = await the_runner(http, a, b, within=TTL_S * 2)
        other = b if runner is a else a

        window_s = 8 * INTERVAL_S
        _, runner_before = await observe(http, runner)
        _, other_before = await observe(http, other)
        await asyncio.sleep(window_s)
        still_runner, runner_after = await observe(http, runner)
        is_runner, other_after = await observe(http, other)
        assert still_runner and not is_runner
        for job in JOBS:
            made = runner_after[job] - runner_before[job]
            # Once per period: a job sleeps its interval after each run, so never more than window / interval
            # (plus the run under way at the window's edge); at least a few, or it was not running at all.
            assert 2 <= made <= window_s / INTERVAL_S + 1, f"{job}: {made} runs in {window_s} s"
            assert other_after[job] == other_before[job], f"{job} ran in the process that is not the runner"

        await runner.kill()
        # Its lease lapses within the TTL; the survivor asks every third of it.
        assert await the_runner(http, other, within=TTL_S * 4 / 3 + 2) is other
        _, taken_over = await observe(http, other)
        await asyncio.sleep(4 * INTERVAL_S)
        _, later = await observe(http, other)
        assert all(later[job] > taken_over[job] for job in JOBS), f"the new runner does not run the jobs: {later}"
