"""Freeze-quantity split: an order above the freeze quantity reaches the broker as legs, the advisor sees one row whose
fills, price and status come from them, and crashes, late or repeated answers, rejections, cancel and retry of a
split row never lose or double a unit."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.brokers.base import BrokerAccount, BrokerOrderAck, BrokerOrderRequest, BrokerRejected, BrokerUnavailable
from app.context import AppContext
from app.enums import Execution, OrderStatus, OrderType, Side, TradeType
from app.market.instruments import parse_tokens_csv
from app.models import Instrument, Order, OrderLeg
from app.services.dispatch import send_loaded
from app.services.order_legs import MAX_LEGS, derive, leg_id_from_tag, leg_sizes
from app.services.order_terms import OrderTerms
from app.services.orders import new_order
from app.services.reconcile import NOT_AT_BROKER, on_broker_order, reconcile
from tests.conftest import Actor, MakeClients, Simulator, eventually, place_order, wait_for_trades
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch

NOW = timedelta(0)
SetFreeze = Callable[[int | None], Awaitable[None]]
Place = Callable[[BrokerAccount, BrokerOrderRequest], Awaitable[BrokerOrderAck]]


@pytest.fixture
async def set_freeze(ctx: AppContext) -> AsyncIterator[SetFreeze]:
    """RELIANCE's freeze quantity for one test (data/tokens.csv gives it none)."""

    async def put(quantity: int | None) -> None:
        async with ctx.sessions() as session:
            instrument = await session.get(Instrument, RELIANCE)
            assert instrument is not None
            instrument.freeze_quantity = quantity
            await session.commit()

    yield put
    await put(None)


def account(client: object) -> BrokerAccount:
    return BrokerAccount(client.id, client.broker_client_id, {}, client.opening_cash)  # type: ignore[attr-defined]


def patch_place(sim: Simulator, wrap: Callable[[Place, BrokerAccount, BrokerOrderRequest], Awaitable[BrokerOrderAck]]):  # type: ignore[no-untyped-def]
    real = sim.broker.place_order
    sent: list[BrokerOrderRequest] = []

    async def place(acct: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        sent.append(req)
        return await wrap(real, acct, req)

    sim.broker.place_order = place  # type: ignore[method-assign]
    return sent


async def leg_no(ctx: AppContext, req: BrokerOrderRequest) -> int | None:
    """Which leg of its order this request sends (None: not a leg)."""
    leg_id = leg_id_from_tag(req.tag)
    if leg_id is None:
        return None
    async with ctx.sessions() as session:
        leg = await session.get(OrderLeg, leg_id)
    assert leg is not None
    return leg.leg_no


async def get_order(http: httpx.AsyncClient, actor: Actor, order_id: int) -> dict:
    response = await http.get(f"/api/v1/orders/{order_id}", headers=actor.headers)
    assert response.status_code == 200
    return response.json()


# --- the rules, without the database ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "freeze", "lot", "sizes"),
    [
        (2000, 900, 1, [900, 900, 200]),
        (1800, 900, 1, [900, 900]),
        (900, 900, 1, [900]),  # at the limit: one order
        (500, None, 1, [500]),  # no freeze quantity known
        (1000, 1800, 75, [1000]),
        (3000, 1800, 75, [1800, 1200]),  # legs stay whole lots: 1800 is 24 lots
        (3000, 1000, 75, [975, 975, 975, 75]),  # 1000 is not a whole number of lots; 975 (13 lots) is
        (300, 50, 75, [300]),  # a freeze below one lot is a bad master row, not a split into nothing
    ],
)
def test_leg_sizes(quantity: int, freeze: int | None, lot: int, sizes: list[int]) -> None:
    assert leg_sizes(quantity, freeze, lot) == sizes
    assert sum(sizes) == quantity


def _legs(*states: tuple[OrderStatus, int, str | None]) -> list[OrderLeg]:
    return [
        OrderLeg(
            id=n,
            order_id=1,
            leg_no=n,
            quantity=100,
            status=status,
            filled_quantity=filled,
            average_price=Decimal("10") + n if filled else None,
            reason=reason,
        )
        for n, (status, filled, reason) in enumerate(states, start=1)
    ]


