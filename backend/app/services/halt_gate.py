"""The kill switch at the moment an order leaves: every send asks the gate, once it has its broker slot, whether a
halt in force stops it.

The answer comes from the `trading_halts` table as read by a query that started after the send asked, so a halt
committed by any process before that moment stops the order; one committed later finds it already at the broker
(at most the sends then holding a broker slot). Sends that ask together share one query: while one read runs,
newcomers wait for the next, which starts after them. Nothing is written, so the check costs one small read per
wave of sends, not a transaction per order. A stopped order is recorded CANCELLED with reason HALTED by its own
send, so the unsent rows of a running batch are cancelled as their turns come, within one broker answer.
"""

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.enums import Execution
from app.models import Order, TradingHalt
from app.models.risk import FIRM_SCOPE

HALTED = "HALTED: trading was halted before this order was sent; nothing reached the broker"


@dataclass(frozen=True, slots=True)
class Halts:
    """The kill switches in force, as one read found them."""

    firm: bool
    advisor_ids: frozenset[int]

    def stop(self, order: Order, owner_id: int) -> bool:
        """Whether they stop this order: exits only reduce exposure, so no halt ever stops one."""
        if order.execution == Execution.EXIT:
            return False
        return self.firm or owner_id in self.advisor_ids or order.created_by in self.advisor_ids


async def read_halts(session: AsyncSession) -> Halts:
    query = select(TradingHalt.scope, TradingHalt.advisor_id).where(TradingHalt.resumed_at.is_(None))
    rows = (await session.execute(query)).all()
    return Halts(
        firm=any(scope == FIRM_SCOPE for scope, _ in rows),
        advisor_ids=frozenset(advisor_id for _, advisor_id in rows if advisor_id is not None),
    )


class HaltGate:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._waiting: list[asyncio.Future[Halts]] = []
        self._reading: asyncio.Future[None] | None = None

    async def admits(self, order: Order, owner_id: int) -> bool:
        """True unless a halt in force now stops this order."""
        return not (await self.current()).stop(order, owner_id)

    async def current(self) -> Halts:
        """The halts in force, read by a query that started after this call."""
        answer: asyncio.Future[Halts] = asyncio.get_running_loop().create_future()
        self._waiting.append(answer)
        while not answer.done():
            if self._reading is None:
                await self._read_for_waiting()
            else:
                await asyncio.wait((answer, self._reading), return_when=asyncio.FIRST_COMPLETED)
        return answer.result()

    async def _read_for_waiting(self) -> None:
        self._reading = asyncio.get_running_loop().create_future()
        try:
            while self._waiting:
                waiting, self._waiting = self._waiting, []
                try:
                    async with self._sessions() as session:
                        halts = await read_halts(session)
                except Exception as exc:
                    for answer in waiting:
                        answer.set_exception(exc)
                    continue
                except BaseException:
                    # Cancelled mid-read: the others still need an answer; whoever wakes first reads again.
                    self._waiting = waiting + self._waiting
                    raise
                for answer in waiting:
                    answer.set_result(halts)
        finally:
            reading, self._reading = self._reading, None
            reading.set_result(None)
