"""Socket.IO clients for the tick benchmark, in their own process.

`python -m benchmarks.tick_client URL TOKEN FIRST COUNT SECONDS`

Socket i (FIRST <= i < FIRST + COUNT) subscribes to 50 of the 500 bench instruments. The process talks to its
parent (benchmarks/server.py) in lines:

1. connects its sockets a few at a time (CONNECT_CONCURRENCY; each connect costs the server a database read and
   joining the advisor's rooms, so an unpaced storm of connects outlasts Socket.IO's connect wait), subscribes
   each, then prints `{"ready": ..., "connect_s": ...}`;
2. waits for a line on stdin (the parent sends it once every process is ready, so all measure the same window);
3. for SECONDS counts the quotes in every `prices` frame and puts each quote's latency (arrival - the frame's `ts`, the
   newest tick in it) into a 1 ms histogram, then prints `{"received", "frames", "seconds", "histogram_ms",
   "per_socket_min", "per_socket_max", "client_cpu_pct", "errors"}` (`received` and the per-socket counts are
   quotes);
4. waits for a second line (the parent reads the server's counters first, so no socket is leaving meanwhile),
   then disconnects every socket and closes its HTTP session before the event loop ends.

Like a browser, the sockets negotiate permessage-deflate (aiohttp's default), so the server compresses every frame;
BENCH_WS_COMPRESS=0 turns that off, to see what the compression costs the server.

Any failure (a refused or timed-out connect, a refused subscribe, a socket dropped by the server while measuring)
exits non-zero with the reason on stderr; the parent fails the benchmark with it.
"""

import asyncio
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import aiohttp
import socketio

INSTRUMENTS, PER_SOCKET, FIRST_TOKEN = 500, 50, 900001
CONNECT_CONCURRENCY = 4
CONNECT_TIMEOUT_S = 30.0
CLOSE_TIMEOUT_S = 15.0
COMPRESS = os.environ.get("BENCH_WS_COMPRESS", "1") != "0"


def emit(line: dict) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


class Fail(Exception):
    pass


async def main(url: str, token: str, first: int, count: int, seconds: float) -> int:
    histogram: Counter[int] = Counter()
    per_socket: Counter[int] = Counter()
    frames = [0]
    state = {"measuring": False, "closing": False}
    dropped: list[str] = []
    # One HTTP session (no connection cap: every socket holds one connection) that this process closes itself.
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    clients: list[socketio.AsyncClient] = []
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    def on_prices(i: int, frame: dict) -> None:
        if not state["measuring"]:
            return
        latency_ms = (datetime.now(UTC) - datetime.fromisoformat(frame["ts"])).total_seconds() * 1000
        quotes = len(frame["quotes"])
        histogram[max(0, int(latency_ms))] += quotes
        per_socket[i] += quotes
        frames[0] += 1

    def on_disconnect(i: int, reason: object = None) -> None:
        if not state["closing"]:
            dropped.append(f"socket {i} disconnected by the server ({reason})")

    async def client(i: int) -> float:
        sio = socketio.AsyncClient(
            reconnection=False, http_session=http, websocket_extra_options={"compress": 15 if COMPRESS else 0}
        )
        sio.on("prices", lambda frame: on_prices(i, frame))
        sio.on("disconnect", lambda reason=None: on_disconnect(i, reason))
        refused: list[object] = []
        sio.on("connect_error", refused.append)
        async with gate:
            started = time.perf_counter()
            try:
                await sio.connect(
                    url,
                    auth={"token": token},
                    transports=["websocket"],
                    socketio_path="socket.io",
                    wait_timeout=CONNECT_TIMEOUT_S,
                )
            except socketio.exceptions.ConnectionError as exc:
                # Socket.IO says "Unexpected connection error" when the connect was not answered in wait_timeout.
                why = f" (server said {refused[0]})" if refused else ""
                raise Fail(
                    f"socket {i}: connect failed after {time.perf_counter() - started:.1f} s: {exc}{why}"
                ) from exc
            clients.append(sio)
            tokens = [FIRST_TOKEN + (i * PER_SOCKET + k) % INSTRUMENTS for k in range(PER_SOCKET)]
            ack = await sio.call("subscribe", {"token_ids": tokens}, timeout=CONNECT_TIMEOUT_S)
            if not (isinstance(ack, dict) and ack.get("ok") and len(ack.get("token_ids", [])) == PER_SOCKET):
                raise Fail(f"socket {i}: subscribe refused: {ack}")
            return time.perf_counter() - started

    async def close() -> None:
        state["closing"] = True
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        except TimeoutError:
            print(f"tick_client: sockets did not close within {CLOSE_TIMEOUT_S:g} s", file=sys.stderr)
        await http.close()

    async def parent_says(what: str) -> None:
        if not await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline):
            raise Fail(f"parent closed stdin before saying {what}")

    try:
        began = time.perf_counter()
        tasks = [asyncio.create_task(client(i)) for i in range(first, first + count)]
        try:
            connect_s = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        emit(
            {
                "ready": len(clients),
                "connect_s": time.perf_counter() - began,
                "connect_max_s": max(connect_s),
            }
        )
        # The parent says when to start (every process connected; EOF means it gave up).
        await parent_says("start")
        cpu0 = time.process_time()
        state["measuring"] = True
        began = time.perf_counter()
        await asyncio.sleep(seconds)
        state["measuring"] = False
        elapsed = time.perf_counter() - began
        cpu = time.process_time() - cpu0
        counts = [per_socket[i] for i in range(first, first + count)]
        errors = list(dropped)
        silent = [i for i, n in zip(range(first, first + count), counts, strict=True) if n == 0]
        if silent:
            errors.append(f"{len(silent)} sockets received no prices frame: {silent[:10]}")
        emit(
            {
                "received": sum(counts),
                "frames": frames[0],
                "seconds": elapsed,
                "histogram_ms": histogram,
                "per_socket_min": min(counts),
                "per_socket_max": max(counts),
                "client_cpu_pct": cpu / elapsed * 100,
                "errors": errors,
            }
        )
        if errors:
            print("tick_client: " + "; ".join(errors), file=sys.stderr)
            return 1
        # Every socket stays connected until the parent has read the server's counters for the window.
        await parent_says("close")
        if dropped:
            print("tick_client: " + "; ".join(dropped), file=sys.stderr)
            return 1
        return 0
    except Fail as exc:
        print(f"tick_client: {exc}", file=sys.stderr)
        return 1
    finally:
        await close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))))
