"""`python -m benchmarks.profiled_serve OUT`: `python -m app.cli serve` under pyinstrument, its text report to OUT
(and by function, self time, beside it: OUT with .flat.txt).

For BENCH_PROFILE=tick (benchmarks/server.py). uvicorn re-raises the SIGTERM that stopped it once it has shut down;
the handler installed here (which uvicorn restores before re-raising) lets the report be written first.
"""

import signal
import sys
from pathlib import Path

from pyinstrument import Profiler

from app.cli import main


def run(out: Path) -> int:
    signal.signal(signal.SIGTERM, lambda *_: None)
    profiler = Profiler(async_mode="disabled")
    profiler.start()
    try:
        return main(["serve"])
    finally:
        profiler.stop()
        out.write_text(profiler.output_text(unicode=False, color=False))
        # Where the CPU goes by function (self time), which the tree spreads over many call paths.
        out.with_suffix(".flat.txt").write_text(profiler.output_text(unicode=False, color=False, flat=True))


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1])))
