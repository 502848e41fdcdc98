"""Socket.IO authentication: only a live access token of an active user connects, and a session ends with its token."""

from datetime import timedelta

import httpx
from sqlalchemy import update

from app.context import AppContext
from app.enums import Role
from app.models import User
from app.security.tokens import TokenIssuer
from tests.conftest import TEST_PASSWORD, Actor, MakeUser
from tests.realtime.conftest import Connect, wait_until


def token_of(actor: Actor) -> str:
    return actor.headers["Authorization"].removeprefix("Bearer ")


def issuer(ctx: AppContext, access_ttl: timedelta) -> TokenIssuer:
    return TokenIssuer(ctx.tokens.secret, access_ttl=access_ttl, refresh_ttl=timedelta(days=1))


async def deactivate(ctx: AppContext, actor: Actor) -> None:
    async with ctx.sessions() as session:
        await session.execute(update(User).where(User.id == actor.id).values(is_active=False))
        await session.commit()


async def test_an_active_users_access_token_connects(connect: Connect, advisor: Actor) -> None:
    socket = await connect(token_of(advisor))
    assert socket.client.connected and socket.connect_errors == []


async def test_connect_without_a_token_is_refused(connect: Connect) -> None:
    socket = await connect(None, expect_refusal=True)
    [error] = socket.connect_errors
    assert error["data"]["code"] == "MISSING_TOKEN"
    assert "access token" in error["message"]


async def test_connect_with_a_garbage_token_is_refused(connect: Connect) -> None:
    socket = await connect("not-a-jwt", expect_refusal=True)
    [error] = socket.connect_errors
    assert error == {"message": "The access token is invalid or has expired.", "data": {"code": "INVALID_TOKEN"}}


async def test_connect_with_an_expired_or_refresh_token_is_refused(
    connect: Connect, ctx: AppContext, advisor: Actor
) -> None:
    expired = issuer(ctx, timedelta(seconds=-5)).issue(advisor.id, "access")
    refresh = ctx.tokens.issue(advisor.id, "refresh")
    forged = TokenIssuer("another-secret-" + "z" * 40, timedelta(minutes=5), timedelta(days=1)).issue(
        advisor.id, "access"
    )
    for token in (expired, refresh, forged):
        socket = await connect(token, expect_refusal=True)
        assert [e["data"]["code"] for e in socket.connect_errors] == ["INVALID_TOKEN"]


async def test_connect_of_a_deactivated_user_is_refused(connect: Connect, ctx: AppContext, make_user: MakeUser) -> None:
    gone = await make_user(Role.ADVISOR)
    await deactivate(ctx, gone)
    socket = await connect(token_of(gone), expect_refusal=True)
    [error] = socket.connect_errors
    assert error["data"]["code"] == "ACCOUNT_INACTIVE"


async def test_a_session_ends_when_its_token_expires_unless_renewed(
    connect: Connect, ctx: AppContext, advisor: Actor
) -> None:
    short = issuer(ctx, timedelta(seconds=2))
    lapsing = await connect(short.issue(advisor.id, "access"))
    renewed = await connect(short.issue(advisor.id, "access"))
    ack = await renewed.call("renew", {"token": token_of(advisor)})
    assert ack["ok"] is True
    wrong_user = await renewed.call("renew", {"token": ctx.tokens.issue(advisor.id + 1000, "access")})
    assert wrong_user["ok"] is False and wrong_user["error"]["code"] == "INVALID_TOKEN"

    await wait_until(lambda: not lapsing.client.connected, within=4)
    assert [data["code"] for data in lapsing.received("session_expired")] == ["SESSION_EXPIRED"]
    assert renewed.client.connected
    assert (await renewed.call("subscribe", {"token_ids": [2885]}))["ok"] is True


async def test_a_deactivated_user_is_cut_off_at_their_next_command(
    connect: Connect, ctx: AppContext, make_user: MakeUser
) -> None:
    user = await make_user(Role.ADVISOR)
    socket = await connect(token_of(user))
    await deactivate(ctx, user)
    ack = await socket.call("subscribe", {"token_ids": [2885]})
    assert ack["ok"] is False and ack["error"]["code"] == "ACCOUNT_INACTIVE"
    await wait_until(lambda: not socket.client.connected)
    assert [data["code"] for data in socket.received("session_expired")] == ["ACCOUNT_INACTIVE"]


