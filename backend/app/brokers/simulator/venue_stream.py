"""VenueStream: one backend process's subscription to the venue's events (GET /events, server-sent events).

It reads for as long as it runs and reconnects after any failure (the venue restarting, a dropped connection, a
silence longer than stream_idle_s: the venue sends a heartbeat every few seconds), sending the id of the last order
event it saw so the venue resends what it missed (venue_events.py). Each connection starts with a `hello`, which
is awaited before the events after it are handed on: the adapter re-announces itself there (starting prices,
instruments) so a restarted venue ticks them again.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx

from app.brokers.simulator.venue_settings import VenueSettings

logger = logging.getLogger(__name__)

OnHello = Callable[[], Awaitable[None]]
OnEvent = Callable[[str, str], None]


class VenueStream:
    def __init__(self, http: httpx.AsyncClient, settings: VenueSettings, on_hello: OnHello, on_event: OnEvent) -> None:
        self._http = http
        self._settings = settings
        self._on_hello = on_hello
        self._on_event = on_event
        self._last_id: str | None = None
        self.connected = asyncio.Event()

    async def run(self) -> None:
        outage = False
        while True:
            try:
                await self._read()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # One line per outage, not one per retry.
                if not outage:
                    logger.warning("simulator venue event stream lost (%s); reconnecting", exc or type(exc).__name__)
                outage = True
            else:
                outage = False
            self.connected.clear()
            await asyncio.sleep(self._settings.reconnect_s)

    async def _read(self) -> None:
        headers = {"Accept": "text/event-stream"}
        if self._last_id is not None:
            headers["Last-Event-ID"] = self._last_id
        timeout = httpx.Timeout(self._settings.timeout_s, read=self._settings.stream_idle_s)
        async with self._http.stream("GET", "/events", headers=headers, timeout=timeout) as response:
            response.raise_for_status()
            kind, data, event_id = "message", [], None
            async for line in response.aiter_lines():
                if line:
                    field, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if field == "event":
                        kind = value
                    elif field == "data":
                        data.append(value)
                    elif field == "id":
                        event_id = value
                    continue
                if data:
                    await self._dispatch(kind, "\n".join(data))
                    if event_id is not None:
                        self._last_id = event_id
                kind, data, event_id = "message", [], None

    async def _dispatch(self, kind: str, data: str) -> None:
        if kind == "hello":
            await self._on_hello()
            self.connected.set()
            logger.info("simulator venue event stream connected")
            return
        try:
            self._on_event(kind, data)
        except Exception:
            # A handler's bug must not cost the stream: the events after this one still need delivering.
            logger.exception("simulator venue %s event not handled", kind)