@pytest.mark.parametrize(
    ("states", "status", "filled", "reason"),
    [
        ([("FILLED", 100, None)] * 3, "FILLED", 300, None),
        ([("REJECTED", 0, "RMS: margin")] * 2, "REJECTED", 0, "RMS: margin"),
        ([("CANCELLED", 0, NOT_AT_BROKER)] * 2, "CANCELLED", 0, NOT_AT_BROKER),  # still retryable as a whole
        (
            [("FILLED", 100, None), ("REJECTED", 0, "RMS: margin"), ("FILLED", 100, None)],
            "CANCELLED",
            200,
            "PARTLY_FILLED: 200 of 300 filled; RMS: margin",
        ),
        (
            [("REJECTED", 0, "RMS: margin"), ("CANCELLED", 0, "HALTED")],
            "REJECTED",
            0,
            "leg 1 REJECTED: RMS: margin; leg 2 CANCELLED: HALTED",
        ),
        ([("FILLED", 100, None), ("PENDING", 0, None)], "PENDING", 100, None),  # not every leg answered yet
        ([("FILLED", 100, None), ("OPEN", 0, None)], "PARTIALLY_FILLED", 100, None),
        ([("OPEN", 0, None), ("REJECTED", 0, "no")], "OPEN", 0, None),
        ([("REJECTED", 0, "no"), ("FAILED", 0, "NO_ANSWER")], "FAILED", 0, "NO_ANSWER"),
        ([("REJECTED", 0, "no"), ("PENDING", 0, None)], "PENDING", 0, None),
    ],
)
def test_the_row_is_derived_from_its_legs(states: list, status: str, filled: int, reason: str | None) -> None:
    legs = _legs(*[(OrderStatus(s), f, r) for s, f, r in states])
    order = Order(id=1, client_id=1, token_id=1, created_by=1, execution="BUY", side="BUY", order_type="MARKET")
    order.quantity, order.filled_quantity = sum(leg.quantity for leg in legs), 0
    derive(order, legs)
    assert (order.status, order.filled_quantity, order.reason) == (status, filled, reason)
    if filled:
        # Weighted by each leg's fills: legs fill at 11, 12, 13 (leg n at 10 + n).
        value = sum(leg.average_price * leg.filled_quantity for leg in legs if leg.filled_quantity)
        assert order.average_price == value / filled


