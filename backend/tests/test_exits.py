"""Exit by token and exit from a trade: every holder flattened per trade type, the rest reported as skipped."""

from decimal import Decimal

import httpx
import pytest

from app.context import AppContext
from tests.conftest import Actor, MakeClients, Simulator, wait_for_trades
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch


async def buy_for(http: httpx.AsyncClient, actor: Actor, clients: list, quantities: list[int], trade_type: str) -> None:
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": trade_type,
        "allocations": allocations(clients, quantities),
    }
    batch = await wait_batch(http, actor, (await execute_all(http, actor, body)).json()["batch_id"])
    assert {row["status"] for row in batch["rows"]} <= {"FILLED", "SKIPPED"}


async def test_exit_by_token_flattens_every_holder_and_skips_the_rest(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    clients = await make_clients(advisor, 4)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, clients[:3], [10, 20, 30], "DELIVERY")
    await buy_for(http, advisor, clients[:1], [5], "INTRADAY")
    short = {
        "token_id": RELIANCE,
        "execution": "SELL",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients[1:2], [7]),
    }
    await wait_batch(http, advisor, (await execute_all(http, advisor, short)).json()["batch_id"])

    holders = (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json()
    assert sorted((h["client_id"], h["trade_type"], h["net_quantity"]) for h in holders) == sorted(
        [
            (clients[0].id, "DELIVERY", 10),
            (clients[0].id, "INTRADAY", 5),
            (clients[1].id, "DELIVERY", 20),
            (clients[1].id, "INTRADAY", -7),
            (clients[2].id, "DELIVERY", 30),
        ]
    )

    await sim.price(RELIANCE, "1410.00")
    response = await http.post(
        f"/api/v1/trades/exit-by-token/{RELIANCE}", json={}, headers={**advisor.headers, "Idempotency-Key": "exit-1"}
    )
    assert response.status_code == 202
    batch = await wait_batch(http, advisor, response.json()["batch_id"])
    assert batch["kind"] == "EXIT_BY_TOKEN"
    rows = sorted((r["client_id"], r["trade_type"] or "", r["status"], r["quantity"]) for r in batch["rows"])
    assert rows == sorted(
        [
            (clients[0].id, "DELIVERY", "FILLED", 10),
            (clients[0].id, "INTRADAY", "FILLED", 5),
            (clients[1].id, "DELIVERY", "FILLED", 20),
            (clients[1].id, "INTRADAY", "FILLED", 7),
            (clients[2].id, "DELIVERY", "FILLED", 30),
            (clients[3].id, "", "SKIPPED", 0),
        ]
    )
    assert batch["counts"]["skipped"] == 1 and batch["counts"]["filled"] == 5

    # Each finished row says what it realised: bought at 1400, exited at 1410; the short of 7 covered at a loss.
    def dec(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    results = {(r["client_id"], r["trade_type"]): (dec(r["entry_price"]), r["realised_pnl"]) for r in batch["rows"]}
    assert results == {
        (clients[0].id, "DELIVERY"): (Decimal(1400), "100.00"),
        (clients[0].id, "INTRADAY"): (Decimal(1400), "50.00"),
        (clients[1].id, "DELIVERY"): (Decimal(1400), "200.00"),
        (clients[1].id, "INTRADAY"): (Decimal(1400), "-70.00"),
        (clients[2].id, "DELIVERY"): (Decimal(1400), "300.00"),
        (clients[3].id, None): (None, None),
    }
    assert (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json() == []
    orders = (await http.get("/api/v1/orders", params={"batch_id": batch["batch_id"]}, headers=advisor.headers)).json()
    sides = {(o["client_id"], o["trade_type"]): (o["side"], o["execution"]) for o in orders["items"]}
    assert sides[(clients[1].id, "INTRADAY")] == ("BUY", "EXIT")
    assert sides[(clients[0].id, "DELIVERY")] == ("SELL", "EXIT")

    portfolio = (await http.get(f"/api/v1/clients/{clients[0].id}/portfolio", headers=advisor.headers)).json()
    assert Decimal(portfolio["summary"]["realised_pnl"]) == Decimal("150.00")  # (1410 - 1400) x 15
    replay = await http.post(
        f"/api/v1/trades/exit-by-token/{RELIANCE}", json={}, headers={**advisor.headers, "Idempotency-Key": "exit-1"}
    )
    assert replay.json()["batch_id"] == batch["batch_id"]


async def test_exit_selected_clients_with_a_limit(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    clients = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, clients, [10, 10], "DELIVERY")
    no_price = await http.post(
        f"/api/v1/trades/exit-by-token/{RELIANCE}", json={"order_type": "LIMIT"}, headers=advisor.headers
    )
    assert no_price.status_code == 422 and no_price.json()["error"]["code"] == "PRICE_REQUIRED"
    response = await http.post(
        f"/api/v1/trades/exit-by-token/{RELIANCE}",
        json={"client_ids": [clients[0].id], "order_type": "LIMIT", "price": "1450.00"},
        headers=advisor.headers,
    )
    batch = await wait_batch(http, advisor, response.json()["batch_id"])
    [row] = batch["rows"]
    assert (row["client_id"], row["status"]) == (clients[0].id, "OPEN")
    holders = (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json()
    assert {h["client_id"] for h in holders} == {clients[0].id, clients[1].id}


async def test_exit_one_position_from_a_trade(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, [client], [12], "MTF")
    [trade] = await wait_for_trades(http, advisor, 1, {"client_id": client.id})
    exited = await http.post(f"/api/v1/trades/{trade['id']}/exit", json={}, headers=advisor.headers)
    assert exited.status_code == 201
    assert (exited.json()["side"], exited.json()["quantity"], exited.json()["status"]) == ("SELL", 12, "FILLED")
    again = await http.post(f"/api/v1/trades/{trade['id']}/exit", json={}, headers=advisor.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "NO_POSITION"


async def test_an_exit_above_the_order_maximum_is_denied_not_sent(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clients = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, clients, [10], "DELIVERY")
    (trade,) = await wait_for_trades(http, advisor, 1)
    monkeypatch.setattr(ctx.settings, "max_order_quantity", 6)

    batch = (await http.post(f"/api/v1/trades/exit-by-token/{RELIANCE}", json={}, headers=advisor.headers)).json()
    (row,) = (await wait_batch(http, advisor, batch["batch_id"]))["rows"]
    assert row["status"] == "DENIED" and row["reason"].startswith("QUANTITY_TOO_LARGE"), row
    one = await http.post(f"/api/v1/trades/{trade['id']}/exit", json={}, headers=advisor.headers)
    assert one.status_code == 422 and one.json()["error"]["code"] == "QUANTITY_TOO_LARGE"
    holders = (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json()
    assert [h["net_quantity"] for h in holders] == [10]


def test_an_exit_rows_realised_pnl_counts_only_its_fills() -> None:
    from app.enums import Side
    from app.models import Order
    from app.services.batches import exit_result

    part = Order(side=Side.SELL, filled_quantity=4, average_price=Decimal("101.255"))
    assert exit_result(part, "100.00") == {"entry_price": Decimal("100.00"), "realised_pnl": Decimal("5.02")}
    cover = Order(side=Side.BUY, filled_quantity=3, average_price=Decimal("99.50"))
    assert exit_result(cover, "100.00")["realised_pnl"] == Decimal("1.50")
    unfilled = Order(side=Side.SELL, filled_quantity=0, average_price=None)
    assert exit_result(unfilled, "100.00") == {"entry_price": Decimal("100.00"), "realised_pnl": None}
    assert exit_result(part, None) == {}
