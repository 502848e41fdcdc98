"""Benchmarks 4-5 against a real server (`python -m app.cli serve`), with the load in other processes.

4. Tick fan-out: 500 instruments ticking 10x/s, 200 Socket.IO clients x 50 tokens, Redis as the Socket.IO manager:
   the quotes the clients receive in `prices` frames, their latency and their share of the ideal.
5. API latency under steady load (benchmarks/load.py): client list, place order (zero-latency simulator), search.

Both run once per server size in BENCH_WORKERS (default "1,2": MULTIDESK_WORKERS processes on one port); the rows
of a multi-worker server are named `<row>_<n>w` (tick_p99_ms_2w), beside the one-process row. Several workers get
Redis and the shared simulator venue (serve starts it beside them); CPU and memory are those of the whole process
tree (the workers, their parent and the venue).
"""

import asyncio
import contextlib
import contextvars
import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from app.db import make_engine, make_sessionmaker, upgrade_head
from app.enums import OrderStatus
from app.models import Order
from app.security.tokens import TokenIssuer
from benchmarks.common import (
    JWT_SECRET,
    METRICS_TOKEN,
    REDIS_URL,
    TINY,
    Row,
    percentile,
    reset_database,
    seed_advisor,
    server_env,
    settings_for,
    size,
    tokens_csv,
)
from benchmarks.tick_clients import TickClients, stderr_excerpt

BACKEND = Path(__file__).resolve().parents[1]
TICK_INTERVAL_S = 0.1
EMIT_INTERVAL_MS = 250
WORKER_COUNTS = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2").split(",") if n]
# The MULTIDESK_WORKERS of the servers the benchmarks below start (run_server sets it per round).
SERVER_WORKERS: contextvars.ContextVar[int] = contextvars.ContextVar("server_workers", default=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (a multi-worker server: the parent, its workers, the venue beside them)."""
    tree, i = [pid], 0
    while i < len(tree):
        with contextlib.suppress(OSError):
            tree += [int(c) for c in Path(f"/proc/{tree[i]}/task/{tree[i]}/children").read_text().split()]
        i += 1
    return tree


def proc_usage(pid: int) -> tuple[float, int]:
    """(CPU seconds used, resident memory in bytes) of a process and its descendants, from /proc."""
    ticks, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    cpu, rss = 0.0, 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            rss += int(fields[21]) * page
    return cpu, rss


def log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:]


def runqueue_wait_s(pid: int) -> float:
    """Seconds the main threads (the event loops) of the server's processes spent runnable but waiting for a CPU."""
    waited = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            waited += int(Path(f"/proc/{member}/schedstat").read_text().split()[1])
    return waited / 1e9


@contextlib.asynccontextmanager
async def server(env: dict[str, str], port: int, log_path: Path, profile: Path | None = None):
    """`python -m app.cli serve` until the block ends; with `profile`, under pyinstrument, its text report there."""
    env = {**env, "PORT": str(port), "HOST": "127.0.0.1"}
    command = ["benchmarks.profiled_serve", str(profile)] if profile else ["app.cli", "serve"]
    if (workers := SERVER_WORKERS.get()) > 1:
        # Several workers share rooms and limits through Redis (serve refuses them without it).
        env = {"MULTIDESK_REDIS_URL": REDIS_URL, **env, "MULTIDESK_WORKERS": str(workers)}
        log_path = log_path.with_stem(f"{log_path.stem}-{workers}w")
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *command,
            cwd=BACKEND,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            # Up to two minutes: several workers start one after the other on a busy machine.
            for _ in range(1200):
                if process.returncode is not None:
                    raise RuntimeError(f"server exited: {log_tail(log_path)}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/health/ready")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("server did not become ready")
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                # A profiled server writes its report after shutting down, which takes a while.
                await asyncio.wait_for(process.wait(), 180 if profile else 15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def run_python(*args: str, within_s: float) -> dict:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, cwd=BACKEND, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), within_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise RuntimeError(f"{args[0]} did not finish within {within_s:g} s") from None
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} exited with {proc.returncode}:\n{stderr_excerpt(err.decode())}")
    return json.loads(out.decode().strip().splitlines()[-1])


async def server_metrics(http: httpx.AsyncClient) -> dict[str, float]:
    """The server's Prometheus samples the tick benchmark reads (unlabelled ones only)."""
    wanted = (
        "multidesk_price_quotes_sent_total",
        "multidesk_price_frames_sent_total",
        "multidesk_price_frames_deferred_total",
        "multidesk_socket_connections",
    )
    values = {}
    scraped = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    for line in scraped.text.splitlines():
        name, _, value = line.partition(" ")
        if name in wanted:
            values[name] = float(value)
    missing = [name for name in wanted if name not in values]
    assert not missing, f"/metrics lacks {missing}"
    return values


