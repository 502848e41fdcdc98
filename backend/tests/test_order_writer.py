"""The order writer: grouped commits keep every caller's answer, fills land with their order, failures stay local."""

import asyncio
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from app.brokers.base import BrokerAdapter
from app.brokers.registry import BrokerRegistry
from app.brokers.simulator.adapter import SIMULATOR_CAPABILITIES
from app.context import AppContext
from app.enums import OrderStatus
from app.models import Order, Trade
from tests.conftest import Actor, MakeClients, Simulator, place_order

RELIANCE = 2885


async def place(http: httpx.AsyncClient, actor: Actor, client_id: int, quantity: int) -> dict:
    response = await place_order(http, actor.headers, client_id=client_id, quantity=quantity)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_fill_reported_with_the_order_is_in_our_trade_book_when_the_answer_is(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    placed = await place(http, advisor, client.id, 3)
    assert placed["status"] == "FILLED"
    # No waiting: the fill was written in the transaction that recorded FILLED, not copied later.
    async with ctx.sessions() as session:
        trades = list(await session.scalars(select(Trade).where(Trade.order_id == placed["id"])))
    assert [(t.quantity, t.side) for t in trades] == [(3, "BUY")]


async def test_concurrent_changes_to_many_orders_each_get_their_own_answer(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    clients = await make_clients(advisor, 4)
    await sim.price(RELIANCE, "1400.00")
    order_ids = [(await place(http, advisor, c.id, 1))["id"] for c in clients]

    def set_reason(text: str):
        def change(order: Order) -> bool:
            if order.broker_note == text:
                return False
            order.broker_note = text
            return True

        return change

    # Two changes per order in one burst: the first changes it, the repeat of the same change finds nothing to do.
    calls = [ctx.order_writer.apply(order_id, set_reason(f"note {order_id}")) for order_id in order_ids]
    calls += [ctx.order_writer.apply(order_id, set_reason(f"note {order_id}")) for order_id in order_ids]
    results = await asyncio.gather(*calls)
    assert results == [True] * len(order_ids) + [False] * len(order_ids)
    async with ctx.sessions() as session:
        notes = dict((await session.execute(select(Order.id, Order.broker_note).where(Order.id.in_(order_ids)))).all())
    assert notes == {order_id: f"note {order_id}" for order_id in order_ids}


async def test_a_change_that_fails_fails_its_own_group_and_the_next_change_is_written(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    order_id = (await place(http, advisor, client.id, 1))["id"]

    def broken(order: Order) -> bool:
        order.broker_note = "half-written"
        raise ValueError("a change that cannot be applied")

    with pytest.raises(ValueError):
        await ctx.order_writer.apply(order_id, broken)

    def fine(order: Order) -> bool:
        order.reason = "written after the failure"
        return True

    assert await ctx.order_writer.apply(order_id, fine) is True
    async with ctx.sessions() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    # Nothing of the failed change was committed; the later one was.
    assert (order.broker_note, order.reason) == (None, "written after the failure")


def _note(text: str) -> Callable[[Order], bool]:
    def change(order: Order) -> bool:
        order.broker_note = text
        return True

    return change


def _raises(order: Order) -> bool:
    order.broker_note = "half-written"
    raise ValueError("a change that cannot be applied")


def _unwritable(order: Order) -> bool:
    # What a broker echoing a poisoned modify would have us record: no INTEGER column holds it.
    order.quantity = 2**64
    return True


@pytest.mark.parametrize("bad", [_raises, _unwritable], ids=["raises", "unwritable"])
async def test_one_bad_change_in_a_group_does_not_fail_its_neighbours(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    bad: Callable[[Order], bool],
) -> None:
    clients = await make_clients(advisor, 5)
    await sim.price(RELIANCE, "1400.00")
    first, *grouped = [(await place(http, advisor, c.id, 1))["id"] for c in clients]
    poisoned = grouped[1]
    group_sizes: list[int] = []
    real_commit = ctx.order_writer._commit

    async def counting_commit(group: list) -> tuple:
        group_sizes.append(len(group))
        return await real_commit(group)

    ctx.order_writer._commit = counting_commit  # type: ignore[method-assign]
    try:
        # The first call starts a write; the others queue behind it and are written together as one group.
        results = await asyncio.gather(
            ctx.order_writer.apply(first, _note("alone")),
            *(
                ctx.order_writer.apply(order_id, bad if order_id == poisoned else _note(f"neighbour {order_id}"))
                for order_id in grouped
            ),
            return_exceptions=True,
        )
    finally:
        del ctx.order_writer._commit
    assert group_sizes[:2] == [1, 4], "the bad change was not in one group with its neighbours"
    by_id = dict(zip([first, *grouped], results, strict=True))
    assert isinstance(by_id.pop(poisoned), ValueError | OverflowError | DBAPIError)
    assert by_id == {order_id: True for order_id in by_id}
    async with ctx.sessions() as session:
        rows = {o.id: o for o in await session.scalars(select(Order))}
    assert rows[first].broker_note == "alone"
    for order_id in grouped:
        if order_id == poisoned:
            assert (rows[order_id].broker_note, rows[order_id].quantity) == (None, 1)
        else:
            assert rows[order_id].broker_note == f"neighbour {order_id}"


async def test_a_cancelled_writer_leaves_no_caller_waiting_forever(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    clients = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    first, second = [(await place(http, advisor, c.id, 1))["id"] for c in clients]

    def touch(order: Order) -> bool:
        order.broker_note = "touched"
        return True

    writer = asyncio.create_task(ctx.order_writer.apply(first, touch))
    await asyncio.sleep(0)  # the first caller is now writing, its transaction under way
    follower = asyncio.create_task(ctx.order_writer.apply(second, touch))
    writer.cancel()
    # The follower either takes over the writing (True) or learns its change was interrupted: it never hangs.
    try:
        assert await asyncio.wait_for(follower, timeout=10) is True
    except RuntimeError as exc:
        assert "interrupted" in str(exc)
    assert await ctx.order_writer.apply(second, lambda order: False) is False


async def test_an_execute_all_of_hundreds_of_rows_at_zero_latency_gives_every_row_its_verdict(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    clients = await make_clients(advisor, 300)
    await sim.price(RELIANCE, "1400.00")
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": [{"client_id": c.id, "quantity": 1} for c in clients],
    }
    response = await http.post("/api/v1/orders/execute-all", json=body, headers=advisor.headers)
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]
    done = await http.get(
        f"/api/v1/batches/{batch_id}", params={"wait": "true", "timeout": 30}, headers=advisor.headers
    )
    assert done.json()["counts"]["filled"] == 300, done.json()["counts"]
    async with ctx.sessions() as session:
        copied = await session.scalar(
            select(func.count()).select_from(Trade).join(Order).where(Order.batch_id == batch_id)
        )
        statuses = set(await session.scalars(select(Order.status).where(Order.batch_id == batch_id)))
    assert statuses == {OrderStatus.FILLED}
    assert copied == 300


class _Blocking:
    """An adapter whose orders wait for a signal and whose reads answer at once."""

    capabilities = SIMULATOR_CAPABILITIES

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def place(self) -> str:
        await self.release.wait()
        return "placed"

    async def read(self) -> str:
        return "read"


async def test_reads_of_books_do_not_wait_behind_orders_queued_for_the_same_broker() -> None:
    adapter = _Blocking()
    registry = BrokerRegistry({"sim": adapter}, concurrency=1, call_timeout_s=5)  # type: ignore[dict-item]

    async def place(a: BrokerAdapter) -> str:
        return await a.place()  # type: ignore[attr-defined]

    async def read(a: BrokerAdapter) -> str:
        return await a.read()  # type: ignore[attr-defined]

    orders = [asyncio.create_task(registry.call("sim", place)) for _ in range(3)]
    await asyncio.sleep(0)
    # Every order slot is taken and more orders queue; a read still answers.
    assert await asyncio.wait_for(registry.call("sim", read, read=True), timeout=1) == "read"
    adapter.release.set()
    assert await asyncio.gather(*orders) == ["placed"] * 3
