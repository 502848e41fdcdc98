"""Motilal sessions through the app: a session expired mid-day costs one login and no FAILED row; refusals (an IP
not whitelisted, an unverified login) reach the batch row and Test connection in plain words."""

import httpx

from tests.conftest import Actor, MakeClients, Simulator
from tests.motilal.conftest import PLAIN_USER, TOTP_USER, MotilalApp
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch


async def run(http: httpx.AsyncClient, actor: Actor, body: dict) -> dict:
    return await wait_batch(http, actor, (await execute_all(http, actor, body)).json()["batch_id"])


def limit_buy(clients: list, quantity: int = 2) -> dict:
    return {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "LIMIT",
        "price": "1405.00",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [quantity] * len(clients)),
    }


async def test_a_session_expired_mid_day_costs_one_login_and_no_failed_row(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    [simulated] = await make_clients(advisor, 1)
    mo = [await motilal.client(advisor, TOTP_USER), await motilal.client(advisor, PLAIN_USER)]
    await sim.price(RELIANCE, "1400.00")
    fake.set_ltp(RELIANCE, "1400.00")
    morning = await wait_batch(
        http, advisor, (await execute_all(http, advisor, limit_buy([simulated, *mo]))).json()["batch_id"]
    )
    assert [row["status"] for row in morning["rows"]] == ["FILLED"] * 3
    assert (fake.logins[TOTP_USER], fake.logins[PLAIN_USER]) == (1, 1)

    expired_at = len(fake.requests)
    fake.expire_sessions(TOTP_USER)  # Motilal ends the day's tokens (MO8002 from now on)
    fake.expire_sessions(PLAIN_USER)
    noon = await wait_batch(
        http, advisor, (await execute_all(http, advisor, limit_buy([simulated, *mo]))).json()["batch_id"]
    )
    assert [(row["status"], row["reason"]) for row in noon["rows"]] == [("FILLED", None)] * 3, noon["rows"]
    assert noon["status"] == "COMPLETED"
    assert (fake.logins[TOTP_USER], fake.logins[PLAIN_USER]) == (2, 2), "one fresh login each"
    for userid in (TOTP_USER, PLAIN_USER):
        after = fake.requests[expired_at:]
        stale = [r for r in after if fake.expired.get(r.headers.get("authorization", "")) == userid]
        assert stale, "the first call after the expiry was refused (MO8002), whichever it was"
        sent = [r for r in fake.requests_to("placeorder") if r.headers["vendorinfo"] == userid]
        # The morning's, then the noon one: sent once with the new token, or refused with the stale one and
        # repeated once (when the placement, not a read, was the first call after the expiry).
        assert len(sent) in (2, 3)
        assert [o.status for o in fake.orders(userid)] == ["Traded", "Traded"], "each order taken once"


async def test_an_ip_not_whitelisted_says_so_on_the_row_and_in_test_connection(
    http: httpx.AsyncClient, advisor: Actor, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    fake.users[PLAIN_USER].allowed_ips = frozenset({"203.0.113.7"})
    client = await motilal.client(advisor, PLAIN_USER)
    fake.set_ltp(RELIANCE, "1400.00")
    tested = (await http.post(f"/api/v1/clients/{client.id}/test-connection", headers=advisor.headers)).json()
    assert tested["ok"] is False
    assert tested["message"].startswith("motilal refused: IP_NOT_WHITELISTED: Motilal refused this server's IP")
    batch = await run(http, advisor, limit_buy([client]))
    [row] = batch["rows"]
    assert row["status"] == "REJECTED" and row["reason"].startswith("IP_NOT_WHITELISTED: "), row
    assert fake.orders(PLAIN_USER) == [] and fake.login_attempts[PLAIN_USER] == 1


async def test_an_unverified_login_asks_for_the_totp_secret(
    http: httpx.AsyncClient, advisor: Actor, motilal: MotilalApp
) -> None:
    client = await motilal.client(advisor, TOTP_USER, totp_secret="")
    tested = (await http.post(f"/api/v1/clients/{client.id}/test-connection", headers=advisor.headers)).json()
    assert tested["ok"] is False
    assert tested["message"].startswith("motilal refused the login: Motilal opened the session unverified")
    assert "Store the client's TOTP secret" in tested["message"]
