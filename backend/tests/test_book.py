"""The book across clients: positions and holdings per token, totals against hand-computed figures, visibility,
a client whose broker fails, and the CSV."""

import csv
import io
from decimal import Decimal

import httpx

from app.brokers.base import BrokerAccount, BrokerHolding
from tests.conftest import Actor, MakeClients, Simulator
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch

TCS = 11536


async def trade(
    http: httpx.AsyncClient, actor: Actor, token_id: int, execution: str, trade_type: str, clients: list, qty: list[int]
) -> None:
    body = {
        "token_id": token_id,
        "execution": execution,
        "order_type": "MARKET",
        "trade_type": trade_type,
        "allocations": allocations(clients, qty),
    }
    batch = await wait_batch(http, actor, (await execute_all(http, actor, body)).json()["batch_id"])
    assert {row["status"] for row in batch["rows"]} == {"FILLED"}, batch["rows"]


async def desk(http: httpx.AsyncClient, sim: Simulator, advisor: Actor, other: Actor, make_clients: MakeClients):
    """Advisor One: A holds 10 RELIANCE bought at 1400 yesterday and 5 more today at 1410 (DELIVERY 15, avg
    21050/15); B buys 20 INTRADAY at 1410 and sells 5 at 1420 (net 15 at 1410, realised 50); C flat. Advisor Two's
    D holds 7 TCS. RELIANCE ends at 1430, TCS at 3000."""
    a, b, c = await make_clients(advisor, 3)
    [d] = await make_clients(other, 1, prefix="OTHER")
    await sim.price(RELIANCE, "1400.00")
    await trade(http, advisor, RELIANCE, "BUY", "DELIVERY", [a], [10])
    sim.next_trading_day()
    await sim.price(RELIANCE, "1410.00")
    await trade(http, advisor, RELIANCE, "BUY", "DELIVERY", [a], [5])
    await trade(http, advisor, RELIANCE, "BUY", "INTRADAY", [b], [20])
    await sim.price(RELIANCE, "1420.00")
    await trade(http, advisor, RELIANCE, "SELL", "INTRADAY", [b], [5])
    await sim.price(TCS, "2950.00")
    await trade(http, other, TCS, "BUY", "INTRADAY", [d], [7])
    await sim.price(RELIANCE, "1430.00")
    await sim.price(TCS, "3000.00")
    return a, b, c, d


async def test_the_book_per_token_and_its_totals_match_hand_computed_figures(
    http: httpx.AsyncClient,
    advisor: Actor,
    other_advisor: Actor,
    admin: Actor,
    make_clients: MakeClients,
    sim: Simulator,
) -> None:
    a, b, c, d = await desk(http, sim, advisor, other_advisor, make_clients)

    response = await http.get("/api/v1/book/positions", headers=advisor.headers)
    assert response.status_code == 200, response.text
    book = response.json()
    assert book["errors"] == []
    [reliance] = book["tokens"]  # TCS is Advisor Two's only
    assert (reliance["token_id"], reliance["symbol"], reliance["exchange"]) == (RELIANCE, "RELIANCE", "NSE")
    lines = {(line["client_id"], line["trade_type"]): line for line in reliance["clients"]}
    assert set(lines) == {(a.id, "DELIVERY"), (b.id, "INTRADAY")}
    held = lines[(a.id, "DELIVERY")]
    assert (held["net_quantity"], held["held_quantity"]) == (15, 10)
    assert Decimal(held["average_price"]) == Decimal("1403.3333")
    assert (held["last_price"], held["unrealised_pnl"], held["realised_pnl"]) == ("1430.00", "400.00", "0.00")
    day = lines[(b.id, "INTRADAY")]
    assert (day["net_quantity"], day["average_price"], day["unrealised_pnl"], day["realised_pnl"]) == (
        15,
        "1410.00",
        "300.00",  # (1430 - 1410) x 15
        "50.00",  # (1420 - 1410) x 5
    )
    assert (reliance["net_quantity"], reliance["net_value"]) == (30, "42900.00")
    assert (reliance["unrealised_pnl"], reliance["realised_pnl"]) == ("700.00", "50.00")

    summary = (await http.get("/api/v1/book/summary", headers=advisor.headers)).json()
    assert (summary["pnl_today"], summary["realised_pnl"], summary["unrealised_pnl"]) == ("750.00", "50.00", "700.00")
    assert summary["gross_exposure"] == "42900.00"
    assert (summary["clients"], summary["clients_with_open_positions"]) == (3, 2)
    assert summary["best_client"] == {"client_id": a.id, "client_name": a.display_name, "pnl": "400.00"}
    assert summary["worst_client"] == {"client_id": c.id, "client_name": c.display_name, "pnl": "0.00"}
    listed = (await http.get("/api/v1/clients", headers=advisor.headers)).json()["items"]
    for field in ("margin_used", "margin_available"):
        assert Decimal(summary[field]) == sum(Decimal(item["summary"][field]) for item in listed)
    assert Decimal(summary["margin_used"]) > 0

    theirs = (await http.get("/api/v1/book/positions", headers=other_advisor.headers)).json()
    assert [(t["symbol"], [line["client_id"] for line in t["clients"]]) for t in theirs["tokens"]] == [("TCS", [d.id])]
    their_summary = (await http.get("/api/v1/book/summary", headers=other_advisor.headers)).json()
    assert their_summary["pnl_today"] == "350.00"  # (3000 - 2950) x 7
    everyone = (await http.get("/api/v1/book/summary", headers=admin.headers)).json()
    assert (everyone["pnl_today"], everyone["gross_exposure"]) == ("1100.00", "63900.00")  # + 7 x 3000
    assert everyone["best_client"]["client_id"] == a.id and everyone["worst_client"]["client_id"] == c.id


