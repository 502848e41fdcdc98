"""Pre-trade risk limits (one test per rule, firm defaults and client overrides) and the kill switch."""

import httpx
from sqlalchemy import func, select

from app.context import AppContext
from app.models import AuditEvent, Batch, Order, TradingHalt
from tests.conftest import Actor, MakeClients, Simulator, eventually, place_order, wait_for_trades

RELIANCE = 2885
TCS = 11536


async def place(http: httpx.AsyncClient, actor: Actor, client_id: int | None, **fields: object) -> httpx.Response:
    return await place_order(http, actor.headers, **{"client_id": client_id, "quantity": 10, **fields})


async def firm_limits(http: httpx.AsyncClient, admin: Actor, **limits: object) -> None:
    response = await http.put("/api/v1/risk/limits", json=limits, headers=admin.headers)
    assert response.status_code == 200, response.text


async def client_limits(http: httpx.AsyncClient, admin: Actor, client_id: int | None, **limits: object) -> dict:
    response = await http.put(f"/api/v1/clients/{client_id}/risk-limits", json=limits, headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: httpx.Response, code: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


async def order_count(ctx: AppContext) -> int:
    async with ctx.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Order)) or 0


async def test_max_order_quantity_firm_default_and_client_override(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    first, second = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    await firm_limits(http, admin, max_order_quantity=5)
    refused(await place(http, advisor, first.id, quantity=10), "MAX_ORDER_QUANTITY")
    assert await order_count(ctx) == 0
    assert (await place(http, advisor, first.id, quantity=5)).status_code == 201
    out = await client_limits(http, admin, second.id, max_order_quantity=20)
    assert out["effective"]["max_order_quantity"] == 20 and out["firm_default"]["max_order_quantity"] == 5
    assert (await place(http, advisor, second.id, quantity=10)).status_code == 201


async def test_max_order_value_uses_the_price_or_the_last_price(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await client_limits(http, admin, client.id, max_order_value="10000")
    response = await place(http, advisor, client.id, quantity=10)  # MARKET: 10 x 1400 = 14000
    refused(response, "MAX_ORDER_VALUE")
    assert response.json()["error"]["details"]["value"] == "14000.00"
    assert (await place(http, advisor, client.id, quantity=10, order_type="LIMIT", price="950.00")).status_code == 201


async def test_price_band_around_the_last_price(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await firm_limits(http, admin, price_band_pct="5")
    refused(await place(http, advisor, client.id, order_type="LIMIT", price="1500.00"), "PRICE_BAND")
    refused(
        await place(
            http, advisor, client.id, execution="SELL", order_type="SL", price="1300.00", trigger_price="1310.00"
        ),
        "PRICE_BAND",
    )
    assert (await place(http, advisor, client.id, order_type="LIMIT", price="1450.00")).status_code == 201
    assert (await place(http, advisor, client.id, quantity=1)).status_code == 201  # MARKET has no price to band


async def test_gross_exposure_counts_open_positions_and_lets_reductions_through(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await client_limits(http, admin, client.id, max_gross_exposure="20000")
    assert (await place(http, advisor, client.id, quantity=10)).json()["status"] == "FILLED"
    refused(await place(http, advisor, client.id, quantity=10), "GROSS_EXPOSURE")  # 14000 + 14000 > 20000
    assert (await place(http, advisor, client.id, quantity=4)).status_code == 201  # 14000 + 5600 <= 20000
    sold = await place(http, advisor, client.id, execution="SELL", quantity=14)
    assert sold.status_code == 201 and sold.json()["status"] == "FILLED"


async def test_selling_demat_holdings_reduces_exposure_so_an_exposure_limit_lets_it_through(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    bought = await place(http, advisor, client.id, quantity=10, trade_type="DELIVERY")
    assert bought.json()["status"] == "FILLED"
    sim.next_trading_day()  # the 10 shares are now in the demat account; no position is left
    await client_limits(http, admin, client.id, max_gross_exposure="5000")
    refused(await place(http, advisor, client.id, quantity=10), "GROSS_EXPOSURE")  # new exposure: 14000 > 5000
    # Selling more than is held would open a short: new exposure, refused.
    refused(
        await place(http, advisor, client.id, execution="SELL", quantity=11, trade_type="DELIVERY"), "GROSS_EXPOSURE"
    )
    sold = await place(http, advisor, client.id, execution="SELL", quantity=10, trade_type="DELIVERY")
    assert sold.status_code == 201 and sold.json()["status"] == "FILLED"


async def test_daily_loss_blocks_new_exposure_but_not_reductions_or_exits(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await client_limits(http, admin, client.id, max_daily_loss="1000")
    assert (await place(http, advisor, client.id, quantity=10)).json()["status"] == "FILLED"
    await sim.price(RELIANCE, "1200.00")  # unrealised -2000
    response = await place(http, advisor, client.id, quantity=1)
    refused(response, "DAILY_LOSS")
    assert response.json()["error"]["details"]["pnl"] == "-2000.00"
    refused(await place(http, advisor, client.id, execution="SELL", quantity=11), "DAILY_LOSS")  # flips short
    assert (await place(http, advisor, client.id, execution="SELL", quantity=4)).json()["status"] == "FILLED"
    trades = (await http.get("/api/v1/trades", params={"client_id": client.id}, headers=advisor.headers)).json()
    buy = next(t for t in trades["items"] if t["side"] == "BUY")
    exited = await http.post(f"/api/v1/trades/{buy['id']}/exit", json={}, headers=advisor.headers)
    assert exited.status_code == 201 and exited.json()["status"] == "FILLED"


async def test_instrument_allow_and_deny_lists(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    first, second = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    await sim.price(TCS, "3000.00")
    await firm_limits(http, admin, denied_token_ids=[RELIANCE])
    refused(await place(http, advisor, first.id), "INSTRUMENT_NOT_ALLOWED")
    await client_limits(http, admin, second.id, allowed_token_ids=[TCS])
    refused(await place(http, advisor, second.id), "INSTRUMENT_NOT_ALLOWED")
    assert (await place(http, advisor, second.id, token_id=TCS, quantity=1)).status_code == 201
    await firm_limits(http, admin)  # cleared: no firm limits at all
    assert (await place(http, advisor, first.id, quantity=1)).status_code == 201


async def test_execute_all_denies_only_the_rows_over_a_limit(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    small, big, other = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    await firm_limits(http, admin, max_order_quantity=5)
    await client_limits(http, admin, other.id, denied_token_ids=[RELIANCE])
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": [
            {"client_id": small.id, "quantity": 3},
            {"client_id": big.id, "quantity": 10},
            {"client_id": other.id, "quantity": 1},
        ],
    }
    response = await http.post("/api/v1/orders/execute-all", json=body, headers=advisor.headers)
    assert response.status_code == 202
    batch = (
        await http.get(
            f"/api/v1/batches/{response.json()['batch_id']}", params={"wait": "true"}, headers=advisor.headers
        )
    ).json()
    rows = {row["client_id"]: row for row in batch["rows"]}

    async def recorded_complete() -> bool:  # the background run's last write, before the test's cleanup
        async with ctx.sessions() as session:
            stored = await session.get(Batch, batch["batch_id"])
            return stored is not None and stored.finished_at is not None

    await eventually(recorded_complete)
    assert rows[small.id]["status"] == "FILLED"
    assert rows[big.id]["status"] == "DENIED" and rows[big.id]["reason"].startswith("MAX_ORDER_QUANTITY:")
    assert rows[other.id]["status"] == "DENIED" and rows[other.id]["reason"].startswith("INSTRUMENT_NOT_ALLOWED:")


async def test_limits_permissions_and_audit(
    http: httpx.AsyncClient,
    admin: Actor,
    advisor: Actor,
    other_advisor: Actor,
    viewer: Actor,
    make_clients: MakeClients,
    ctx: AppContext,
) -> None:
    [mine] = await make_clients(advisor, 1)
    [theirs] = await make_clients(other_advisor, 1, prefix="OTHER")
    assert (await http.put("/api/v1/risk/limits", json={}, headers=advisor.headers)).status_code == 403
    assert (await http.get("/api/v1/risk/limits", headers=advisor.headers)).status_code == 403
    path = f"/api/v1/clients/{mine.id}/risk-limits"
    assert (await http.put(path, json={"max_order_quantity": 3}, headers=advisor.headers)).status_code == 403
    await client_limits(http, admin, mine.id, max_order_quantity=3)
    own = await http.get(path, headers=advisor.headers)
    assert own.status_code == 200 and own.json()["limits"]["max_order_quantity"] == 3
    assert (await http.get(f"/api/v1/clients/{theirs.id}/risk-limits", headers=advisor.headers)).status_code == 404
    assert (await http.get(path, headers=viewer.headers)).status_code == 403
    assert (await http.put("/api/v1/clients/999999/risk-limits", json={}, headers=admin.headers)).status_code == 404
    async with ctx.sessions() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "risk.limits.update"))
    assert event is not None and event.entity_id == f"client:{mine.id}"
    assert event.payload["after"]["max_order_quantity"] == 3


async def test_firm_halt_refuses_new_orders_but_exits_still_work_and_resume_restores(
    http: httpx.AsyncClient,
    admin: Actor,
    advisor: Actor,
    viewer: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    assert (await place(http, advisor, client.id, quantity=5)).json()["status"] == "FILLED"
    before = await order_count(ctx)
    halt = await http.post("/api/v1/risk/halt", json={"scope": "firm", "reason": "fat finger"}, headers=admin.headers)
    assert halt.status_code == 200 and halt.json()["firm_halted"] is True

    placed = await place(http, advisor, client.id, quantity=1)
    assert placed.status_code == 409 and placed.json()["error"]["code"] == "TRADING_HALTED"
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": [{"client_id": client.id, "quantity": 1}],
    }
    batch = await http.post("/api/v1/orders/execute-all", json=body, headers=advisor.headers)
    assert batch.status_code == 409 and batch.json()["error"]["code"] == "TRADING_HALTED"
    assert await order_count(ctx) == before
    async with ctx.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Batch)) == 0

    status = (await http.get("/api/v1/risk/status", headers=viewer.headers)).json()
    assert status["firm_halted"] and status["you_are_halted"] and status["halts"][0]["reason"] == "fat finger"

    [trade] = await wait_for_trades(http, advisor, 1, {"client_id": client.id})
    exited = await http.post(f"/api/v1/trades/{trade['id']}/exit", json={}, headers=advisor.headers)
    assert exited.status_code == 201 and exited.json()["status"] == "FILLED"

    resumed = await http.post("/api/v1/risk/resume", json={"scope": "firm"}, headers=admin.headers)
    assert resumed.status_code == 200 and resumed.json()["halts"] == []
    again = await http.post("/api/v1/risk/resume", json={"scope": "firm"}, headers=admin.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "NOT_HALTED"
    assert (await place(http, advisor, client.id, quantity=1)).status_code == 201
    async with ctx.sessions() as session:
        actions = set(await session.scalars(select(AuditEvent.action)))
    assert {"risk.halt", "risk.resume"} <= actions


async def test_advisor_halt_stops_only_that_advisors_book_and_cancels_its_open_orders(
    http: httpx.AsyncClient,
    admin: Actor,
    advisor: Actor,
    other_advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
) -> None:
    [mine] = await make_clients(advisor, 1)
    [theirs] = await make_clients(other_advisor, 1, prefix="OTHER")
    await sim.price(RELIANCE, "1400.00")
    resting = await place(http, advisor, mine.id, order_type="LIMIT", price="1300.00", quantity=2)
    other_resting = await place(http, other_advisor, theirs.id, order_type="LIMIT", price="1300.00", quantity=2)
    assert resting.json()["status"] == other_resting.json()["status"] == "OPEN"

    assert (await http.post("/api/v1/risk/halt", json={"scope": "firm"}, headers=advisor.headers)).status_code == 403
    missing = await http.post("/api/v1/risk/halt", json={"scope": "advisor"}, headers=admin.headers)
    assert missing.status_code == 422
    halt = await http.post(
        "/api/v1/risk/halt",
        json={"scope": "advisor", "advisor_id": advisor.id, "reason": "review", "cancel_open_orders": True},
        headers=admin.headers,
    )
    assert halt.status_code == 200, halt.text
    assert halt.json()["cancelled_order_ids"] == [resting.json()["id"]]
    assert halt.json()["cancel_failures"] == []
    assert halt.json()["firm_halted"] is False

    mine_order = (await http.get(f"/api/v1/orders/{resting.json()['id']}", headers=advisor.headers)).json()
    assert mine_order["status"] == "CANCELLED"
    theirs_order = (await http.get(f"/api/v1/orders/{other_resting.json()['id']}", headers=admin.headers)).json()
    assert theirs_order["status"] == "OPEN"

    refused_place = await place(http, advisor, mine.id, quantity=1)
    assert refused_place.status_code == 409 and refused_place.json()["error"]["code"] == "TRADING_HALTED"
    by_admin = await place(http, admin, mine.id, quantity=1)  # the advisor's book is halted, whoever places
    assert by_admin.status_code == 409
    assert (await place(http, other_advisor, theirs.id, quantity=1)).status_code == 201
    status = (await http.get("/api/v1/risk/status", headers=advisor.headers)).json()
    assert status["you_are_halted"] is True and status["firm_halted"] is False
    other_status = (await http.get("/api/v1/risk/status", headers=other_advisor.headers)).json()
    assert other_status["you_are_halted"] is False

    async with ctx.sessions() as session:  # persisted: any process (or a restarted one) sees it
        rows = list(await session.scalars(select(TradingHalt).where(TradingHalt.resumed_at.is_(None))))
    assert [(r.scope, r.advisor_id) for r in rows] == [("advisor", advisor.id)]
    await http.post("/api/v1/risk/resume", json={"scope": "advisor", "advisor_id": advisor.id}, headers=admin.headers)
    assert (await place(http, advisor, mine.id, quantity=1)).status_code == 201


async def test_status_is_for_any_signed_in_user(http: httpx.AsyncClient, viewer: Actor) -> None:
    assert (await http.get("/api/v1/risk/status")).status_code == 401
    response = await http.get("/api/v1/risk/status", headers=viewer.headers)
    assert response.json() == {
        "firm_halted": False,
        "you_are_halted": False,
        "halts": [],
        "cancelled_order_ids": [],
        "cancel_failures": [],
    }


async def test_modify_meets_the_same_limits_as_a_new_order(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await firm_limits(http, admin, max_order_quantity=5, price_band_pct="5")
    resting = await place(http, advisor, client.id, order_type="LIMIT", price="1350.00", quantity=5)
    assert resting.json()["status"] == "OPEN"
    path = f"/api/v1/orders/{resting.json()['id']}"
    refused(await http.patch(path, json={"quantity": 10}, headers=advisor.headers), "MAX_ORDER_QUANTITY")
    refused(await http.patch(path, json={"price": "1200.00"}, headers=advisor.headers), "PRICE_BAND")
    changed = await http.patch(path, json={"quantity": 4, "price": "1360.00"}, headers=advisor.headers)
    assert changed.status_code == 200 and changed.json()["quantity"] == 4


async def test_while_halted_open_orders_can_be_reduced_repriced_or_cancelled_but_not_increased(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    resting = await place(http, advisor, client.id, order_type="LIMIT", price="1350.00", quantity=5)
    path = f"/api/v1/orders/{resting.json()['id']}"
    assert (await http.post("/api/v1/risk/halt", json={"scope": "firm"}, headers=admin.headers)).status_code == 200
    more = await http.patch(path, json={"quantity": 6}, headers=advisor.headers)
    assert more.status_code == 409 and more.json()["error"]["code"] == "TRADING_HALTED"
    less = await http.patch(path, json={"quantity": 3, "price": "1340.00"}, headers=advisor.headers)
    assert less.status_code == 200 and less.json()["quantity"] == 3
    cancelled = await http.post(f"{path}/cancel", headers=advisor.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"


async def test_a_non_admin_sees_the_firm_halt_and_their_own_but_no_other_advisors_halt(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, other_advisor: Actor, viewer: Actor
) -> None:
    for body in (
        {"scope": "advisor", "advisor_id": advisor.id, "reason": "own review"},
        {"scope": "advisor", "advisor_id": other_advisor.id, "reason": "compliance probe of B"},
    ):
        assert (await http.post("/api/v1/risk/halt", json=body, headers=admin.headers)).status_code == 200

    async def status(actor: Actor) -> dict:
        response = await http.get("/api/v1/risk/status", headers=actor.headers)
        assert response.status_code == 200
        return response.json()

    mine = await status(advisor)
    assert [(h["scope"], h["advisor_id"], h["reason"]) for h in mine["halts"]] == [
        ("advisor", advisor.id, "own review")
    ]
    assert mine["you_are_halted"] is True and mine["firm_halted"] is False
    seen = await status(viewer)
    assert seen["halts"] == [] and seen["you_are_halted"] is False
    assert "compliance probe" not in str(mine)

    assert (
        await http.post("/api/v1/risk/halt", json={"scope": "firm", "reason": "drill"}, headers=admin.headers)
    ).status_code == 200
    mine = await status(advisor)
    assert sorted((h["scope"], h["reason"]) for h in mine["halts"]) == [("advisor", "own review"), ("firm", "drill")]
    assert [(h["scope"], h["reason"]) for h in (await status(viewer))["halts"]] == [("firm", "drill")]
    assert "compliance probe" not in str(mine)
    # Admins run the kill switch: they see every halt.
    everything = await status(admin)
    assert sorted(h["reason"] for h in everything["halts"]) == ["compliance probe of B", "drill", "own review"]
