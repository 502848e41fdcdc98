"""The cash ledger and contract notes through the API (simulator clients): deposits and withdrawals with their
refusal, two withdrawals at once, the running balance equal to the portfolio's cash, audit, and a day's contract
note as CSV (figures worked out by hand) and PDF."""

import asyncio
import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from app.context import AppContext
from app.models import AuditEvent, CashTransfer
from tests.conftest import Actor, MakeClients, Simulator, place_order, wait_for_trades

D = Decimal
RELIANCE = 2885


def cash_url(client_id: int) -> str:
    return f"/api/v1/clients/{client_id}/cash"


async def ledger(http: httpx.AsyncClient, actor: Actor, client_id: int) -> dict:
    response = await http.get(f"/api/v1/clients/{client_id}/ledger", headers=actor.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_deposit_and_withdrawal_show_in_the_ledger_with_a_running_balance_that_is_the_portfolio_cash(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1, cash=D("50000"))
    deposit = await http.post(
        cash_url(client.id),
        json={"type": "deposit", "amount": "2500.50", "note": "cheque 1142"},
        headers=advisor.headers,
    )
    assert deposit.status_code == 201, deposit.text
    assert (deposit.json()["status"], deposit.json()["balance"]) == ("DONE", "52500.50")
    withdraw = await http.post(cash_url(client.id), json={"type": "withdraw", "amount": 500}, headers=advisor.headers)
    assert withdraw.status_code == 201, withdraw.text

    got = await ledger(http, advisor, client.id)
    assert [(e["kind"], e["amount"], e["balance"]) for e in got["entries"]] == [
        ("OPENING", "50000.00", "50000.00"),
        ("DEPOSIT", "2500.50", "52500.50"),
        ("WITHDRAWAL", "-500.00", "52000.50"),
    ]
    assert got["entries"][1]["description"] == "cheque 1142"
    portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
    assert portfolio["summary"]["cash"] == got["balance"] == "52000.50"
    async with ctx.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert ["cash.deposit.requested", "cash.deposit.done", "cash.withdraw.requested", "cash.withdraw.done"] == [
        a for a in actions if a.startswith("cash.")
    ]


async def test_a_withdrawal_above_available_cash_is_refused_and_moves_nothing(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1, cash=D("1000"))
    response = await http.post(
        cash_url(client.id), json={"type": "withdraw", "amount": "1000.01"}, headers=advisor.headers
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_CASH"
    assert "1000.01" in error["message"] and "1000.00" in error["message"]
    assert (await ledger(http, advisor, client.id))["balance"] == "1000.00"
    async with ctx.sessions() as session:
        [row] = (await session.scalars(select(CashTransfer))).all()
    assert (row.status, row.kind, row.amount) == ("REFUSED", "withdraw", D("1000.01"))


async def test_two_withdrawals_at_once_never_overdraw(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    [client] = await make_clients(advisor, 1, cash=D("1000"))
    body = {"type": "withdraw", "amount": "600"}
    responses = await asyncio.gather(
        *(http.post(cash_url(client.id), json=body, headers=advisor.headers) for _ in range(2))
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert (await ledger(http, advisor, client.id))["balance"] == "400.00"


async def test_cash_bodies_are_strict_and_clients_stay_private(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, viewer: Actor, make_clients: MakeClients
) -> None:
    [client] = await make_clients(advisor, 1)
    for bad in (
        {"type": "withdraw", "amount": "-5"},
        {"type": "withdraw", "amount": "0"},
        {"type": "withdraw", "amount": "1.001"},
        {"type": "gift", "amount": "5"},
        {"type": "deposit", "amount": "5", "extra": 1},
    ):
        response = await http.post(cash_url(client.id), json=bad, headers=advisor.headers)
        assert response.status_code == 422, bad
    assert (await http.get(f"/api/v1/clients/{client.id}/ledger", headers=other_advisor.headers)).status_code == 404
    ok = {"type": "deposit", "amount": "5"}
    assert (await http.post(cash_url(client.id), json=ok, headers=viewer.headers)).status_code == 403


async def test_a_days_contract_note_lists_its_trades_with_charges_worked_out_by_hand(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1000.00")
    assert (await place_order(http, advisor.headers, client_id=client.id, quantity=100)).status_code < 300
    await wait_for_trades(http, advisor, 1)
    await sim.price(RELIANCE, "1010.00")
    sell = await place_order(http, advisor.headers, client_id=client.id, quantity=100, execution="SELL")
    assert sell.status_code < 300, sell.text
    await wait_for_trades(http, advisor, 2)
    today = datetime.now(ZoneInfo("Asia/Kolkata")).date().isoformat()

    response = await http.get(
        f"/api/v1/clients/{client.id}/contract-note", params={"date": today, "format": "csv"}, headers=advisor.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["CONTRACT NOTE CUM TAX INVOICE"]
    header = rows.index(["Order No.", "Trade No.", "Trade Time (IST)", "Security", "Exchange", "Buy(B)/Sell(S)",
                         "Product", "Quantity", "Trade Price", "Net Total"])  # fmt: skip
    trades = rows[header + 1 : header + 3]
    assert [(r[3], r[5], r[6], r[7], r[9]) for r in trades] == [
        ("RELIANCE", "B", "INTRADAY", "100", "-100000.00"),
        ("RELIANCE", "S", "INTRADAY", "100", "101000.00"),
    ]
    summary = dict(r for r in rows[header + 4 :] if len(r) == 2)
    # Buy 100 @ 1000 and sell 100 @ 1010, intraday on NSE: brokerage 20 + 20; exchange 2.97 + 3.00;
    # SEBI 0.10 + 0.10; STT 0 + 25.25; stamp 3.00 + 0; GST 4.15 + 4.16. Charges 82.73; net 1000 - 82.73.
    assert summary["Pay in / pay out obligation"] == "1000.00"
    assert summary["Brokerage"] == "-40.00"
    assert summary["Exchange transaction charges"] == "-5.97"
    assert summary["SEBI turnover fees"] == "-0.20"
    assert summary["Securities transaction tax"] == "-25.25"
    assert summary["Stamp duty"] == "-3.00"
    assert summary["GST (18% of brokerage, exchange and SEBI charges)"] == "-8.31"
    assert summary["Net amount receivable by client"] == "917.27"
    # The simulator debited exactly these charges: the ledger agrees with the note.
    got = await ledger(http, advisor, client.id)
    assert D(got["balance"]) == D("1000000") + D("917.27")

    pdf = await http.get(
        f"/api/v1/clients/{client.id}/contract-note", params={"date": today, "format": "pdf"}, headers=advisor.headers
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and len(pdf.content) > 1000
    assert "attachment" in pdf.headers["content-disposition"]


async def test_a_day_without_trades_has_an_empty_note_and_a_bad_date_is_refused(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    [client] = await make_clients(advisor, 1)
    url = f"/api/v1/clients/{client.id}/contract-note"
    empty = await http.get(url, params={"date": "2026-11-30"}, headers=advisor.headers)
    assert empty.status_code == 200
    assert "Net amount receivable by client,0.00" in empty.text
    assert (await http.get(url, params={"date": "30-11-2026"}, headers=advisor.headers)).status_code == 422
