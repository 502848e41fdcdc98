"""Broker faults through the app on the fake Motilal (issue 8; the other fault tests: tests/test_faults.py).

A 5xx to a placement is no verdict: the row is FAILED, never REJECTED and never sent again by us. Reconciliation
decides it from the broker's order book only: while the book cannot be read the row stays FAILED (an unanswered
question is not "not at the broker"); once it can, an order the broker does not have is CANCELLED NOT_AT_BROKER.
"""

from datetime import timedelta

import httpx

from app.services.reconcile import NOT_AT_BROKER, reconcile
from tests.conftest import Actor, place_order
from tests.motilal.conftest import PLAIN_USER, MotilalApp
from tests.test_execute_all import RELIANCE

NOW = timedelta(0)


async def test_a_5xx_to_a_placement_stays_failed_until_the_book_answers_then_is_cancelled_as_never_placed(
    http: httpx.AsyncClient, advisor: Actor, motilal: MotilalApp
) -> None:
    fake = motilal.fake
    client = await motilal.client(advisor, PLAIN_USER)
    fake.set_ltp(RELIANCE, "1400.00")
    fake.fail_next("http", path="placeorder", status=502)
    placed = await place_order(
        http, advisor.headers, client_id=client.id, token_id=RELIANCE, order_type="LIMIT", price="1400.00", quantity=5
    )
    assert placed.status_code == 201
    order = placed.json()
    assert order["status"] == "FAILED" and order["reason"].startswith("NO_ANSWER"), order
    assert order["broker_order_id"] is None
    assert fake.orders(PLAIN_USER) == []

    async def status() -> tuple[str, str | None]:
        current = (await http.get(f"/api/v1/orders/{order['id']}", headers=advisor.headers)).json()
        return current["status"], current["reason"]

    fake.fail_next("http", path="getorderbook", status=503)
    unread = await reconcile(motilal.ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (unread.updated, unread.not_at_broker, unread.unreachable_clients) == (0, 0, [client.id])
    assert (await status())[0] == "FAILED"

    read = await reconcile(motilal.ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (read.updated, read.not_at_broker, read.unreachable_clients) == (0, 1, [])
    assert await status() == ("CANCELLED", NOT_AT_BROKER)
    assert len(fake.requests_to("placeorder")) == 1, "never sent again"
    assert fake.orders(PLAIN_USER) == []