def test_tokens_csv_carries_the_freeze_quantity(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text(
        "symbol,token_id,exchange,instrument_type,lot_size,tick_size,freeze_quantity\n"
        "NIFTYFUT,35001,NFO,FUT,75,0.05,1800\n"
        "RELIANCE,2885,NSE,EQ,1,0.05,\n"
        "BAD,2886,NSE,EQ,1,0.05,-5\n"
    )
    rows, errors = parse_tokens_csv(path)
    assert [(r.symbol, r.freeze_quantity) for r in rows] == [("NIFTYFUT", 1800), ("RELIANCE", None)]
    assert len(errors) == 1 and "freeze_quantity" in errors[0].message


# --- through the API and the simulator -------------------------------------------------------------------------------


async def test_an_order_above_the_freeze_quantity_is_sent_as_legs_and_shown_as_one_row(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    set_freeze: SetFreeze,
    ctx: AppContext,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    updates: list[dict] = []

    async def listen(event: str, room: str, payload: dict) -> None:
        if event == "order_update":
            updates.append(payload)

    ctx.events.subscribe(listen)
    try:
        response = await place_order(http, advisor.headers, client_id=client.id, quantity=2000)
    finally:
        ctx.events.unsubscribe(listen)
    assert response.status_code == 201, response.text
    row = response.json()
    # The desk hears of the row as its legs answer, the last time with every leg filled.
    assert {u["id"] for u in updates} == {row["id"]}
    assert updates[-1]["filled_quantity"] == 2000 and [leg["status"] for leg in updates[-1]["legs"]] == ["FILLED"] * 3
    assert (row["status"], row["quantity"], row["filled_quantity"], row["average_price"]) == (
        "FILLED",
        2000,
        2000,
        "1400.00",
    )
    assert [(leg["leg_no"], leg["quantity"], leg["status"], leg["filled_quantity"]) for leg in row["legs"]] == [
        (1, 900, "FILLED", 900),
        (2, 900, "FILLED", 900),
        (3, 200, "FILLED", 200),
    ]
    book = await sim.broker.order_book(account(client))
    assert sorted(o.quantity for o in book) == [200, 900, 900], "three broker orders, none above the freeze"
    assert {o.broker_order_id for o in book} == {leg["broker_order_id"] for leg in row["legs"]}
    # The fills belong to the one row, and the list of orders shows its legs too.
    trades = await wait_for_trades(http, advisor, 3)
    assert {t["order_id"] for t in trades} == {row["id"]} and sum(t["quantity"] for t in trades) == 2000
    listed = (await http.get("/api/v1/orders", headers=advisor.headers)).json()
    assert listed["total"] == 1 and len(listed["items"][0]["legs"]) == 3
    positions = await sim.broker.positions(account(client))
    assert [p.net_quantity for p in positions] == [2000]

    # An order at the limit is one order, with no legs.
    at_limit = (await place_order(http, advisor.headers, client_id=client.id, quantity=900)).json()
    assert at_limit["status"] == "FILLED" and at_limit["legs"] == [] and at_limit["broker_order_id"] is not None


async def test_a_leg_the_broker_rejects_leaves_a_done_row_naming_it(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    set_freeze: SetFreeze,
    ctx: AppContext,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)

    async def reject_second(real: Place, acct: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        if await leg_no(ctx, req) == 2:
            raise BrokerRejected("RMS: quantity freeze breached", code="RMS")
        return await real(acct, req)

    patch_place(sim, reject_second)
    row = (await place_order(http, advisor.headers, client_id=client.id, quantity=2000)).json()
    assert row["status"] == "CANCELLED"
    assert row["filled_quantity"] == 1100
    assert row["reason"] == "PARTLY_FILLED: 1100 of 2000 filled; RMS: quantity freeze breached"
    assert [leg["status"] for leg in row["legs"]] == ["FILLED", "REJECTED", "FILLED"]
    assert [p.net_quantity for p in await sim.broker.positions(account(client))] == [1100]


async def test_too_many_legs_is_denied_and_nothing_is_sent(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, set_freeze: SetFreeze
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "100.00")
    await set_freeze(10)
    row = (await place_order(http, advisor.headers, client_id=client.id, quantity=10 * MAX_LEGS + 1)).json()
    assert row["status"] == "DENIED" and row["reason"].startswith("TOO_MANY_LEGS") and row["legs"] == []
    assert await sim.broker.order_book(account(client)) == []


async def test_a_leg_answered_late_and_twice_is_counted_once(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    set_freeze: SetFreeze,
    ctx: AppContext,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    taken: dict[int, BrokerOrderAck] = {}

    async def lose_second_answer(real: Place, acct: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        ack = await real(acct, req)
        if await leg_no(ctx, req) == 2:
            taken[2] = ack  # the broker filled it; its answer never reached us
            raise BrokerUnavailable("read timed out")
        return ack

    patch_place(sim, lose_second_answer)
    row = (await place_order(http, advisor.headers, client_id=client.id, quantity=2000)).json()
    assert [leg["status"] for leg in row["legs"]] == ["FILLED", "FAILED", "FILLED"]
    assert (row["status"], row["filled_quantity"]) == ("PARTIALLY_FILLED", 1100)

    late = taken[2]
    stale = replace(late, status=OrderStatus.OPEN, filled_quantity=0, average_price=None, fills=())
    for snapshot in (late, late, stale):  # late, repeated, then an older view arriving last
        await on_broker_order(ctx, client.id, snapshot)  # type: ignore[arg-type]
    after = await get_order(http, advisor, row["id"])
    assert (after["status"], after["filled_quantity"], after["average_price"]) == ("FILLED", 2000, "1400.00")
    assert [leg["status"] for leg in after["legs"]] == ["FILLED"] * 3
    trades = await wait_for_trades(http, advisor, 3)
    assert sum(t["quantity"] for t in trades) == 2000
    assert len(await sim.broker.order_book(account(client))) == 3, "nothing was sent twice"
    report = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (report.updated, report.not_at_broker) == (0, 0)


async def test_a_crash_between_legs_is_settled_by_reconciliation(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    set_freeze: SetFreeze,
    ctx: AppContext,
) -> None:
    clients = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    never = asyncio.Event()

    async def die_mid_split(real: Place, acct: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        if acct.client_id != clients[0].id:
            return await real(acct, req)
        number = await leg_no(ctx, req)
        assert number is not None
        if number == 2:
            await real(acct, req)  # at the broker; the process dies before hearing back
        if number >= 2:
            await never.wait()  # and leg 3 never leaves
        return await real(acct, req)

    patch_place(sim, die_mid_split)
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [2000, 1000]),
    }
    batch_id = (await execute_all(http, advisor, body)).json()["batch_id"]

    async def first_leg_and_other_row_recorded() -> bool:
        batch = (await http.get(f"/api/v1/batches/{batch_id}", headers=advisor.headers)).json()
        return sorted(row["filled_quantity"] for row in batch["rows"]) == [900, 1000]

    await eventually(first_leg_and_other_row_recorded)
    await ctx.tasks.close()  # the crash: the sends die mid-split
    before = (await http.get(f"/api/v1/batches/{batch_id}", headers=advisor.headers)).json()
    assert before["counts"]["total"] == 2, "the split row is one row of the batch"
    assert [leg.quantity for leg in await sim.broker.order_book(account(clients[0]))] == [900, 900]

    report = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (report.updated, report.not_at_broker) == (1, 1)
    after = await wait_batch(http, advisor, batch_id)
    assert after["status"] == "COMPLETED" and after["counts"]["total"] == 2 and after["counts"]["pending"] == 0
    rows = {row["client_id"]: row for row in after["rows"]}
    split = await get_order(http, advisor, rows[clients[0].id]["order_id"])
    assert [(leg["status"], leg["filled_quantity"]) for leg in split["legs"]] == [
        ("FILLED", 900),
        ("FILLED", 900),
        ("CANCELLED", 0),
    ]
    assert split["legs"][2]["reason"] == NOT_AT_BROKER
    assert (split["status"], split["filled_quantity"]) == ("CANCELLED", 1800)
    assert split["reason"] == f"PARTLY_FILLED: 1800 of 2000 filled; {NOT_AT_BROKER}"
    assert len(await sim.broker.order_book(account(clients[0]))) == 2, "nothing was sent again"
    again = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (again.updated, again.not_at_broker) == (0, 0)


async def test_cancel_and_modify_of_a_split_row_act_on_its_working_legs(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, set_freeze: SetFreeze
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    row = (
        await place_order(http, advisor.headers, client_id=client.id, quantity=2000, order_type="LIMIT", price="1300")
    ).json()
    assert row["status"] == "OPEN" and [leg["status"] for leg in row["legs"]] == ["OPEN"] * 3

    modified = await http.patch(f"/api/v1/orders/{row['id']}", json={"price": "1350"}, headers=advisor.headers)
    assert modified.status_code == 200, modified.text
    assert modified.json()["price"] == "1350.00"
    assert {o.price for o in await sim.broker.order_book(account(client))} == {Decimal("1350")}
    resized = await http.patch(f"/api/v1/orders/{row['id']}", json={"quantity": 100}, headers=advisor.headers)
    assert resized.status_code == 409 and resized.json()["error"]["code"] == "SPLIT_QUANTITY_FIXED"

    cancelled = await http.post(f"/api/v1/orders/{row['id']}/cancel", headers=advisor.headers)
    assert cancelled.status_code == 200, cancelled.text
    out = cancelled.json()
    assert out["status"] == "CANCELLED" and [leg["status"] for leg in out["legs"]] == ["CANCELLED"] * 3
    assert {o.status for o in await sim.broker.order_book(account(client))} == {OrderStatus.CANCELLED}
    again = await http.post(f"/api/v1/orders/{row['id']}/cancel", headers=advisor.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ORDER_NOT_OPEN"


async def test_a_row_whose_legs_were_all_rejected_is_retried_split_again(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, set_freeze: SetFreeze
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    refusing = True

    async def refuse(real: Place, acct: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        if refusing:
            raise BrokerRejected("RMS: segment blocked", code="RMS")
        return await real(acct, req)

    sent = patch_place(sim, refuse)
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations([client], [2000]),
    }
    first = await wait_batch(http, advisor, (await execute_all(http, advisor, body)).json()["batch_id"])
    [row] = first["rows"]
    assert (row["status"], row["reason"]) == ("REJECTED", "RMS: segment blocked")
    assert len(sent) == 3

    refusing = False
    response = await http.post(
        f"/api/v1/batches/{first['batch_id']}/retry", json={}, headers={**advisor.headers, "Idempotency-Key": "r1"}
    )
    assert response.status_code == 202, response.text
    retried = await wait_batch(http, advisor, response.json()["batch_id"])
    [again] = retried["rows"]
    assert (again["status"], again["filled_quantity"]) == ("FILLED", 2000)
    assert sorted(r.quantity for r in sent[3:]) == [200, 900, 900]
    assert [p.net_quantity for p in await sim.broker.positions(account(client))] == [2000]


async def test_exit_by_token_splits_a_position_above_the_freeze(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, set_freeze: SetFreeze
) -> None:
    clients = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [2500, 300]),
    }
    await wait_batch(http, advisor, (await execute_all(http, advisor, body)).json()["batch_id"])
    await set_freeze(1000)
    response = await http.post(
        f"/api/v1/trades/exit-by-token/{RELIANCE}", json={}, headers={**advisor.headers, "Idempotency-Key": "x"}
    )
    assert response.status_code == 202, response.text
    batch = await wait_batch(http, advisor, response.json()["batch_id"])
    assert batch["counts"]["total"] == 2 and batch["counts"]["filled"] == 2
    rows = {row["client_id"]: row for row in batch["rows"]}
    split = await get_order(http, advisor, rows[clients[0].id]["order_id"])
    assert [(leg["quantity"], leg["status"]) for leg in split["legs"]] == [
        (1000, "FILLED"),
        (1000, "FILLED"),
        (500, "FILLED"),
    ]
    assert (await get_order(http, advisor, rows[clients[1].id]["order_id"]))["legs"] == []
    assert (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json() == []


async def test_the_same_row_sent_twice_at_once_writes_and_sends_its_legs_once(
    advisor: Actor, make_clients: MakeClients, sim: Simulator, set_freeze: SetFreeze, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    async with ctx.sessions() as session:
        instrument = await session.get(Instrument, RELIANCE)
        assert instrument is not None
        terms = OrderTerms(Execution.BUY, Side.BUY, OrderType.MARKET, TradeType.INTRADAY, 2000)
        order = new_order(client, instrument, terms, advisor.user, batch_id=None)
        session.add(order)
        await session.commit()
    # Two sends of one written row (a duplicate dispatch): the legs' unique (order, leg) lets only one write them.
    await asyncio.gather(*(send_loaded(ctx, order, client, instrument) for _ in range(2)))
    async with ctx.sessions() as session:
        legs = (await session.scalars(select(OrderLeg).where(OrderLeg.order_id == order.id))).all()
        recorded = await session.get(Order, order.id)
    assert sorted(leg.quantity for leg in legs) == [200, 900, 900]
    assert recorded is not None and (recorded.status, recorded.filled_quantity) == ("FILLED", 2000)
    assert len(await sim.broker.order_book(account(client))) == 3


async def test_a_halt_mid_split_stops_the_legs_not_yet_sent(
    http: httpx.AsyncClient,
    advisor: Actor,
    admin: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    set_freeze: SetFreeze,
    ctx: AppContext,
) -> None:
    [client] = await make_clients(advisor, 1)
    # One send at a time, so the halt lands after leg 1 and before legs 2 and 3 ask the gate.
    await sim.configure(broker_concurrency=1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    first_sent = asyncio.Event()

    async def halt_after_first(real: Place, acct: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        if await leg_no(ctx, req) == 1:
            ack = await real(acct, req)
            halted = await http.post("/api/v1/risk/halt", json={"scope": "firm", "reason": "t"}, headers=admin.headers)
            assert halted.status_code in (200, 201), halted.text
            first_sent.set()
            return ack
        await first_sent.wait()
        return await real(acct, req)

    patch_place(sim, halt_after_first)
    row = (await place_order(http, advisor.headers, client_id=client.id, quantity=2000)).json()
    assert [leg["status"] for leg in row["legs"]] == ["FILLED", "CANCELLED", "CANCELLED"]
    assert row["legs"][1]["reason"].startswith("HALTED")
    assert (row["status"], row["filled_quantity"]) == ("CANCELLED", 900)
    assert row["reason"].startswith("PARTLY_FILLED: 900 of 2000 filled; HALTED")
    assert len(await sim.broker.order_book(account(client))) == 1, "no leg left after the halt"


async def test_one_leg_refusing_a_cancel_does_not_leave_the_others_working(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, set_freeze: SetFreeze
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await set_freeze(900)
    row = (
        await place_order(http, advisor.headers, client_id=client.id, quantity=2000, order_type="LIMIT", price="1300")
    ).json()
    stuck = row["legs"][1]["broker_order_id"]
    real_cancel = sim.broker.cancel_order

    async def cancel(acct: BrokerAccount, broker_order_id: str) -> BrokerOrderAck:
        if broker_order_id == stuck:
            raise BrokerRejected("CANCEL_REFUSED: order is being modified", code="CANCEL_REFUSED")
        return await real_cancel(acct, broker_order_id)

    sim.broker.cancel_order = cancel  # type: ignore[method-assign]
    response = await http.post(f"/api/v1/orders/{row['id']}/cancel", headers=advisor.headers)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "CANCEL_REFUSED" and error["details"] == {"legs": [2]}
    after = await get_order(http, advisor, row["id"])
    assert [leg["status"] for leg in after["legs"]] == ["CANCELLED", "OPEN", "CANCELLED"]
    assert after["status"] == "OPEN", "one leg still works at the broker"

    sim.broker.cancel_order = real_cancel  # type: ignore[method-assign]
    again = await http.post(f"/api/v1/orders/{row['id']}/cancel", headers=advisor.headers)
    assert again.status_code == 200 and again.json()["status"] == "CANCELLED"
