"""A user whose role, activity or sessions change loses their sockets at once, without sending anything; renew
recomputes what a socket hears."""

import asyncio

import httpx
from sqlalchemy import update

from app.context import AppContext
from app.enums import Role
from app.models import User
from tests.conftest import TEST_PASSWORD, Actor, MakeClients, MakeUser, Simulator
from tests.realtime.conftest import Connect, Recorder, wait_until
from tests.realtime.test_rooms import RELIANCE, place
from tests.realtime.test_socket_auth import token_of


async def ended(socket: Recorder, code: str) -> None:
    """The socket is told why and disconnected, without having sent a command."""
    await wait_until(lambda: not socket.client.connected)
    assert [data["code"] for data in socket.received("session_expired")] == [code]


async def test_a_demoted_admin_stops_hearing_other_advisors_clients_at_once(
    connect: Connect,
    http: httpx.AsyncClient,
    admin: Actor,
    make_user: MakeUser,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
) -> None:
    demoted = await make_user(Role.ADMIN, "demoted@example.com")
    [theirs] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    socket = await connect(token_of(demoted))
    first = await place(http, advisor, theirs.id)
    await socket.wait_for("order_update", id=first, status="FILLED")

    response = await http.patch(f"/api/v1/users/{demoted.id}", json={"role": "advisor"}, headers=admin.headers)
    assert response.status_code == 200
    await ended(socket, "INVALID_TOKEN")
    second = await place(http, advisor, theirs.id)
    witness = await connect(token_of(admin))
    third = await place(http, advisor, theirs.id)
    await witness.wait_for("order_update", id=third, status="FILLED")
    assert socket.received("order_update", id=second) == socket.received("order_update", id=third) == []
    # The old token connects no more.
    await connect(token_of(demoted), expect_refusal=True)


async def test_a_deactivated_viewers_socket_is_ended_at_once(
    connect: Connect, http: httpx.AsyncClient, admin: Actor, viewer: Actor
) -> None:
    socket = await connect(token_of(viewer))
    other_tab = await connect(token_of(viewer))
    response = await http.post(f"/api/v1/users/{viewer.id}/deactivate", headers=admin.headers)
    assert response.status_code == 200
    await ended(socket, "ACCOUNT_INACTIVE")
    await ended(other_tab, "ACCOUNT_INACTIVE")


async def test_a_logout_ends_the_users_sockets_at_once(
    connect: Connect, http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor
) -> None:
    tokens = (
        await http.post("/api/v1/auth/login", json={"email": advisor.user.email, "password": TEST_PASSWORD})
    ).json()
    socket = await connect(tokens["access_token"])
    bystander = await connect(token_of(other_advisor))
    assert (await http.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})).status_code == 204
    await ended(socket, "INVALID_TOKEN")
    await asyncio.sleep(0.2)
    assert bystander.client.connected and bystander.received("session_expired") == []


async def test_renew_recomputes_the_rooms_from_the_users_role_now(
    connect: Connect,
    http: httpx.AsyncClient,
    ctx: AppContext,
    admin: Actor,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
) -> None:
    [theirs] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    socket = await connect(token_of(admin))
    assert (await socket.call("watch_clients", {"client_ids": [theirs.id]}))["ok"] is True
    # Changed under the application (by an operator in the database): no token_version bump, so only renew sees it.
    async with ctx.sessions() as session:
        await session.execute(update(User).where(User.id == admin.id).values(role=Role.ADVISOR))
        await session.commit()
    assert (await socket.call("renew", {"token": ctx.tokens.issue(admin.id, "access")}))["ok"] is True

    order = await place(http, advisor, theirs.id)
    witness = await connect(token_of(advisor))
    later = await place(http, advisor, theirs.id)
    await witness.wait_for("order_update", id=later, status="FILLED")
    assert socket.received("order_update", id=order) == socket.received("order_update", id=later) == []
    assert socket.client.connected
