"""The tick benchmark's client processes (benchmarks/tick_client.py), driven from benchmarks/server.py line by line."""

import asyncio
import contextlib
import json
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]


def stderr_excerpt(text: str, head: int = 4000, tail: int = 2000) -> str:
    """A failed process's stderr: its start (where the first error is) and its end (how it died)."""
    if len(text) <= head + tail:
        return text
    return f"{text[:head]}\n[... {len(text) - head - tail} characters ...]\n{text[-tail:]}"


class TickClients:
    """The tick benchmark's client processes (benchmarks/tick_client.py), driven line by line.

    Each process connects and subscribes its sockets, says it is ready, measures from the moment `start` tells it
    to (so every process measures the same window), reports, and keeps its sockets until `close`. Their stderr
    goes to files in `log_dir`; a process that exits non-zero, reports errors or stops answering fails the
    benchmark with its stderr, and the others are stopped.
    """

    def __init__(self, url: str, token: str, sockets: int, processes: int, seconds: float, log_dir: Path) -> None:
        self.url, self.token, self.sockets, self.seconds = url, token, sockets, seconds
        self.counts = [sockets // processes + (1 if i < sockets % processes else 0) for i in range(processes)]
        self.log_dir = log_dir
        self.procs: list[asyncio.subprocess.Process] = []
        self.err_paths: list[Path] = []

    async def __aenter__(self) -> "TickClients":
        first = 0
        for i, count in enumerate(self.counts):
            err_path = self.log_dir / f"tick-client-{i}.err"
            with err_path.open("wb") as err:
                self.procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "benchmarks.tick_client",
                        self.url,
                        self.token,
                        str(first),
                        str(count),
                        str(self.seconds),
                        cwd=BACKEND,
                        stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE,
                        stderr=err,
                    )
                )
            self.err_paths.append(err_path)
            first += count
        return self

    async def __aexit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.kill()
        await asyncio.gather(*(proc.wait() for proc in self.procs))

    def _failure(self, i: int, what: str) -> RuntimeError:
        proc = self.procs[i]
        status = f"exit status {proc.returncode}" if proc.returncode is not None else "still running"
        stderr = stderr_excerpt(self.err_paths[i].read_text(errors="replace"))
        return RuntimeError(
            f"tick client process {i} ({self.counts[i]} sockets) {what} ({status}); stderr "
            f"({self.err_paths[i]}):\n{stderr or '(empty)'}"
        )

    async def _line(self, i: int, within_s: float, what: str) -> dict:
        proc = self.procs[i]
        try:
            raw = await asyncio.wait_for(proc.stdout.readline(), within_s)  # type: ignore[union-attr]
        except TimeoutError:
            raise self._failure(i, f"did not {what} within {within_s:g} s") from None
        if not raw:
            await proc.wait()
            raise self._failure(i, f"exited before it could {what}")
        return json.loads(raw)

    async def _each(self, within_s: float, what: str) -> list[dict]:
        """One line from every process; the first failure (in time) cancels the rest and is raised."""
        tasks = [asyncio.create_task(self._line(i, within_s, what)) for i in range(len(self.procs))]
        try:
            return await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def ready(self, within_s: float) -> list[dict]:
        return await self._each(within_s, "connect and subscribe its sockets")

    async def _say(self, line: bytes) -> None:
        for proc in self.procs:
            proc.stdin.write(line)  # type: ignore[union-attr]
        await asyncio.gather(*(proc.stdin.drain() for proc in self.procs))  # type: ignore[union-attr]

    async def start(self) -> None:
        await self._say(b"start\n")

    async def results(self, within_s: float) -> list[dict]:
        results = await self._each(within_s, "report its measurements")
        for i, result in enumerate(results):
            if result.get("errors"):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.procs[i].wait(), 30)  # it exits after such a report
                raise self._failure(i, f"reported errors {result['errors']}")
        return results

    async def close(self, results: list[dict]) -> None:
        """Tells the processes to disconnect; each must then exit cleanly."""
        await self._say(b"close\n")
        for i, proc in enumerate(self.procs):
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                raise self._failure(i, "did not exit after reporting") from None
            if proc.returncode != 0:
                raise self._failure(i, f"failed (its report's errors: {results[i].get('errors')})")
