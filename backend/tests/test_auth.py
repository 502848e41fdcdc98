"""Sign-in, refresh, me, and what a deactivated account can still do (nothing)."""

import httpx

from app.enums import Role
from tests.conftest import TEST_PASSWORD, Actor, MakeUser


async def login(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_login_returns_tokens_that_identify_the_user(http: httpx.AsyncClient, advisor: Actor) -> None:
    response = await login(http, "ADVISOR@example.com", TEST_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "advisor@example.com"
    assert me.json()["role"] == "advisor"
    assert "password_hash" not in me.json()


async def test_wrong_password_and_unknown_email_get_the_same_answer(http: httpx.AsyncClient, advisor: Actor) -> None:
    wrong = await login(http, "advisor@example.com", "not-the-password")
    unknown = await login(http, "nobody@example.com", "whatever")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"


async def test_refresh_gives_a_new_access_token_and_refuses_an_access_token(
    http: httpx.AsyncClient, advisor: Actor
) -> None:
    tokens = (await login(http, "advisor@example.com", TEST_PASSWORD)).json()
    refreshed = await http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"})
    assert me.json()["email"] == "advisor@example.com"
    wrong_kind = await http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert wrong_kind.status_code == 401
    as_access = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert as_access.status_code == 401


async def test_me_without_or_with_a_forged_token_is_401(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v1/auth/me")).json()["error"]["code"] == "NOT_AUTHENTICATED"
    forged = await http.get("/api/v1/auth/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "INVALID_TOKEN"


async def test_deactivated_user_cannot_log_in_and_their_tokens_stop_working(
    http: httpx.AsyncClient, admin: Actor, make_user: MakeUser
) -> None:
    target = await make_user(Role.ADVISOR, "leaving@example.com")
    tokens = (await login(http, "leaving@example.com", TEST_PASSWORD)).json()
    response = await http.post(f"/api/v1/users/{target.id}/deactivate", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is False

    me = await http.get("/api/v1/auth/me", headers=target.headers)
    assert me.status_code == 401
    assert me.json()["error"]["code"] == "ACCOUNT_INACTIVE"
    refreshed = await http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    # Answered like a wrong password, so the answer does not confirm the password (tests/test_account_security.py).
    again = await login(http, "leaving@example.com", TEST_PASSWORD)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "INVALID_CREDENTIALS"