async def login(http: httpx.AsyncClient, actor: Actor) -> dict[str, str]:
    response = await http.post("/api/v1/auth/login", json={"email": actor.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_logout_ends_every_socket_of_the_user_at_once_and_their_token_stays_refused(
    connect: Connect, http: httpx.AsyncClient, advisor: Actor
) -> None:
    before = await login(http, advisor)
    stale = await connect(before["access_token"])
    other_desk = await connect(before["access_token"])
    logout = await http.post("/api/v1/auth/logout", json={"refresh_token": before["refresh_token"]})
    assert logout.status_code == 204

    # Both are told and disconnected without sending anything (tests/realtime/test_session_end.py for the rest).
    signed_out = {"code": "INVALID_TOKEN", "message": "This session has ended (signed out); sign in again."}
    await wait_until(lambda: not stale.client.connected and not other_desk.client.connected)
    assert stale.received("session_expired") == other_desk.received("session_expired") == [signed_out]
    # Connect refuses that token with the same code.
    refused = await connect(before["access_token"], expect_refusal=True)
    assert refused.connect_errors == [{"message": signed_out["message"], "data": {"code": "INVALID_TOKEN"}}]

    # A socket of a new sign-in renews as before.
    after = await login(http, advisor)
    fresh = await connect(after["access_token"])
    assert (await fresh.call("renew", {"token": after["access_token"]}))["ok"] is True
    assert (await fresh.call("subscribe", {"token_ids": [2885]}))["ok"] is True
    assert fresh.client.connected and fresh.received("session_expired") == []


async def test_renew_with_a_token_from_before_a_sign_out_is_refused_and_ends_the_socket(
    connect: Connect, ctx: AppContext, advisor: Actor
) -> None:
    socket = await connect(token_of(advisor))
    # Signed out elsewhere in a way this process did not hear of (another process while Redis was down).
    async with ctx.sessions() as session:
        await session.execute(update(User).where(User.id == advisor.id).values(token_version=1))
        await session.commit()

    ack = await socket.call("renew", {"token": token_of(advisor)})
    signed_out = {"code": "INVALID_TOKEN", "message": "This session has ended (signed out); sign in again."}
    assert ack == {"ok": False, "error": {**signed_out, "details": {}}}
    await wait_until(lambda: not socket.client.connected)
    assert socket.received("session_expired") == [signed_out]


async def test_a_socket_whose_user_signed_out_unheard_is_ended_by_its_next_command(
    connect: Connect, ctx: AppContext, advisor: Actor
) -> None:
    socket = await connect(token_of(advisor))
    assert (await socket.call("subscribe", {"token_ids": [2885]}))["ok"] is True
    async with ctx.sessions() as session:
        await session.execute(update(User).where(User.id == advisor.id).values(token_version=1))
        await session.commit()

    ack = await socket.call("subscribe", {"token_ids": [1594]})
    assert ack["ok"] is False and ack["error"]["code"] == "INVALID_TOKEN"
    await wait_until(lambda: not socket.client.connected)
    assert [data["code"] for data in socket.received("session_expired")] == ["INVALID_TOKEN"]


async def test_renew_for_a_deactivated_user_is_refused_and_ends_the_socket(
    connect: Connect, ctx: AppContext, make_user: MakeUser
) -> None:
    user = await make_user(Role.ADVISOR)
    socket = await connect(token_of(user))
    await deactivate(ctx, user)
    ack = await socket.call("renew", {"token": ctx.tokens.issue(user.id, "access")})
    assert ack["ok"] is False and ack["error"]["code"] == "ACCOUNT_INACTIVE"
    await wait_until(lambda: not socket.client.connected)
    assert [data["code"] for data in socket.received("session_expired")] == ["ACCOUNT_INACTIVE"]
