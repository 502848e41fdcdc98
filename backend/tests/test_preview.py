"""Preview: what execute-all would send, priced and checked, with nothing written or sent."""

from decimal import Decimal

import httpx
from sqlalchemy import func, select

from app.context import AppContext
from app.models import AuditEvent, Batch, Order
from tests.conftest import RELIANCE, Actor, MakeClients, SetLot, Simulator
from tests.test_allocation import make_group, sized_body
from tests.test_execute_all import execute_all, wait_batch


async def preview(http: httpx.AsyncClient, actor: Actor, body: dict) -> httpx.Response:
    return await http.post("/api/v1/orders/preview", json=body, headers=actor.headers)


async def counts(ctx: AppContext) -> tuple[int, int, int]:
    async with ctx.sessions() as session:
        return tuple(  # type: ignore[return-value]
            [await session.scalar(select(func.count()).select_from(m)) or 0 for m in (Order, Batch, AuditEvent)]
        )


async def test_preview_equals_what_execute_all_then_sends_and_writes_nothing(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext, set_lot: SetLot
) -> None:
    a, b, c = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    await set_lot(5)
    group = await make_group(http, advisor, [(a.id, "1"), (b.id, "2"), (c.id, "0.2")])
    body = sized_body({"method": "ratio", "total_quantity": 100}, group_id=group)
    before = await counts(ctx)
    shown = await preview(http, advisor, body)
    assert shown.status_code == 200, shown.text
    assert await counts(ctx) == before  # no order, no batch, no audit event
    answer = shown.json()
    assert (answer["price"], answer["price_source"], answer["symbol"]) == ("1400.00", "market", "RELIANCE")
    quantities = {r["client_id"]: r["quantity"] for r in answer["rows"]}
    # 100 x 1/3.2 = 31.25 -> 30; x 2/3.2 = 62.5 -> 60; x 0.2/3.2 = 6.25 -> 5.
    assert quantities == {a.id: 30, b.id: 60, c.id: 5}
    assert {w["code"] for w in answer["rows"][0]["warnings"]} >= {"LOT_ROUNDED"}
    sent = await execute_all(http, advisor, body)
    batch = await wait_batch(http, advisor, sent.json()["batch_id"])
    assert {r["client_id"]: r["quantity"] for r in batch["rows"]} == quantities
    assert {r["client_id"]: r["sizing"] for r in batch["rows"]} == {r["client_id"]: r["sizing"] for r in answer["rows"]}
    assert answer["totals"]["quantity"] == 95
    assert answer["totals"]["value"] == "133000.00"


async def test_preview_prices_a_limit_order_with_margin_and_charges(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [rich] = await make_clients(advisor, 1, cash=Decimal("1000000"))
    [poor] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "LIMIT",
        "trade_type": "DELIVERY",
        "price": "1000.00",
        "allocations": [{"client_id": rich.id, "quantity": 100}, {"client_id": poor.id, "quantity": 100}],
    }
    answer = (await preview(http, advisor, body)).json()
    assert (answer["price"], answer["price_source"]) == ("1000.00", "limit")
    rows = {r["client_id"]: r for r in answer["rows"]}
    row = rows[rich.id]
    assert (row["value"], row["margin_required"], row["margin_available"]) == ("100000.00", "100000.00", "1000000.00")
    # The hand-computed delivery buy of ₹1,00,000 (tests/test_sizing.py).
    assert row["charges"] == {
        "brokerage": "20.00",
        "stt": "100.00",
        "exchange_txn": "2.97",
        "sebi": "0.10",
        "stamp_duty": "15.00",
        "gst": "4.15",
        "total": "142.22",
    }
    assert row["risk"] == {"ok": True, "code": None, "message": None}
    assert row["sizing"] is None
    assert "INSUFFICIENT_MARGIN" not in {w["code"] for w in row["warnings"]}
    assert "INSUFFICIENT_MARGIN" in {w["code"] for w in rows[poor.id]["warnings"]}
    assert answer["totals"] == {
        "quantity": 200,
        "value": "200000.00",
        "margin_required": "200000.00",
        "charges_total": "284.44",
        "halted": 0,
    }


