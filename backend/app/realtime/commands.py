"""The socket commands besides renew: watching clients and batches (only those the user may see) and streaming
prices (at most `max_subscriptions` instruments per socket). Each runs after the server found the session live."""

from typing import Any

import socketio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.enums import Role
from app.market.feed import PriceStream, price_payload
from app.models import Batch, Client, Instrument, User
from app.models.instrument import instrument_ref
from app.realtime import events
from app.realtime.protocol import MAX_IDS_PER_CALL, RequestError, SocketState, id_in, ids_in, still_live
from app.realtime.reads import DeskReads


class SocketCommands:
    def __init__(
        self, sio: socketio.AsyncServer, prices: PriceStream, max_subscriptions: int, reads: DeskReads
    ) -> None:
        self.sio = sio
        self.reads = reads
        self.prices = prices
        self.max_subscriptions = max_subscriptions

    async def watch_clients(
        self, sid: str, state: SocketState, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        wanted = ids_in(data, "client_ids", MAX_IDS_PER_CALL)
        query = self.reads.visible_clients(user).where(Client.id.in_(wanted)).with_only_columns(Client.id)
        visible = set(await session.scalars(query))
        hidden = [client_id for client_id in wanted if client_id not in visible]
        if hidden:
            # Another advisor's client is refused exactly like a missing one.
            raise RequestError("CLIENT_NOT_FOUND", "No client with these ids.", client_ids=hidden)
        still_live(state)
        for client_id in wanted:
            await self.sio.enter_room(sid, events.client_room(client_id))
        return {"ok": True, "client_ids": wanted}

    async def visible_batch(self, user: User, session: AsyncSession, batch_id: int) -> Batch:
        batch = await session.get(Batch, batch_id)
        if batch is None or (user.role == Role.ADVISOR and batch.created_by != user.id):
            raise RequestError("BATCH_NOT_FOUND", f"No batch with id {batch_id}.", batch_id=batch_id)
        return batch

    async def may_see_batch(self, user: User, session: AsyncSession, batch_id: int) -> bool:
        try:
            await self.visible_batch(user, session, batch_id)
        except RequestError:
            return False
        return True

    async def watch_batch(
        self, sid: str, state: SocketState, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        batch_id = id_in(data, "batch_id")
        batch = await self.visible_batch(user, session, batch_id)
        still_live(state)
        # Join first, then read: a row resolving in between is in the counts or arrives as an event (or both).
        await self.sio.enter_room(sid, events.batch_room(batch_id))
        done, total = await self.reads.batch_done_total(session, batch_id)
        return {"ok": True, "batch_id": batch_id, "status": batch.status, "done": done, "total": total}

    async def unwatch_batch(
        self, sid: str, state: SocketState, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        batch_id = id_in(data, "batch_id")
        await self.sio.leave_room(sid, events.batch_room(batch_id))
        return {"ok": True, "batch_id": batch_id}

    async def subscribe(
        self, sid: str, state: SocketState, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        wanted = ids_in(data, "token_ids", self.max_subscriptions)
        asked = [token_id for token_id in wanted if token_id not in state.token_ids]
        found = {
            instrument.token_id: instrument
            for instrument in await session.scalars(select(Instrument).where(Instrument.token_id.in_(asked)))
        }
        unknown = [token_id for token_id in asked if token_id not in found]
        # Checked again after the query: the session may have ended, another subscribe may have run meanwhile.
        still_live(state)
        new = [found[token_id] for token_id in asked if token_id in found and token_id not in state.token_ids]
        if len(state.token_ids) + len(new) > self.max_subscriptions:
            raise RequestError(
                "TOO_MANY_SUBSCRIPTIONS",
                f"A socket streams at most {self.max_subscriptions} instruments; unsubscribe some first.",
                limit=self.max_subscriptions,
                subscribed=len(state.token_ids),
            )
        state.token_ids.update(instrument.token_id for instrument in new)
        await self.prices.add([instrument_ref(instrument) for instrument in new])
        still_live(state)  # the socket may have gone while the market data started watching
        quotes = [self.prices.latest(token_id) for token_id in wanted if token_id in state.token_ids]
        return {
            "ok": True,
            "token_ids": sorted(state.token_ids),
            "unknown": unknown,
            "quotes": [price_payload(quote) for quote in quotes if quote is not None],
        }

    async def unsubscribe(
        self, sid: str, state: SocketState, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        wanted = ids_in(data, "token_ids", self.max_subscriptions)
        gone = [token_id for token_id in wanted if token_id in state.token_ids]
        state.token_ids.difference_update(gone)
        await self.prices.remove(gone)
        return {"ok": True, "token_ids": sorted(state.token_ids)}