async def test_a_client_whose_broker_fails_is_an_error_and_the_rest_still_add_up(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    a, b, c, _ = await desk(http, sim, advisor, other_advisor, make_clients)
    real_holdings = sim.broker.holdings

    async def holdings(account: BrokerAccount) -> list[BrokerHolding]:
        if account.client_id == b.id:
            raise OverflowError("int too large to convert")
        return await real_holdings(account)

    sim.broker.holdings = holdings  # type: ignore[method-assign]
    response = await http.get("/api/v1/book/positions", headers=advisor.headers)
    assert response.status_code == 200, response.text
    book = response.json()
    assert [(e["client_id"], bool(e["error"])) for e in book["errors"]] == [(b.id, True)]
    [reliance] = book["tokens"]
    assert [line["client_id"] for line in reliance["clients"]] == [a.id]
    assert (reliance["net_quantity"], reliance["unrealised_pnl"], reliance["realised_pnl"]) == (15, "400.00", "0.00")
    summary = (await http.get("/api/v1/book/summary", headers=advisor.headers)).json()
    assert (summary["pnl_today"], summary["gross_exposure"], summary["clients"]) == ("400.00", "21450.00", 2)
    assert [e["client_id"] for e in summary["errors"]] == [b.id]
    assert summary["worst_client"]["client_id"] == c.id


async def test_the_csv_has_the_same_rows_as_plain_decimals(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    a, b, _, _ = await desk(http, sim, advisor, other_advisor, make_clients)
    response = await http.get("/api/v1/book/positions.csv", headers=advisor.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (r["symbol"], r["client_id"], r["trade_type"], r["net_quantity"], r["held_quantity"], r["last_price"])
        for r in rows
    ] == [
        ("RELIANCE", str(a.id), "DELIVERY", "15", "10", "1430.00"),
        ("RELIANCE", str(b.id), "INTRADAY", "15", "0", "1430.00"),
    ]
    assert (rows[1]["average_price"], rows[1]["unrealised_pnl"], rows[1]["realised_pnl"]) == (
        "1410.00",
        "300.00",
        "50.00",
    )
    assert all(r["error"] == "" for r in rows)


async def test_the_book_needs_a_login(http: httpx.AsyncClient) -> None:
    for path in ("/api/v1/book/positions", "/api/v1/book/summary", "/api/v1/book/positions.csv"):
        assert (await http.get(path)).status_code == 401
