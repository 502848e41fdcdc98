"""A second process of Socket.IO clients for the tick benchmark: `python -m benchmarks.tick_client URL TOKEN FIRST COUNT SECONDS`.

Socket i subscribes to 50 of the 500 bench instruments; every price_update's latency (arrival − its tick time)
goes into a 1 ms histogram. Prints one JSON line: {"received", "seconds", "histogram_ms", "errors"}.
"""

import asyncio
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import socketio

INSTRUMENTS, PER_SOCKET, FIRST_TOKEN = 500, 50, 900001


async def main(url: str, token: str, first: int, count: int, seconds: float) -> None:
    histogram: Counter[int] = Counter()
    state = {"received": 0, "measuring": False}
    errors: list[str] = []

    def on_price(data: dict) -> None:
        if not state["measuring"]:
            return
        latency_ms = (datetime.now(UTC) - datetime.fromisoformat(data["ts"])).total_seconds() * 1000
        histogram[int(latency_ms)] += 1
        state["received"] += 1

    async def client(i: int) -> socketio.AsyncClient:
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("price_update", on_price)
        await sio.connect(url, auth={"token": token}, transports=["websocket"], socketio_path="socket.io")
        tokens = [FIRST_TOKEN + (i * PER_SOCKET + k) % INSTRUMENTS for k in range(PER_SOCKET)]
        ack = await sio.call("subscribe", {"token_ids": tokens}, timeout=30)
        if not ack.get("ok"):
            errors.append(str(ack))
        return sio

    clients = []
    for start in range(first, first + count, 25):
        clients += await asyncio.gather(*(client(i) for i in range(start, min(first + count, start + 25))))
    state["measuring"] = True
    began = time.perf_counter()
    await asyncio.sleep(seconds)
    state["measuring"] = False
    elapsed = time.perf_counter() - began
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    print(json.dumps({"received": state["received"], "seconds": elapsed, "histogram_ms": histogram, "errors": errors}))
    sys.stdout.flush()
    # aiohttp sessions can fail to close once the loop is shutting down; the result is out, so leave now.
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])))
