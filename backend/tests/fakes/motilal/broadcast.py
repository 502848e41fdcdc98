"""The fake Motilal's broadcast WebSocket (`/jwebsocket/jwebsocket`), in the binary format Motilal's SDK speaks.

A client sends the login packet first (b"Q", 111, the client code twice, the feed version); the fake accepts it only
for a known user with a live REST session (the real packet carries no token, and the SDK sends it only after a
REST login), else closes with 1008. Then register / unregister packets (b"D", 7, exchange char, C|D, scrip, 1|0)
change what the connection gets, and every `set_ltp` of a registered scrip pushes one 30-byte `A` record (rate
float32 in rupees, last quantity, the day's cumulative quantity, average price, OI; time = seconds since 1980-01-01
IST). Tests drive it deterministically: `push_day_ohlc` sends a `G` record, `push_depth` a `B` record (the best bid
and offer: rate float32, qty int32, orders int16 for each side), `send_heartbeat` a `1` record (the
client answers b"1", 0), `drop_broadcast()` closes every connection and `broadcast_open = False` refuses new ones
(close 1013) until set back.
"""

import asyncio
import contextlib
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from starlette.websockets import WebSocket, WebSocketDisconnect

LOGIN = struct.Struct("=cHB15sB30sBBBB10sBBBBB45s")
REGISTER = struct.Struct("=cHcciB")
HEADER = struct.Struct("<ciic")
EPOCH = datetime(1980, 1, 1, tzinfo=ZoneInfo("Asia/Kolkata"))


def feed_time(now: datetime | None = None) -> int:
    return int(((now or datetime.now(UTC)) - EPOCH).total_seconds())


def record(exchange: bytes, scrip: int, kind: bytes, body: bytes) -> bytes:
    return HEADER.pack(exchange, scrip, feed_time(), kind) + body.ljust(20, b"\0")


@dataclass
class BroadcastConnection:
    userid: str
    outbox: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    scrips: dict[int, bytes] = field(default_factory=dict)  # scrip -> the exchange char it was registered with
    heartbeat_replies: int = 0


class Broadcast:
    """Mixed into FakeMotilal (users, sessions, ltp, lot sizes)."""

    def _reset_broadcast(self) -> None:
        for connection in getattr(self, "broadcast_connections", []):
            connection.outbox.put_nowait(None)
        self.broadcast_connections: list[BroadcastConnection] = []
        self.broadcast_logins: list[str] = []  # client codes of accepted logins, in order
        self.broadcast_open = True
        self.day_volume: dict[int, int] = {}

    def broadcast_registered(self) -> set[int]:
        """Scrips registered on any live connection."""
        return {scrip for connection in self.broadcast_connections for scrip in connection.scrips}

    def drop_broadcast(self) -> None:
        for connection in self.broadcast_connections:
            connection.outbox.put_nowait(None)
        self.broadcast_connections = []

    def send_heartbeat(self) -> None:
        for connection in self.broadcast_connections:
            connection.outbox.put_nowait(record(b"N", 0, b"1", b""))

    def push_day_ohlc(self, token: int, open_: str, high: str, low: str, prev_close: str) -> None:
        body = struct.pack("<ffff", *(float(Decimal(v)) for v in (open_, high, low, prev_close)))
        self._push(token, b"G", body)

    def push_depth(self, token: int, bid: str, ask: str) -> None:
        body = struct.pack("<fihfih", float(Decimal(bid)), 500, 3, float(Decimal(ask)), 700, 4)
        self._push(token, b"B", body)

    def _push_ltp(self, token: int) -> None:
        """One trade at the new price: the day's volume grows by a lot."""
        quantity = self.lot_sizes.get(token, 1)  # type: ignore[attr-defined]
        self.day_volume[token] = self.day_volume.get(token, 0) + quantity
        rate = float(self.ltp[token])  # type: ignore[attr-defined]
        self._push(token, b"A", struct.pack("<fiifi", rate, quantity, self.day_volume[token], rate, 0))

    def _push(self, token: int, kind: bytes, body: bytes) -> None:
        for connection in self.broadcast_connections:
            exchange = connection.scrips.get(token)
            if exchange is not None:
                connection.outbox.put_nowait(record(exchange, token, kind, body))

    def _broadcast_user(self, packet: bytes | None) -> str | None:
        if packet is None or len(packet) != LOGIN.size:
            return None
        kind, size, length, code, *_ = LOGIN.unpack(packet)
        userid = code[:length].decode("ascii", "replace")
        if kind not in (b"Q", b"q") or size != 111 or userid not in self.users:  # type: ignore[attr-defined]
            return None
        live = userid in self.sessions.values()  # type: ignore[attr-defined]
        return userid if live else None

    def _broadcast_packet(self, connection: BroadcastConnection, packet: bytes) -> None:
        if packet[:1] == b"D" and len(packet) == REGISTER.size:
            _, _, exchange, _segment, scrip, add = REGISTER.unpack(packet)
            if add:
                connection.scrips[scrip] = exchange
            else:
                connection.scrips.pop(scrip, None)
        elif packet[:1] == b"1":
            connection.heartbeat_replies += 1
        # A repeated login (the SDK sends one before every register) and anything else change nothing.

    async def _broadcast_endpoint(self, websocket: WebSocket) -> None:
        await websocket.accept()
        if not self.broadcast_open:
            await websocket.close(code=1013, reason="try again later")
            return
        try:
            userid = self._broadcast_user((await websocket.receive()).get("bytes"))
        except WebSocketDisconnect:
            return
        if userid is None:
            await websocket.close(code=1008, reason="login refused")
            return
        connection = BroadcastConnection(userid)
        self.broadcast_connections.append(connection)
        self.broadcast_logins.append(userid)
        sender = asyncio.create_task(self._broadcast_sender(websocket, connection))
        try:
            while True:
                try:
                    message = await websocket.receive()
                except (WebSocketDisconnect, RuntimeError):  # closed by the sender (a drop)
                    break
                if message["type"] == "websocket.disconnect":
                    break
                self._broadcast_packet(connection, message.get("bytes") or b"")
        finally:
            if connection in self.broadcast_connections:
                self.broadcast_connections.remove(connection)
            connection.outbox.put_nowait(None)
            await sender

    async def _broadcast_sender(self, websocket: WebSocket, connection: BroadcastConnection) -> None:
        with contextlib.suppress(Exception):  # the client may be gone already
            while (message := await connection.outbox.get()) is not None:
                await websocket.send_bytes(message)
            await websocket.close(code=1012, reason="dropped by the fake")