async def tick_fanout(db: str, data_dir: Path, token: str) -> list[Row]:
    sockets = size(200, 4)
    seconds = float(os.environ.get("BENCH_TICK_SECONDS", "2" if TINY else "60"))
    settings = settings_for(
        db,
        data_dir,
        redis_url=REDIS_URL,
        realtime_redis_channel="multidesk-bench",
        sim_tick_interval_s=TICK_INTERVAL_S,
        price_emit_interval_ms=EMIT_INTERVAL_MS,
        tokens_csv=data_dir / "tokens.csv",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    processes = 1 if TINY else 4
    # BENCH_PROFILE=tick: the server runs under pyinstrument (slower), its report in the data dir (path in the note).
    profile = data_dir / "profile-tick.txt" if os.environ.get("BENCH_PROFILE") == "tick" else None
    async with (
        server(server_env(settings), port, data_dir / "server-tick.log", profile) as process,
        httpx.AsyncClient(base_url=url) as http,
    ):
        _, rss_idle = proc_usage(process.pid)
        async with TickClients(url, token, sockets, processes, seconds, data_dir) as clients:
            ready = await clients.ready(within_s=120 + sockets)
            m0 = await server_metrics(http)
            assert m0["multidesk_socket_connections"] == sockets, f"server counts {m0} sockets, not {sockets}"
            cpu0, rss0 = proc_usage(process.pid)
            wait0 = runqueue_wait_s(process.pid)
            t0 = time.perf_counter()
            await clients.start()
            rss_samples = [rss0]
            while (left := seconds - (time.perf_counter() - t0)) > 0:
                await asyncio.sleep(min(1.0, left))
                if process.returncode is not None:
                    raise RuntimeError(f"server exited: {log_tail(data_dir / 'server-tick.log')}")
                rss_samples.append(proc_usage(process.pid)[1])
            cpu1, rss1 = proc_usage(process.pid)
            wait1 = runqueue_wait_s(process.pid)
            wall = time.perf_counter() - t0
            m1 = await server_metrics(http)
            results = await clients.results(within_s=120)
            assert m1["multidesk_socket_connections"] == sockets, f"sockets lost while measuring: {m1}"
            await clients.close(results)
    histogram: Counter[int] = Counter()
    received = 0
    for result in results:
        histogram.update({int(k): v for k, v in result["histogram_ms"].items()})
        received += result["received"]
    assert received > 0, "no prices frame reached any client"
    ordered = sorted(histogram.items())

    def pct(p: float) -> float:
        limit, seen = p / 100 * received, 0
        for ms, count in ordered:
            seen += count
            if seen >= limit:
                return ms + 1.0  # upper edge of the 1 ms bucket
        return float(ordered[-1][0] + 1)

    measured_s = sum(r["seconds"] for r in results) / len(results)
    per_s = received / measured_s
    expected = sockets * 50 * 1000 / EMIT_INTERVAL_MS
    # What the server queued on its sockets in the same window (quotes, counted per socket), and in how many frames.
    sent_per_s = (m1["multidesk_price_quotes_sent_total"] - m0["multidesk_price_quotes_sent_total"]) / wall
    frames_per_s = (m1["multidesk_price_frames_sent_total"] - m0["multidesk_price_frames_sent_total"]) / wall
    deferred = m1["multidesk_price_frames_deferred_total"] - m0["multidesk_price_frames_deferred_total"]
    delivered_pct = per_s / expected * 100
    p50, p99 = pct(50), pct(99)
    cpu_pct = (cpu1 - cpu0) / wall * 100
    # On a shared machine the server may be starved of CPU: how long its event loop waited for one is stated.
    wait_pct = (wait1 - wait0) / wall * 100
    client_cpu = [r["client_cpu_pct"] for r in results]
    per_socket_min = min(r["per_socket_min"] for r in results) / measured_s
    per_socket_max = max(r["per_socket_max"] for r in results) / measured_s
    connect_s = max(r["connect_s"] for r in ready)
    mib = 2**20
    frames_received = sum(r["frames"] for r in results)
    note = (
        f"500 instr @10/s, {sockets} sockets × 50 tokens in {processes} client process(es), {seconds:g} s: "
        f"{per_s:,.0f} quotes/s delivered of {sent_per_s:,.0f}/s sent (ideal {expected:,.0f}) in "
        f"{frames_received / measured_s:,.0f} frames/s ({frames_per_s:,.0f}/s sent, {deferred:,.0f} deferred), "
        f"{per_socket_min:.0f}-{per_socket_max:.0f}/s per socket (ideal {50 * 1000 / EMIT_INTERVAL_MS:.0f}), "
        f"p50 {p50:.0f} ms, p99 {p99:.0f} ms; server CPU {cpu_pct:.0f}% (of one core; its loop waited "
        f"{wait_pct:.0f}% of the window for a CPU), RSS {rss_idle / mib:.0f} MiB idle, "
        f"{rss0 / mib:.0f}→{rss1 / mib:.0f} MiB over the window (max {max(rss_samples) / mib:.0f}); "
        f"client processes' CPU {max(client_cpu):.0f}% max; all sockets connected in {connect_s:.1f} s"
        + (f"; PROFILED (pyinstrument): {profile}" if profile else "")
    )
    extra = {
        "updates_per_s": per_s,
        "sent_updates_per_s": sent_per_s,
        "ideal_updates_per_s": expected,
        "delivered_pct": delivered_pct,
        "frames_per_s": frames_received / measured_s,
        "sent_frames_per_s": frames_per_s,
        "deferred_frames": deferred,
        "per_socket_per_s_min": per_socket_min,
        "per_socket_per_s_max": per_socket_max,
        "p50_ms": p50,
        "p99_ms": p99,
        "server_cpu_pct": cpu_pct,
        "server_runqueue_wait_pct": wait_pct,
        "rss_idle_mib": rss_idle / mib,
        "rss_start_mib": rss0 / mib,
        "rss_end_mib": rss1 / mib,
        "rss_samples_mib": [round(r / mib, 1) for r in rss_samples],
        "client_cpu_pct": client_cpu,
        "connect_s": connect_s,
        "sockets": sockets,
        "processes": processes,
        "seconds": measured_s,
    }
    return [
        Row("tick_p99_ms", f"{db}+redis", p99, "ms", EMIT_INTERVAL_MS + 50, "lt", note=note, extra=extra),
        Row(
            "tick_delivered_pct",
            f"{db}+redis",
            delivered_pct,
            "%",
            95.0,
            "ge",
            note=f"quotes received in prices frames / ideal (every subscribed instrument once per "
            f"{EMIT_INTERVAL_MS} ms flush to every socket): {per_s:,.0f} of {expected:,.0f}/s",
        ),
    ]


async def api_latency(db: str, data_dir: Path, token: str, client_ids: list[int]) -> list[Row]:
    seconds = float(os.environ.get("BENCH_API_SECONDS", "2" if TINY else "20"))
    workers = int(os.environ.get("BENCH_API_WORKERS", "4"))
    settings = settings_for(db, data_dir, tokens_csv=data_dir / "tokens.csv", sim_latency_ms=0.0)
    port = free_port()
    # The per-user order budget (MULTIDESK_RATE_LIMIT_ORDERS) is an abuse limit, not what is measured here.
    env = server_env(settings, MULTIDESK_RATE_LIMIT_ORDERS="1000000/minute")
    async with server(env, port, data_dir / "server-api.log"):
        result = await run_python(
            "benchmarks.load",
            f"http://127.0.0.1:{port}",
            token,
            ",".join(map(str, client_ids)),
            str(seconds),
            str(workers),
            within_s=seconds + 300,
        )
    statuses = result["statuses"]
    bad = {k: v for k, v in statuses.items() if not k.endswith((":200", ":201"))}
    assert not bad, f"API errors under load: {bad}; first answers: {result.get('errors')}"
    placed = result["placed"]
    assert placed, "no order was placed"
    engine = make_engine(settings.resolved_database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (await session.execute(select(Order.status).where(Order.id.in_(placed)))).scalars().all()
    finally:
        await engine.dispose()
    unresolved = [s for s in rows if s in (OrderStatus.PENDING, OrderStatus.FAILED)]
    assert len(rows) == len(placed) and not unresolved, f"placed orders without a verdict: {len(unresolved)}"
    out = []
    for name, key, what in (
        ("api_clients_p95_ms", "clients", f"GET /clients (first page of 100; advisor has {len(client_ids):,})"),
        ("api_place_p95_ms", "place", "POST /orders/place, zero-latency simulator"),
        ("api_search_p95_ms", "search", "GET /tokens/search"),
    ):
        values = result["latencies_ms"][key]
        p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
        out.append(
            Row(
                name,
                db,
                p95,
                "ms",
                50.0,
                "lt",
                note=f"{what}; {len(values)} requests in {seconds:g} s, {workers} workers; p50 {p50:.1f}, "
                f"p99 {p99:.1f} ms (target < 100: {'yes' if p99 < 100 else 'NO'})",
                extra={"p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "requests": len(values)},
            )
        )
    return out


async def run_server(db: str, data_dir: Path) -> list[Row]:
    settings = settings_for(db, data_dir)
    url = settings.resolved_database_url
    await reset_database(url)
    tokens_csv(data_dir, 500)
    await upgrade_head(url)
    engine = make_engine(url)
    try:
        user_id, client_ids = await seed_advisor(make_sessionmaker(engine), size(1000, 10))
    finally:
        await engine.dispose()
    token = TokenIssuer(JWT_SECRET, timedelta(hours=2), timedelta(days=1)).issue(user_id, "access")
    rows = []
    for workers in WORKER_COUNTS:
        chosen = SERVER_WORKERS.set(workers)
        try:
            measured = await tick_fanout(db, data_dir, token)
            measured += await api_latency(db, data_dir, token, client_ids)
        finally:
            SERVER_WORKERS.reset(chosen)
        if workers > 1:
            measured = [
                dataclasses.replace(row, name=f"{row.name}_{workers}w", note=f"{workers} workers; {row.note}")
                for row in measured
            ]
        rows += measured
    return rows
