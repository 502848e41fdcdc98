"""Steady API load from a second process: `python -m benchmarks.load URL TOKEN CLIENT_IDS_CSV SECONDS WORKERS`.

Each worker loops over GET /api/v1/clients (the advisor's first page), POST /api/v1/orders/place (a MARKET
buy of 1 for a rotating client) and GET /api/v1/tokens/search, timing each. Prints one JSON line with the
latencies (ms) per endpoint, every answer's status, the first few error answers' bodies and the placed orders' ids.
"""

import asyncio
import itertools
import json
import sys
import time
from collections import Counter

import httpx


async def main(url: str, token: str, client_ids: list[int], seconds: float, workers: int) -> None:
    latencies: dict[str, list[float]] = {"clients": [], "place": [], "search": []}
    statuses: Counter[str] = Counter()
    error_samples: dict[str, list[str]] = {}
    placed: list[int] = []
    rotate = itertools.cycle(client_ids)
    queries = itertools.cycle(["REL", "TCS", "INFY", "HDFC", "BENCH1", "bank", "TATA"])
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds

    async def timed(name: str, call) -> httpx.Response:
        started = time.perf_counter()
        response = await call
        latencies[name].append((time.perf_counter() - started) * 1000)
        key = f"{name}:{response.status_code}"
        statuses[key] += 1
        if response.status_code >= 400 and len(samples := error_samples.setdefault(key, [])) < 3:
            samples.append(f"{response.request.method} {response.request.url.path}: {response.text[:300]}")
        return response

    async def worker(http: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            await timed("clients", http.get("/api/v1/clients"))
            body = {
                "client_id": next(rotate),
                "token_id": 2885,
                "execution": "BUY",
                "order_type": "MARKET",
                "trade_type": "INTRADAY",
                "quantity": 1,
            }
            response = await timed("place", http.post("/api/v1/orders/place", json=body))
            if response.status_code == 201:
                placed.append(response.json()["id"])
            await timed("search", http.get("/api/v1/tokens/search", params={"q": next(queries)}))

    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        await http.get("/api/v1/tokens/search", params={"q": "REL"})  # warm up the connection
        await asyncio.gather(*(worker(http) for _ in range(workers)))
    print(json.dumps({"latencies_ms": latencies, "statuses": statuses, "errors": error_samples, "placed": placed}))


if __name__ == "__main__":
    ids = [int(x) for x in sys.argv[3].split(",")]
    asyncio.run(main(sys.argv[1], sys.argv[2], ids, float(sys.argv[4]), int(sys.argv[5])))
