"""Accounts under attack: old tokens after a role change or deactivation, lockout by email + IP with back-off and an
admin unlock, and a deactivated account that answers like a wrong password."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.enums import Role
from app.errors import RateLimited
from app.models import AuditEvent
from app.realtime.server import MultiDeskApp
from app.security.ratelimit import RateLimits, _MemoryStorage
from tests.conftest import TEST_PASSWORD, Actor, MakeUser

LOGIN = "/api/v1/auth/login"


@pytest.fixture
async def from_b(app: MultiDeskApp) -> AsyncIterator[httpx.AsyncClient]:
    """A second caller, at another address than the `http` fixture's 127.0.0.1."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def sign_in(http: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> httpx.Response:
    return await http.post(LOGIN, json={"email": email, "password": password})


async def test_deactivate_then_reactivate_leaves_the_old_tokens_dead(
    http: httpx.AsyncClient, admin: Actor, make_user: MakeUser
) -> None:
    target = await make_user(Role.ADVISOR, "returning@example.com")
    old = (await sign_in(http, "returning@example.com")).json()
    assert (await http.post(f"/api/v1/users/{target.id}/deactivate", headers=admin.headers)).status_code == 200
    back = await http.patch(f"/api/v1/users/{target.id}", json={"is_active": True}, headers=admin.headers)
    assert back.status_code == 200 and back.json()["is_active"] is True

    me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old['access_token']}"})
    assert me.status_code == 401 and me.json()["error"]["code"] == "INVALID_TOKEN"
    refreshed = await http.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]})
    assert refreshed.status_code == 401 and refreshed.json()["error"]["code"] == "INVALID_TOKEN"
    # Signing in again works, and the new tokens do.
    new = (await sign_in(http, "returning@example.com")).json()
    assert (await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"})).is_success


async def test_a_role_change_ends_the_users_tokens(http: httpx.AsyncClient, admin: Actor, make_user: MakeUser) -> None:
    target = await make_user(Role.ADMIN, "second-admin@example.com")
    old = (await sign_in(http, "second-admin@example.com")).json()
    renamed = await http.patch(f"/api/v1/users/{target.id}", json={"full_name": "Renamed"}, headers=admin.headers)
    assert renamed.status_code == 200
    # A new name changes nothing about what the user may do: their tokens keep working.
    assert (await http.get("/api/v1/users", headers={"Authorization": f"Bearer {old['access_token']}"})).is_success

    demoted = await http.patch(f"/api/v1/users/{target.id}", json={"role": "viewer"}, headers=admin.headers)
    assert demoted.status_code == 200 and demoted.json()["role"] == "viewer"
    stale = await http.get("/api/v1/users", headers={"Authorization": f"Bearer {old['access_token']}"})
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "INVALID_TOKEN"
    refreshed = await http.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]})
    assert refreshed.status_code == 401


async def test_a_deactivated_account_answers_like_a_wrong_password(
    http: httpx.AsyncClient, admin: Actor, make_user: MakeUser
) -> None:
    target = await make_user(Role.ADVISOR, "gone@example.com")
    assert (await http.post(f"/api/v1/users/{target.id}/deactivate", headers=admin.headers)).status_code == 200
    right = await sign_in(http, "gone@example.com", TEST_PASSWORD)
    wrong = await sign_in(http, "gone@example.com", "not-the-password")
    unknown = await sign_in(http, "nobody@example.com", "whatever")
    assert right.status_code == wrong.status_code == unknown.status_code == 401
    assert right.json() == wrong.json() == unknown.json()
    assert right.json()["error"]["code"] == "INVALID_CREDENTIALS"


async def test_wrong_passwords_from_one_address_do_not_lock_out_another(
    http: httpx.AsyncClient, from_b: httpx.AsyncClient, admin: Actor
) -> None:
    for _ in range(5):
        assert (await sign_in(http, "admin@example.com", "guess")).status_code == 401
    locked = await sign_in(http, "admin@example.com", TEST_PASSWORD)
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "LOGIN_LOCKED"
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    # The admin, elsewhere, still signs in.
    assert (await sign_in(from_b, "admin@example.com")).status_code == 200
    assert (await sign_in(http, "admin@example.com")).status_code == 429


async def test_a_burst_of_concurrent_guesses_locks_only_the_guessing_address(
    http: httpx.AsyncClient, from_b: httpx.AsyncClient, admin: Actor
) -> None:
    answers = await asyncio.gather(*(sign_in(http, "admin@example.com", f"guess-{i}") for i in range(12)))
    assert {a.status_code for a in answers} <= {401, 429}
    assert sum(a.status_code == 401 for a in answers) >= 5
    locked = await sign_in(http, "admin@example.com")
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "LOGIN_LOCKED"
    assert (await sign_in(from_b, "admin@example.com")).status_code == 200


async def test_an_admin_unlocks_a_locked_account_and_it_is_audited(
    http: httpx.AsyncClient, from_b: httpx.AsyncClient, admin: Actor, make_user: MakeUser, db: AsyncSession
) -> None:
    target = await make_user(Role.ADVISOR, "forgetful@example.com")
    for _ in range(5):
        await sign_in(http, "forgetful@example.com", "guess")
    assert (await sign_in(http, "forgetful@example.com")).status_code == 429

    refused = await from_b.post(f"/api/v1/users/{target.id}/unlock", headers=target.headers)
    assert refused.status_code == 403
    missing = await http.post("/api/v1/users/999999/unlock", headers=admin.headers)
    assert missing.status_code == 404
    unlocked = await http.post(f"/api/v1/users/{target.id}/unlock", headers=admin.headers)
    assert unlocked.status_code == 200 and unlocked.json()["id"] == target.id
    assert (await sign_in(http, "forgetful@example.com")).status_code == 200

    [event] = (await db.scalars(select(AuditEvent).where(AuditEvent.action == "user.unlock"))).all()
    assert (event.actor_id, event.entity_id) == (admin.id, str(target.id))
    assert event.payload == {"email": "forgetful@example.com"}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """time.time() under the test's control (the in-memory limits store reads it)."""
    now = [1_800_000_000.0]
    monkeypatch.setattr("time.time", lambda: now[0])
    return now


async def test_each_lockout_of_the_same_email_and_address_lasts_twice_as_long(clock: list[float]) -> None:
    limits = RateLimits(
        Settings(login_lockout_failures=2, login_lockout_minutes=1, rate_limit_login_email="1000/minute"),
        storage=_MemoryStorage(),
    )

    async def lock_out() -> int:
        for _ in range(2):
            await limits.check_login("198.51.100.1", "a@example.com")
            await limits.login_failed("198.51.100.1", "a@example.com")
        with pytest.raises(RateLimited) as refused:
            await limits.check_login("198.51.100.1", "a@example.com")
        assert refused.value.code == "LOGIN_LOCKED"
        return refused.value.details["retry_after"]

    waits = []
    for _ in range(4):
        waits.append(await lock_out())
        # Elsewhere the same email is not locked.
        await limits.check_login("198.51.100.2", "a@example.com")
        clock[0] += waits[-1] + 1
    assert waits == [60, 120, 240, 480]
    # A successful sign-in from that address starts the back-off over.
    await limits.login_succeeded("198.51.100.1", "a@example.com")
    assert await lock_out() == 60
