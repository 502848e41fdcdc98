"""Socket.IO `market_clock {now, running}`: the replayed time, to every signed-in socket, once a second.

Sent only while the market data is a replay (a wall clock needs no broadcast; desks read GET /market/clock once).
Paused, it keeps coming, so a desk that connects during a pause learns the replay's time and that it is paused.
Each process replays on its own (app/market/replay.py), so the clock goes to this process's sockets only.
"""

import asyncio
import logging
from typing import Any

import socketio

from app.market.replay import ReplayMarketData
from app.market.switch import MarketDataSwitch
from app.realtime import events

log = logging.getLogger(__name__)


def clock_payload(replay: ReplayMarketData) -> dict[str, Any]:
    return {"now": replay.now().isoformat(), "running": replay.running}


async def run_market_clock(sio: socketio.AsyncServer, market: MarketDataSwitch, interval_s: float = 1.0) -> None:
    """Started when the app replays; `market` is followed, since brokers (and so the replay) may be rebuilt."""
    loop = asyncio.get_running_loop()
    due = loop.time()
    while True:
        due += interval_s
        await asyncio.sleep(max(0.0, due - loop.time()))
        due = max(due, loop.time() - interval_s)
        replay = market.current
        if not isinstance(replay, ReplayMarketData):
            continue
        try:
            await sio.emit(events.MARKET_CLOCK, clock_payload(replay), to=events.ALL_USERS_ROOM, ignore_queue=True)
        except Exception:
            log.exception("market_clock emit failed")
