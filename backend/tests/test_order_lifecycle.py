"""Single orders against scripted prices: LIMIT and SL behaviour, partial fills, cancel, modify, P&L by hand."""

from decimal import Decimal

import httpx

from tests.conftest import Actor, MakeClients, Simulator, eventually, place_order, wait_for_trades

RELIANCE = 2885


async def place(http: httpx.AsyncClient, actor: Actor, **fields: object) -> httpx.Response:
    return await place_order(http, actor.headers, **fields)


async def order(http: httpx.AsyncClient, actor: Actor, order_id: int) -> dict:
    return (await http.get(f"/api/v1/orders/{order_id}", headers=actor.headers)).json()


async def status_becomes(http: httpx.AsyncClient, actor: Actor, order_id: int, status: str) -> dict:
    async def reached() -> bool:
        return (await order(http, actor, order_id))["status"] == status

    await eventually(reached)
    return await order(http, actor, order_id)


async def test_limit_buy_rests_until_the_price_crosses_then_fills_at_the_limit_or_better(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    placed = await place(http, advisor, client_id=client.id, order_type="LIMIT", price="1390.00", quantity=4)
    assert placed.status_code == 201
    assert placed.json()["status"] == "OPEN"
    assert placed.json()["broker_order_id"]
    await sim.price(RELIANCE, "1395.00")
    assert (await order(http, advisor, placed.json()["id"]))["status"] == "OPEN"
    await sim.price(RELIANCE, "1388.00")
    filled = await status_becomes(http, advisor, placed.json()["id"], "FILLED")
    assert filled["filled_quantity"] == 4
    assert Decimal(filled["average_price"]) == Decimal("1388.00")
    trades = await wait_for_trades(http, advisor, 1, {"client_id": client.id})
    assert [(t["quantity"], t["price"], t["side"]) for t in trades] == [(4, "1388.00", "BUY")]


async def test_stop_loss_sell_triggers_on_the_trigger_and_then_fills_as_a_limit(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    bought = await place(http, advisor, client_id=client.id, quantity=10, trade_type="DELIVERY")
    assert bought.json()["status"] == "FILLED"
    stop = await place(
        http,
        advisor,
        client_id=client.id,
        execution="SELL",
        order_type="SL",
        trade_type="DELIVERY",
        quantity=10,
        price="1375.00",
        trigger_price="1380.00",
    )
    assert stop.json()["status"] == "OPEN"
    await sim.price(RELIANCE, "1385.00")
    assert (await order(http, advisor, stop.json()["id"]))["status"] == "OPEN"
    await sim.price(RELIANCE, "1378.00")
    filled = await status_becomes(http, advisor, stop.json()["id"], "FILLED")
    assert Decimal(filled["average_price"]) == Decimal("1378.00")
    portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
    [position] = portfolio["positions"]
    assert position["net_quantity"] == 0
    assert Decimal(position["realised_pnl"]) == Decimal("-220.00")


async def test_partial_fills_progress_across_ticks(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    await sim.configure(sim_liquidity_per_tick=30)
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    placed = await place(http, advisor, client_id=client.id, quantity=70)
    assert placed.json()["status"] == "PARTIALLY_FILLED"
    assert placed.json()["filled_quantity"] == 30
    await sim.price(RELIANCE, "1400.05")

    async def sixty() -> bool:
        return (await order(http, advisor, placed.json()["id"]))["filled_quantity"] == 60

    await eventually(sixty)
    await sim.price(RELIANCE, "1400.10")
    done = await status_becomes(http, advisor, placed.json()["id"], "FILLED")
    assert done["filled_quantity"] == 70
    trades = await wait_for_trades(http, advisor, 3, {"client_id": client.id})
    assert sorted(t["quantity"] for t in trades) == [10, 30, 30]


async def test_cancel_and_modify_an_open_order(
    http: httpx.AsyncClient, advisor: Actor, viewer: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1, cash=Decimal("100000"))
    await sim.price(RELIANCE, "1400.00")
    placed = (await place(http, advisor, client_id=client.id, order_type="LIMIT", price="1300.00", quantity=5)).json()
    assert (
        await http.patch(f"/api/v1/orders/{placed['id']}", json={"price": "1310.00"}, headers=viewer.headers)
    ).status_code == 403
    modified = await http.patch(
        f"/api/v1/orders/{placed['id']}", json={"price": "1310.00", "quantity": 6}, headers=advisor.headers
    )
    assert modified.status_code == 200
    assert (modified.json()["price"], modified.json()["quantity"], modified.json()["status"]) == ("1310.00", 6, "OPEN")
    off_tick = await http.patch(f"/api/v1/orders/{placed['id']}", json={"price": "1310.02"}, headers=advisor.headers)
    assert off_tick.status_code == 422 and off_tick.json()["error"]["code"] == "PRICE_OFF_TICK"
    cancelled = await http.post(f"/api/v1/orders/{placed['id']}/cancel", headers=advisor.headers)
    assert cancelled.json()["status"] == "CANCELLED"
    again = await http.post(f"/api/v1/orders/{placed['id']}/cancel", headers=advisor.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ORDER_NOT_OPEN"
    portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
    assert portfolio["summary"]["margin_used"] == "0.00"
    assert portfolio["open_orders"] == []


async def test_pnl_by_hand_for_a_small_sequence(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    """Buy 10 @ 100, buy 10 @ 110 -> average 105; sell 5 @ 120 -> realised 75; last 118 -> unrealised 195."""
    [client] = await make_clients(advisor, 1, cash=Decimal("100000"))
    await sim.price(RELIANCE, "100.00")
    await place(http, advisor, client_id=client.id, quantity=10, trade_type="DELIVERY")
    await sim.price(RELIANCE, "110.00")
    await place(http, advisor, client_id=client.id, quantity=10, trade_type="DELIVERY")
    await sim.price(RELIANCE, "120.00")
    sold = await place(http, advisor, client_id=client.id, quantity=5, trade_type="DELIVERY", execution="SELL")
    assert sold.json()["status"] == "FILLED"
    await sim.price(RELIANCE, "118.00")
    portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
    [position] = portfolio["positions"]
    assert position["net_quantity"] == 15
    assert Decimal(position["average_price"]) == Decimal("105")
    assert Decimal(position["realised_pnl"]) == Decimal("75")
    assert Decimal(position["unrealised_pnl"]) == Decimal("195")
    summary = portfolio["summary"]
    assert Decimal(summary["realised_pnl"]) == Decimal("75")
    assert Decimal(summary["unrealised_pnl"]) == Decimal("195")
    assert summary["open_positions"] == 1
    # Charges (DELIVERY, NSE): buy 1000 -> brokerage 0.30, STT 1.00, exchange 0.03, stamp 0.15, GST 0.06 = 1.54;
    # buy 1100 -> 0.33, 1.10, 0.03, 0.17, 0.06 = 1.69; sell 600 -> 0.18, STT 0.60, exchange 0.02, GST 0.04 = 0.84.
    assert (Decimal(summary["charges"]), Decimal(summary["realised_pnl_net"])) == (Decimal("4.07"), Decimal("70.93"))
    assert Decimal(position["realised_pnl_net"]) == Decimal("70.93")
    # Cash = opening + realised - charges; DELIVERY holds the full cost of what is still held (15 x 105).
    assert Decimal(summary["cash"]) == Decimal("100075.00") - Decimal("4.07")
    assert Decimal(summary["margin_used"]) == Decimal("1575.00")
    listed = (await http.get("/api/v1/clients", headers=advisor.headers)).json()["items"][0]["summary"]
    assert listed == summary


async def test_validation_before_anything_is_sent(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    [theirs] = await make_clients(other_advisor, 1, prefix="OTH")
    cases = [
        ({"quantity": 0}, 422, "VALIDATION_ERROR"),
        ({"order_type": "LIMIT"}, 422, "PRICE_REQUIRED"),
        ({"order_type": "MARKET", "price": "1400.00"}, 422, "PRICE_NOT_ALLOWED"),
        ({"order_type": "SL-M"}, 422, "TRIGGER_REQUIRED"),
        ({"order_type": "LIMIT", "price": "1400.01"}, 422, "PRICE_OFF_TICK"),
        ({"client_id": theirs.id}, 404, "CLIENT_NOT_FOUND"),
        ({"token_id": 424242}, 404, "TOKEN_NOT_FOUND"),
    ]
    for fields, status, code in cases:
        response = await place(http, advisor, **{"client_id": client.id, "quantity": 1, **fields})
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), fields
    listed = (await http.get("/api/v1/orders", headers=advisor.headers)).json()
    assert listed["total"] == 0


async def test_order_book_filters_and_isolation(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    first, second = await make_clients(advisor, 2)
    [theirs] = await make_clients(other_advisor, 1, prefix="OTH")
    for client, qty in ((first, 1), (first, 2), (second, 3)):
        await place(http, advisor, client_id=client.id, quantity=qty)
    await place(http, other_advisor, client_id=theirs.id, quantity=9)
    mine = (await http.get("/api/v1/orders", headers=advisor.headers)).json()
    assert mine["total"] == 3
    assert [o["quantity"] for o in mine["items"]] == [3, 2, 1]
    only_first = (await http.get("/api/v1/orders", params={"client_id": first.id}, headers=advisor.headers)).json()
    assert {o["client_id"] for o in only_first["items"]} == {first.id} and only_first["total"] == 2
    page = (await http.get("/api/v1/orders", params={"limit": 1, "offset": 1}, headers=advisor.headers)).json()
    assert [o["quantity"] for o in page["items"]] == [2]
    filled = (await http.get("/api/v1/orders", params={"status": "FILLED"}, headers=advisor.headers)).json()
    assert filled["total"] == 3
    hidden = await http.get(
        f"/api/v1/orders/{(await place(http, other_advisor, client_id=theirs.id, quantity=1)).json()['id']}",
        headers=advisor.headers,
    )
    assert hidden.status_code == 404


async def test_summary_lists_the_open_positions_its_unrealised_pnl_is_summed_over(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    """The /clients list reprices unrealised P&L at live prices from these: a closed position is not among them."""
    [client] = await make_clients(advisor, 1, cash=Decimal("100000"))
    await sim.price(RELIANCE, "100.00")
    await place(http, advisor, client_id=client.id, quantity=10, trade_type="DELIVERY")
    await place(http, advisor, client_id=client.id, quantity=4, trade_type="INTRADAY")
    await place(http, advisor, client_id=client.id, quantity=4, trade_type="INTRADAY", execution="SELL")
    await sim.price(RELIANCE, "103.50")
    listed = (await http.get("/api/v1/clients", headers=advisor.headers)).json()["items"]
    [summary] = [c["summary"] for c in listed if c["id"] == client.id]
    assert summary["positions"] == [
        {"token_id": RELIANCE, "trade_type": "DELIVERY", "net_quantity": 10, "average_price": "100.00"}
    ]
    assert Decimal(summary["unrealised_pnl"]) == (Decimal("103.50") - Decimal("100.00")) * 10
