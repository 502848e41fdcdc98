"""Motilal clients through the app's API, next to simulator clients, with the app's adapter on the fake broker."""

from datetime import timedelta
from decimal import Decimal

import httpx
from sqlalchemy import func, select

from app.models import AuditEvent, Order
from app.services.reconcile import reconcile
from tests.conftest import Actor, MakeClients, Simulator, wait_for_trades
from tests.motilal.conftest import PLAIN_USER, POOR_USER, TOTP_USER, MotilalApp
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch

NOW = timedelta(0)


async def orders_of(http: httpx.AsyncClient, actor: Actor, **params: object) -> dict[int, dict]:
    listed = (await http.get("/api/v1/orders", params={"limit": 500, **params}, headers=actor.headers)).json()
    return {order["client_id"]: order for order in listed["items"]}


async def test_execute_all_and_exit_by_token_across_simulator_and_motilal_clients(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    sims = await make_clients(advisor, 2)
    mo = [await motilal.client(advisor, TOTP_USER), await motilal.client(advisor, PLAIN_USER)]
    everyone = [*sims, *mo]
    await sim.price(RELIANCE, "1400.00")
    fake.set_ltp(RELIANCE, "1400.00")

    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": allocations(everyone, [10, 10, 10, 10]),
    }
    batch = await wait_batch(http, advisor, (await execute_all(http, advisor, body)).json()["batch_id"])
    rows = {row["client_id"]: row for row in batch["rows"]}
    for client in everyone:
        row = rows[client.id]
        assert (row["status"], row["filled_quantity"], Decimal(row["average_price"])) == (
            "FILLED",
            10,
            Decimal("1400"),
        ), row
    assert batch["status"] == "COMPLETED" and batch["counts"]["filled"] == 4

    orders = await orders_of(http, advisor, batch_id=batch["batch_id"])
    for client in mo:
        order = orders[client.id]
        assert order["order_type"] == "MARKET", "our record keeps the advisor's intent"
        assert order["broker_note"] is not None and "LIMIT at 1414.00" in order["broker_note"]
        assert Decimal(order["price"]) == Decimal("1414.00"), "the price the broker holds"
        assert order["broker_order_id"].startswith("FK")
    for client in sims:
        assert orders[client.id]["broker_note"] is None
    placed = fake.requests_to("placeorder")
    assert [r.body["ordertype"] for r in placed] == ["LIMIT", "LIMIT"], "no MARKET order ever reached Motilal"
    assert {r.body["tag"] for r in placed} == {f"MD{orders[c.id]['id']}" for c in mo}

    assert len(await wait_for_trades(http, advisor, 4)) == 4, "Motilal fills were copied by tag, too"
    holders = (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json()
    assert sorted((h["client_id"], h["trade_type"], h["net_quantity"]) for h in holders) == sorted(
        (c.id, "DELIVERY", 10) for c in everyone
    )

    await sim.price(RELIANCE, "1410.00")
    fake.set_ltp(RELIANCE, "1410.00")
    response = await http.post(
        f"/api/v1/trades/exit-by-token/{RELIANCE}", json={}, headers={**advisor.headers, "Idempotency-Key": "mo-exit"}
    )
    assert response.status_code == 202
    exited = await wait_batch(http, advisor, response.json()["batch_id"])
    assert sorted((r["client_id"], r["trade_type"], r["status"], r["quantity"]) for r in exited["rows"]) == sorted(
        (c.id, "DELIVERY", "FILLED", 10) for c in everyone
    )
    sells = [r.body for r in fake.requests_to("placeorder")[2:]]
    assert [(s["buyorsell"], s["ordertype"], s["price"]) for s in sells] == [("SELL", "LIMIT", 1395.9)] * 2
    assert (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json() == []
    for client in everyone:
        portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
        assert Decimal(portfolio["summary"]["realised_pnl"]) == Decimal("100"), client.broker  # (1410 - 1400) x 10
    summary = (await http.get(f"/api/v1/clients/{mo[0].id}", headers=advisor.headers)).json()["summary"]
    assert Decimal(summary["cash"]) == Decimal("1000100.00") and summary["open_positions"] == 0


async def test_a_motilal_order_whose_answer_was_lost_is_found_by_its_tag(
    http: httpx.AsyncClient, advisor: Actor, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    client = await motilal.client(advisor, PLAIN_USER)
    fake.set_ltp(RELIANCE, "1400.00")
    fake.fail_next("timeout", path="placeorder", accept=True)  # Motilal books it; the answer never comes
    placed = await http.post(
        "/api/v1/orders/place",
        json={
            "client_id": client.id,
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "INTRADAY",
            "quantity": 5,
        },
        headers=advisor.headers,
    )
    assert placed.status_code == 201
    order = placed.json()
    assert order["status"] == "FAILED" and order["reason"].startswith("NO_ANSWER"), order
    assert order["broker_order_id"] is None
    [at_broker] = fake.orders(PLAIN_USER)
    assert at_broker.tag == f"MD{order['id']}" and at_broker.status == "Traded"

    report = await reconcile(motilal.ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (report.updated, report.not_at_broker, report.unreachable_clients) == (1, 0, [])
    settled = (await http.get(f"/api/v1/orders/{order['id']}", headers=advisor.headers)).json()
    assert (settled["status"], settled["filled_quantity"], settled["broker_order_id"]) == (
        "FILLED",
        5,
        at_broker.uniqueorderid,
    )
    assert settled["broker_note"] is not None and "LIMIT at 1414.00" in settled["broker_note"]
    assert len(fake.orders(PLAIN_USER)) == 1, "found, never sent again"
    assert len(await wait_for_trades(http, advisor, 1, {"client_id": client.id})) == 1
    again = await reconcile(motilal.ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert again.updated == 0


async def test_expired_sessions_log_in_again_once_and_refused_logins_fail_only_their_row(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    [simulated] = await make_clients(advisor, 1)
    expired = await motilal.client(advisor, TOTP_USER)
    dead = await motilal.client(advisor, PLAIN_USER)
    wrong = await motilal.client(advisor, POOR_USER, password="not-the-password")
    await sim.price(RELIANCE, "1400.00")
    fake.set_ltp(RELIANCE, "1400.00")
    assert (await http.post(f"/api/v1/clients/{expired.id}/test-connection", headers=advisor.headers)).json()["ok"]
    fake.expire_sessions(TOTP_USER)  # the day's token is gone: one fresh login, then the order goes
    fake.fail_next("session", userid=PLAIN_USER, count=100)  # this account's every session is refused

    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "LIMIT",
        "price": "1405.00",
        "trade_type": "INTRADAY",
        "allocations": allocations([simulated, expired, dead, wrong], [2, 2, 2, 2]),
    }
    batch = await wait_batch(http, advisor, (await execute_all(http, advisor, body)).json()["batch_id"])
    rows = {row["client_id"]: row for row in batch["rows"]}
    assert rows[simulated.id]["status"] == rows[expired.id]["status"] == "FILLED"
    assert rows[dead.id]["status"] == "REJECTED"
    assert rows[dead.id]["reason"] == "BROKER_LOGIN_FAILED: MO8002: Token Expired"
    assert rows[wrong.id]["status"] == "REJECTED"
    assert rows[wrong.id]["reason"] == (
        "BROKER_LOGIN_FAILED: wrong user id or password; Motilal said MO1000: Invalid UserId Or Password"
    )
    assert fake.logins[TOTP_USER] == 2, "the test-connection login, then one fresh login"
    assert fake.logins[PLAIN_USER] == 2, "the first login, then one more after the refusal; then the row fails"
    assert fake.login_attempts[POOR_USER] == 1, "a refused password is not tried twice in a row"
    sent_by = [r.headers["vendorinfo"] for r in fake.requests_to("placeorder")]
    assert sent_by.count(TOTP_USER) == 2, "refused with the stale token, then placed with the new one"
    assert fake.orders(POOR_USER) == [] and len(fake.orders(TOTP_USER)) == 1


async def test_test_connection_reports_success_or_the_brokers_reason(
    http: httpx.AsyncClient,
    advisor: Actor,
    other_advisor: Actor,
    viewer: Actor,
    make_clients: MakeClients,
    motilal: MotilalApp,
) -> None:
    good = await motilal.client(advisor, TOTP_USER)
    bad = await motilal.client(advisor, PLAIN_USER, password="Wrong-Pass-77")
    [simulated] = await make_clients(advisor, 1)

    ok = await http.post(f"/api/v1/clients/{good.id}/test-connection", headers=advisor.headers)
    assert ok.status_code == 200
    assert ok.json() == {"ok": True, "message": "Connected to motilal as EMUM755714; margin available 1000000.00."}
    refused = await http.post(f"/api/v1/clients/{bad.id}/test-connection", headers=advisor.headers)
    assert refused.json() == {
        "ok": False,
        "message": (
            "motilal refused the login: wrong user id or password; Motilal said MO1000: Invalid UserId Or Password"
        ),
    }
    assert "Wrong-Pass-77" not in refused.text
    assert (await http.post(f"/api/v1/clients/{simulated.id}/test-connection", headers=advisor.headers)).json()["ok"]

    motilal.fake.fail_next("http", path="getreportmargindetail", status=503)
    down = (await http.post(f"/api/v1/clients/{good.id}/test-connection", headers=advisor.headers)).json()
    assert down["ok"] is False and down["message"].startswith("motilal did not answer: ")

    assert (await http.post(f"/api/v1/clients/{good.id}/test-connection", headers=viewer.headers)).status_code == 403
    theirs = await http.post(f"/api/v1/clients/{good.id}/test-connection", headers=other_advisor.headers)
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "CLIENT_NOT_FOUND"
    async with motilal.ctx.sessions() as session:
        tests = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "client.test_connection")
        )
        assert tests == 4
        assert await session.scalar(select(func.count()).select_from(Order)) == 0
