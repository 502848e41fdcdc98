"""The kill switch reaches every desk at once: `risk_status` goes to every signed-in socket after a halt or resume,
with nothing in it that a desk may not see (the firm-wide state only)."""

import asyncio

import httpx

from tests.conftest import Actor
from tests.realtime.conftest import Connect
from tests.realtime.test_socket_auth import token_of


async def test_every_signed_in_socket_hears_a_halt_and_its_resume(
    connect: Connect, http: httpx.AsyncClient, admin: Actor, advisor: Actor, other_advisor: Actor, viewer: Actor
) -> None:
    desk = await connect(token_of(advisor))
    watcher = await connect(token_of(viewer))
    outsider = await connect(None, expect_refusal=True)

    # A halt on another advisor's book reaches every desk as a signal to refetch GET /risk/status, which shows each
    # user what they may see; the event itself carries no advisor's halt or reason.
    body = {"scope": "advisor", "advisor_id": other_advisor.id, "reason": "drill of advisor two"}
    halted = await http.post("/api/v1/risk/halt", json=body, headers=admin.headers)
    assert halted.status_code == 200, halted.text
    [event] = await desk.wait_for("risk_status")
    assert event == {"firm_halted": False}
    assert await watcher.wait_for("risk_status") == [event]

    # Halting again changes nothing, so nothing is announced; the resume is.
    assert (await http.post("/api/v1/risk/halt", json=body, headers=admin.headers)).status_code == 200
    resume = {"scope": "advisor", "advisor_id": other_advisor.id}
    assert (await http.post("/api/v1/risk/resume", json=resume, headers=admin.headers)).status_code == 200
    events = await desk.wait_for("risk_status", count=2)
    await asyncio.sleep(0.2)
    assert desk.received("risk_status") == events == [event, {"firm_halted": False}]

    firm = await http.post("/api/v1/risk/halt", json={"scope": "firm", "reason": "fire"}, headers=admin.headers)
    assert firm.status_code == 200, firm.text
    [*_, last] = await watcher.wait_for("risk_status", count=3)
    assert last == {"firm_halted": True}
    assert "drill of advisor two" not in str(desk.events + watcher.events)

    # A socket without a token is refused at connect, so it never joins the room and hears none of it.
    assert not outsider.client.connected and outsider.events == []
