"""The halt gate every send asks: a halt committed before a send asks is always seen (a read already under way is
never reused for it), sends that ask together share one read, and a cancelled reader strands nobody."""

import asyncio

import pytest

from app.context import AppContext
from app.models import TradingHalt
from app.models.risk import FIRM_SCOPE
from app.services import halt_gate
from app.services.halt_gate import HaltGate, Halts
from tests.conftest import Actor


class CountedReads:
    """read_halts, counted; the first read can be held open until released."""

    def __init__(self, hold_first: bool) -> None:
        self.calls = 0
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        if not hold_first:
            self.release.set()
        self._real = halt_gate.read_halts

    async def __call__(self, session: object) -> Halts:
        self.calls += 1
        halts = await self._real(session)  # type: ignore[arg-type]
        if self.calls == 1:
            self.started.set()
            await self.release.wait()
        return halts


async def halt_firm(ctx: AppContext, admin: Actor) -> None:
    async with ctx.sessions() as session:
        session.add(TradingHalt(scope=FIRM_SCOPE, reason="test", halted_by=admin.id))
        await session.commit()


async def test_a_halt_committed_while_a_read_runs_is_seen_by_a_send_that_asks_after_it(
    ctx: AppContext, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = CountedReads(hold_first=True)
    monkeypatch.setattr(halt_gate, "read_halts", reads)
    gate = HaltGate(ctx.sessions)
    before = asyncio.create_task(gate.current())
    await reads.started.wait()
    await halt_firm(ctx, admin)
    after = asyncio.create_task(gate.current())
    await asyncio.sleep(0.01)
    reads.release.set()
    assert (await before).firm is False
    assert (await after).firm is True
    assert reads.calls == 2


async def test_sends_that_ask_together_share_one_read(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = CountedReads(hold_first=False)
    monkeypatch.setattr(halt_gate, "read_halts", reads)
    gate = HaltGate(ctx.sessions)
    answers = await asyncio.gather(*(gate.current() for _ in range(50)))
    assert all(a == Halts(firm=False, advisor_ids=frozenset()) for a in answers)
    assert reads.calls <= 2


async def test_a_cancelled_reader_leaves_the_other_callers_an_answer(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = CountedReads(hold_first=True)
    monkeypatch.setattr(halt_gate, "read_halts", reads)
    gate = HaltGate(ctx.sessions)
    reader = asyncio.create_task(gate.current())
    await reads.started.wait()
    waiter = asyncio.create_task(gate.current())
    await asyncio.sleep(0.01)
    reader.cancel()
    reads.release.set()
    assert (await asyncio.wait_for(waiter, 5)).firm is False
