"""A TCP proxy a test controls, to take a server (PostgreSQL, Redis) away from a running app and give it back.

The app is pointed at the proxy's port instead of the server's. States:

- up (the start): bytes flow both ways, one upstream connection per client connection.
- `cut()`: the server is gone (crashed, restarted, port closed): open connections are reset, and a new one is
  reset as soon as it is accepted.
- `stall()`: the server stops answering (a network partition, a hung host): connections are accepted and kept
  open, but nothing is forwarded either way.
- `restore()`: back up. Connections from before are reset first, as a restarted server would have dropped them
  (the app must replace them, not reuse them); new ones flow. Nothing happens if the proxy is up already.

`accepted` counts the connections the proxy has accepted: a test can tell whether the app tried the server again.
"""

import asyncio
import contextlib
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Link:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    pumps: list[asyncio.Task[None]] = field(default_factory=list)


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._mode = "up"
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._links: set[_Link] = set()
        self._server: asyncio.Server | None = None
        self.port = 0
        self.accepted = 0

    async def start(self) -> "TcpProxy":
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self._reset_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        self._mode = "down"
        self._reset_all()

    def stall(self) -> None:
        self._mode = "stalled"
        self._flowing.clear()

    def restore(self) -> None:
        if self._mode == "up":
            return
        self._reset_all()
        self._mode = "up"
        self._flowing.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self._mode == "down":
            writer.transport.abort()
            return
        link = _Link(writer)
        self._links.add(link)
        if self._mode == "stalled":
            return  # held open, unanswered, until restore() resets it
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self._target)
        except OSError:
            self._reset(link)
            return
        if link not in self._links:  # cut while connecting upstream
            upstream.transport.abort()
            return
        link.upstream = upstream
        link.pumps = [
            asyncio.create_task(self._pump(reader, upstream, link)),
            asyncio.create_task(self._pump(upstream_reader, writer, link)),
        ]

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, link: _Link) -> None:
        with contextlib.suppress(OSError):
            while data := await source.read(65536):
                # Stalled: the bytes wait here, as they would in a partitioned network.
                await self._flowing.wait()
                if link not in self._links:
                    return
                sink.write(data)
                await sink.drain()
        # One side closed: close the other, as a server that hung up would.
        if link in self._links:
            self._links.discard(link)
            for side in (link.client, link.upstream):
                if side is not None:
                    side.close()

    def _reset(self, link: _Link) -> None:
        self._links.discard(link)
        for pump in link.pumps:
            if pump is not asyncio.current_task():
                pump.cancel()
        for side in (link.client, link.upstream):
            if side is not None:
                side.transport.abort()

    def _reset_all(self) -> None:
        for link in list(self._links):
            self._reset(link)
