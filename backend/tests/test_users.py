"""User administration and role enforcement."""

import httpx
import pytest

from app.enums import Role
from tests.conftest import TEST_PASSWORD, Actor, MakeUser


async def test_admin_creates_lists_and_the_new_user_can_log_in(http: httpx.AsyncClient, admin: Actor) -> None:
    created = await http.post(
        "/api/v1/users",
        headers=admin.headers,
        json={
            "email": "New.Advisor@Example.com",
            "full_name": "New Advisor",
            "role": "advisor",
            "password": "s3cret-pass",
        },
    )
    assert created.status_code == 201
    assert created.json()["email"] == "new.advisor@example.com"
    assert "password" not in created.text
    listing = await http.get("/api/v1/users", headers=admin.headers)
    assert listing.json()["total"] == 2
    assert [u["email"] for u in listing.json()["items"]] == ["admin@example.com", "new.advisor@example.com"]
    login = await http.post("/api/v1/auth/login", json={"email": "new.advisor@example.com", "password": "s3cret-pass"})
    assert login.status_code == 200


async def test_duplicate_email_is_409(http: httpx.AsyncClient, admin: Actor, advisor: Actor) -> None:
    response = await http.post(
        "/api/v1/users",
        headers=admin.headers,
        json={"email": "advisor@example.com", "full_name": "Dup", "role": "viewer", "password": TEST_PASSWORD},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "EMAIL_TAKEN"


@pytest.fixture(params=[Role.ADVISOR, Role.VIEWER])
async def non_admin(request: pytest.FixtureRequest, make_user: MakeUser) -> Actor:
    return await make_user(request.param)


async def test_only_admins_manage_users(http: httpx.AsyncClient, non_admin: Actor) -> None:
    assert (await http.get("/api/v1/users", headers=non_admin.headers)).status_code == 403
    response = await http.post(
        "/api/v1/users",
        headers=non_admin.headers,
        json={"email": "x@example.com", "full_name": "X", "role": "admin", "password": "long-enough"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


async def test_admin_cannot_lock_themselves_out(http: httpx.AsyncClient, admin: Actor) -> None:
    response = await http.post(f"/api/v1/users/{admin.id}/deactivate", headers=admin.headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "SELF_LOCKOUT"
    assert (await http.get("/api/v1/auth/me", headers=admin.headers)).status_code == 200


@pytest.mark.parametrize("field", ["full_name", "role", "is_active"])
async def test_a_user_field_set_to_null_is_refused_not_a_500(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, field: str
) -> None:
    response = await http.patch(f"/api/v1/users/{advisor.id}", json={field: None}, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    unknown = await http.patch(f"/api/v1/users/{advisor.id}", json={"rol": "admin"}, headers=admin.headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "UNKNOWN_FIELD"
    me = await http.get("/api/v1/auth/me", headers=advisor.headers)
    assert me.status_code == 200 and me.json()["role"] == "advisor"
