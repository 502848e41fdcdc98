"""`python -m benchmarks.run`: every benchmark on SQLite and PostgreSQL; one table to stdout, var/bench/results.*.

Environment: BENCH_SCALE=tiny (smoke size), BENCH_DBS=sqlite,postgres, BENCH_ONLY=inprocess|server|candles,
BENCH_TICK_SECONDS, BENCH_API_SECONDS, BENCH_WORKERS (server sizes, default 1,2), BENCH_OUT (default var/bench),
BENCH_PG_URL, BENCH_REDIS_URL, BENCH_PROFILE=<execute_all|overhead|exit_by_token|tick>.
"""

import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path

from app.config import REPO_ROOT
from benchmarks.common import NAMES, SCALE, check_rows, new_data_dir, write_results


def main() -> int:
    dbs = [d for d in os.environ.get("BENCH_DBS", "sqlite,postgres").split(",") if d]
    only = os.environ.get("BENCH_ONLY", "")
    out_dir = Path(os.environ.get("BENCH_OUT", REPO_ROOT / "var" / "bench"))
    rows = []
    started = time.time()
    for db in dbs:
        if only in ("", "inprocess"):
            from benchmarks.inprocess import run_inprocess

            print(f"[bench] in-process benchmarks on {db}", file=sys.stderr, flush=True)
            rows += asyncio.run(run_inprocess(db, new_data_dir(), out_dir))
        if only in ("", "server"):
            from benchmarks.server import run_server

            print(f"[bench] server benchmarks on {db}", file=sys.stderr, flush=True)
            rows += asyncio.run(run_server(db, new_data_dir()))
        if only in ("", "candles"):
            from benchmarks.candles import run_candles

            print(f"[bench] candle aggregation on {db}", file=sys.stderr, flush=True)
            rows += asyncio.run(run_candles(db, new_data_dir()))
    order = {name: i for i, name in enumerate(NAMES)}
    rows.sort(key=lambda r: (order[r.name], r.db))
    header = (
        f"MultiDesk benchmarks, scale {SCALE}, {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"took {time.time() - started:.0f} s"
    )
    table = write_results(rows, out_dir, header)
    check_rows(json.loads((out_dir / "results.json").read_text()))
    print(header)
    print(table)
    print(f"\nwritten: {out_dir / 'results.md'}, {out_dir / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