async def test_preview_shows_a_risk_limit_the_order_would_breach(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    a, b = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    limits = await http.put(
        f"/api/v1/clients/{b.id}/risk-limits", json={"max_order_quantity": 5}, headers=admin.headers
    )
    assert limits.status_code == 200, limits.text
    body = sized_body({"method": "fixed", "quantity": 10}, client_ids=[a.id, b.id], trade_type="INTRADAY")
    rows = {r["client_id"]: r for r in (await preview(http, advisor, body)).json()["rows"]}
    assert rows[a.id]["risk"]["ok"] is True
    assert rows[b.id]["risk"]["ok"] is False and rows[b.id]["risk"]["code"] == "MAX_ORDER_QUANTITY"
    assert "RISK_LIMIT" in {w["code"] for w in rows[b.id]["warnings"]}
    # Intraday leverage 5: 10 x 1,400 / 5.
    assert rows[a.id]["margin_required"] == "2800.00"
    sent = await execute_all(http, advisor, body)
    assert {r["client_id"]: r["status"] for r in sent.json()["rows"]}[b.id] == "DENIED"
    await wait_batch(http, advisor, sent.json()["batch_id"])


async def halt(http: httpx.AsyncClient, admin: Actor, **body: object) -> None:
    response = await http.post("/api/v1/risk/halt", json={"reason": "desk review", **body}, headers=admin.headers)
    assert response.status_code == 200, response.text


async def test_preview_shows_the_halts_execute_all_would_refuse_per_row_and_in_totals(
    http: httpx.AsyncClient,
    admin: Actor,
    advisor: Actor,
    other_advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
) -> None:
    mine = await make_clients(advisor, 2)
    [theirs] = await make_clients(other_advisor, 1, prefix="OTHER")
    await sim.price(RELIANCE, "1400.00")
    body = sized_body({"method": "fixed", "quantity": 1}, client_ids=[c.id for c in mine])
    mixed = sized_body({"method": "fixed", "quantity": 1}, client_ids=[mine[0].id, theirs.id])

    # Another advisor's halt covers only that advisor's clients: the advisor's own preview is clean.
    await halt(http, admin, scope="advisor", advisor_id=other_advisor.id)
    clean = (await preview(http, advisor, body)).json()
    assert clean["totals"]["halted"] == 0 and all(r["risk"]["ok"] for r in clean["rows"])
    # An admin previewing clients of both advisors sees the halted advisor's row covered, and the count.
    shown = (await preview(http, admin, mixed)).json()
    rows = {r["client_id"]: r for r in shown["rows"]}
    assert rows[mine[0].id]["risk"]["ok"] is True
    assert rows[theirs.id]["risk"]["ok"] is False and rows[theirs.id]["risk"]["code"] == "TRADING_HALTED"
    assert "desk review" in rows[theirs.id]["risk"]["message"]
    assert "TRADING_HALTED" in {w["code"] for w in rows[theirs.id]["warnings"]}
    assert shown["totals"]["halted"] == 1
    # ...which is exactly the body execute-all refuses whole.
    refused = await execute_all(http, admin, mixed)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "TRADING_HALTED"

    # A firm-wide halt covers every row; nothing was written by any preview.
    before = await counts(ctx)
    await halt(http, admin, scope="firm")
    halted = (await preview(http, advisor, body)).json()
    assert halted["totals"]["halted"] == 2
    assert {r["risk"]["code"] for r in halted["rows"]} == {"TRADING_HALTED"}
    assert "firm-wide" in halted["rows"][0]["risk"]["message"]
    assert (await execute_all(http, advisor, body)).status_code == 409
    assert (await counts(ctx))[:2] == before[:2]

    # Resumed, the same preview is clear again.
    for scope in ({"scope": "firm"}, {"scope": "advisor", "advisor_id": other_advisor.id}):
        assert (await http.post("/api/v1/risk/resume", json=scope, headers=admin.headers)).status_code == 200
    resumed = (await preview(http, advisor, body)).json()
    assert resumed["totals"]["halted"] == 0 and all(r["risk"]["ok"] for r in resumed["rows"])
