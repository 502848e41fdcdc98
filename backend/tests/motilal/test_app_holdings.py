"""Motilal clients' demat holdings through the app: on the portfolio page with funds per segment, among a token's
holders, and sold by exit-by-token with a DELIVERY sell beside the intraday position, the row saying which."""

from decimal import Decimal

import httpx

from tests.conftest import Actor, Simulator
from tests.motilal.conftest import PLAIN_USER, MotilalApp
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch


async def test_exit_by_token_sells_a_motilal_holding_as_delivery_beside_the_intraday_position(
    http: httpx.AsyncClient, advisor: Actor, sim: Simulator, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    client = await motilal.client(advisor, PLAIN_USER)
    fake.add_holding(
        PLAIN_USER,
        isin="INE002A01018",
        name="RELIANCE EQ",
        quantity=12,
        average="1300",
        nse_token=RELIANCE,
        bse_code=500325,
    )
    fake.set_ltp(RELIANCE, "1400.00")
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "LIMIT",
        "price": "1400.00",
        "trade_type": "INTRADAY",
        "allocations": allocations([client], [5]),
    }
    await wait_batch(http, advisor, (await execute_all(http, advisor, body)).json()["batch_id"])

    holders = (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json()
    assert sorted((h["trade_type"], h["net_quantity"], h["held_quantity"], h["average_price"]) for h in holders) == [
        ("DELIVERY", 12, 12, "1300.00"),
        ("INTRADAY", 5, 0, "1400.00"),
    ]

    response = await http.post(
        f"/api/v1/trades/exit-by-token/{RELIANCE}",
        json={"order_type": "LIMIT", "price": "1400.00"},
        headers={**advisor.headers, "Idempotency-Key": "mo-holding-exit"},
    )
    assert response.status_code == 202, response.text
    batch = await wait_batch(http, advisor, response.json()["batch_id"])
    assert sorted((r["trade_type"], r["status"], r["quantity"], r["closes"]) for r in batch["rows"]) == [
        ("DELIVERY", "FILLED", 12, "HOLDING"),
        ("INTRADAY", "FILLED", 5, "POSITION"),
    ]
    sells = sorted(
        (r.body["producttype"], r.body["quantityinlot"])
        for r in fake.requests_to("placeorder")
        if r.body["buyorsell"] == "SELL"
    )
    assert sells == [("DELIVERY", 12), ("VALUEPLUS", 5)]
    assert (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=advisor.headers)).json() == []


async def test_a_motilal_portfolio_shows_its_holdings_priced_and_its_funds_per_segment(
    http: httpx.AsyncClient, advisor: Actor, sim: Simulator, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    client = await motilal.client(advisor, PLAIN_USER)
    fake.add_holding(
        PLAIN_USER, isin="INE002A01018", name="RELIANCE EQ", quantity=4, average="1300", nse_token=RELIANCE
    )
    fake.add_holding(PLAIN_USER, isin="INE000UNKNOWN", name="ELSEWHERE EQ", quantity=1, average="10", bse_code=599999)
    await sim.price(RELIANCE, "1350.00")  # Motilal sends no price with holdings: the market feed's is used

    portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
    assert portfolio["holdings"] == [
        {
            "token_id": RELIANCE,
            "symbol": "RELIANCE",
            "exchange": "NSE",
            "quantity": 4,
            "average_price": "1300.00",
            "last_price": "1350.00",
            "unrealised_pnl": "200.00",
        },
        {
            "token_id": None,
            "symbol": "ELSEWHERE EQ",
            "exchange": None,
            "quantity": 1,
            "average_price": "10.00",
            "last_price": None,
            "unrealised_pnl": None,
        },
    ]
    segments = portfolio["summary"]["segments"]
    assert [(s["segment"], Decimal(s["available"]), Decimal(s["used"])) for s in segments] == [
        ("CASH", Decimal("1000000"), Decimal("0")),
        ("FO", Decimal("1000000"), Decimal("0")),
    ]
