"""Frames for this process's own sockets: each encoded once, queued as is on every socket that gets it.

Streams that every process produces from the shared market data (`prices`, `bars`) go to the local sockets directly,
never through the Redis manager. `python-socketio`'s own emit to a room would encode once too, but it starts a task
per recipient and walks the payload for binary parts in Python; a frame here is one engine.io packet put on each
socket's queue.
"""

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import engineio
import socketio

from app.realtime.protocol import SocketState

log = logging.getLogger(__name__)

NAMESPACE = "/"


def encode_event(event: str, data: object) -> engineio.packet.Packet:
    """The engine.io MESSAGE packet carrying Socket.IO `event` with `data` (JSON without bytes)."""
    # binary=False: there are no bytes to look for, and Socket.IO's check walks every value in Python.
    text = socketio.packet.Packet(socketio.packet.EVENT, data=[event, data], namespace=NAMESPACE, binary=False)
    return engineio.packet.Packet(engineio.packet.MESSAGE, data=text.encode())


class LocalSockets:
    """The signed-in sockets of this process (the server's registry) with their engine.io connections."""

    def __init__(self, sio: socketio.AsyncServer, sockets: Mapping[str, SocketState]) -> None:
        self._sio = sio
        self._sockets = sockets

    def subscribed(self) -> Iterator[tuple[SocketState, Any]]:
        """(state, engine.io socket) of each live socket streaming at least one instrument."""
        eio_sockets = self._sio.eio.sockets
        for sid, state in list(self._sockets.items()):
            if state.ended or not state.token_ids:
                continue
            conn = eio_sockets.get(self._sio.manager.eio_sid_from_sid(sid, NAMESPACE))
            if conn is not None and not conn.closed:
                yield state, conn

    @staticmethod
    async def send(conns: list[Any], packet: engineio.packet.Packet) -> int:
        """Queues the packet on each engine.io socket; returns how many took it."""
        sent = 0
        for conn in conns:
            try:
                await conn.send(packet)
                sent += 1
            except Exception:
                # One broken socket never costs the others their frame.
                log.exception("frame to engine.io socket %s failed", getattr(conn, "sid", "?"))
        return sent
