"""Browser hardening: the refresh cookie, no-store API answers, a CSP with script hashes, clean display names."""

import base64
import hashlib
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.api.edge import HttpEdge
from app.enums import Role
from app.spa import mount_spa
from tests.conftest import TEST_PASSWORD, Actor, MakeUser

COOKIE = "multidesk_refresh"
BROWSER = {"X-Requested-With": "multidesk"}


def refresh_cookie(response: httpx.Response) -> tuple[str, dict[str, str | bool]]:
    """The refresh cookie set by `response`: its value and its attributes (lower-case names)."""
    headers = [value for name, value in response.headers.multi_items() if name == "set-cookie"]
    matching = [header for header in headers if header.startswith(f"{COOKIE}=")]
    assert len(matching) == 1, headers
    morsel = SimpleCookie(matching[0])[COOKIE]
    flags = {part.strip().lower() for part in matching[0].split(";")[1:]}
    attributes: dict[str, str | bool] = {
        "path": morsel["path"],
        "samesite": morsel["samesite"],
        "max-age": morsel["max-age"],
        "httponly": "httponly" in flags,
        "secure": "secure" in flags,
    }
    return morsel.value, attributes


async def browser_login(http: httpx.AsyncClient, email: str) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD}, headers=BROWSER)


def with_cookie(value: str) -> dict[str, str]:
    return {**BROWSER, "Cookie": f"{COOKIE}={value}"}


# --- the refresh cookie


async def test_login_sets_an_httponly_secure_strict_cookie_scoped_to_auth(
    http: httpx.AsyncClient, advisor: Actor, ctx
) -> None:
    response = await browser_login(http, advisor.user.email)
    assert response.status_code == 200
    value, attributes = refresh_cookie(response)
    assert attributes == {
        "path": "/api/v1/auth",
        "samesite": "strict",
        "max-age": str(ctx.settings.refresh_token_days * 86400),
        "httponly": True,
        "secure": True,
    }
    # The web app's answer carries no refresh token a script could read; the cookie is the only copy.
    assert response.json()["refresh_token"] is None
    assert ctx.tokens.claims(value, "refresh").user_id == advisor.id


async def test_an_api_client_still_gets_the_refresh_token_in_the_body(http: httpx.AsyncClient, advisor: Actor) -> None:
    response = await http.post("/api/v1/auth/login", json={"email": advisor.user.email, "password": TEST_PASSWORD})
    body = response.json()
    assert body["refresh_token"]
    refreshed = await http.post("/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"]


async def test_refresh_through_the_cookie_rotates_it(http: httpx.AsyncClient, advisor: Actor) -> None:
    first, _ = refresh_cookie(await browser_login(http, advisor.user.email))
    refreshed = await http.post("/api/v1/auth/refresh", headers=with_cookie(first))
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] is None
    second, attributes = refresh_cookie(refreshed)
    assert second != first
    assert attributes["httponly"] and attributes["secure"] and attributes["path"] == "/api/v1/auth"
    me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"})
    assert me.json()["email"] == advisor.user.email
    # The spent cookie works once only; its successor works.
    reused = await http.post("/api/v1/auth/refresh", headers=with_cookie(first))
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "INVALID_TOKEN"
    assert (await http.post("/api/v1/auth/refresh", headers=with_cookie(second))).status_code == 200


async def test_refresh_through_the_cookie_needs_the_csrf_header(http: httpx.AsyncClient, advisor: Actor) -> None:
    value, _ = refresh_cookie(await browser_login(http, advisor.user.email))
    # A cross-site form or a plain navigation cannot add a custom header.
    forged = await http.post("/api/v1/auth/refresh", headers={"Cookie": f"{COOKIE}={value}"})
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "CSRF_HEADER_MISSING"
    forged_logout = await http.post("/api/v1/auth/logout", headers={"Cookie": f"{COOKIE}={value}"})
    assert forged_logout.status_code == 403
    # The refused attempts did not spend the cookie.
    assert (await http.post("/api/v1/auth/refresh", headers=with_cookie(value))).status_code == 200


async def test_refresh_without_cookie_or_body_is_401(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/auth/refresh", headers=BROWSER)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"


async def test_logout_through_the_cookie_clears_it_and_ends_the_session(
    http: httpx.AsyncClient, advisor: Actor
) -> None:
    login = await browser_login(http, advisor.user.email)
    value, _ = refresh_cookie(login)
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    out = await http.post("/api/v1/auth/logout", headers=with_cookie(value))
    assert out.status_code == 204
    cleared, attributes = refresh_cookie(out)
    assert cleared == ""
    assert attributes["max-age"] == "0" and attributes["path"] == "/api/v1/auth"
    assert (await http.get("/api/v1/auth/me", headers=bearer)).status_code == 401
    assert (await http.post("/api/v1/auth/refresh", headers=with_cookie(value))).status_code == 401


async def test_the_cookie_can_be_made_non_secure_for_plain_http_development(
    http: httpx.AsyncClient, advisor: Actor, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.settings, "refresh_cookie_secure", False)
    _, attributes = refresh_cookie(await browser_login(http, advisor.user.email))
    assert attributes["secure"] is False and attributes["httponly"] is True


# --- Cache-Control


async def test_api_and_auth_answers_are_not_stored(http: httpx.AsyncClient, advisor: Actor) -> None:
    answers = [
        await browser_login(http, advisor.user.email),
        await http.post("/api/v1/auth/login", json={"email": advisor.user.email, "password": "wrong-password"}),
        await http.get("/api/v1/auth/me", headers=advisor.headers),
        await http.get("/api/v1/clients", headers=advisor.headers),
        await http.get("/api/v1/nowhere"),
    ]
    for response in answers:
        assert response.headers["cache-control"] == "no-store", response.request.url


# --- Content-Security-Policy


def script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def spa_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "_next" / "static").mkdir(parents=True)
    (out / "exit").mkdir()
    page = (
        '<html><head><script src="/_next/static/app.js" async=""></script>'
        "<script>self.__next_f=self.__next_f||[];</script></head><body>"
        '<script>self.__next_f.push([1,"a\\u003cb"])</script>\n'
        '<script id="x">\n  self.__next_f.push([2, "é"])\n</script></body></html>'
    )
    (out / "index.html").write_text(page, encoding="utf-8")
    (out / "404.html").write_text("<html><script>console.log('404')</script></html>")
    (out / "exit" / "_.html").write_text("<html><script>exitPage()</script></html>")
    (out / "_next" / "static" / "app.js").write_text("js")
    return out


async def test_each_page_allows_exactly_its_own_inline_scripts(tmp_path: Path) -> None:
    out = spa_out(tmp_path)
    app = FastAPI()
    mount_spa(app, out)
    edged = HttpEdge(app, max_body_bytes=1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=edged), base_url="http://t") as http:
        index = await http.get("/")
        csp = directives(index.headers["content-security-policy"])
        assert "'unsafe-inline'" not in csp["script-src"]
        assert sorted(csp["script-src"]) == sorted(
            [
                "'self'",
                script_hash("self.__next_f=self.__next_f||[];"),
                script_hash('self.__next_f.push([1,"a\\u003cb"])'),
                script_hash('\n  self.__next_f.push([2, "é"])\n'),
            ]
        )
        assert csp["connect-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        assert len(index.headers.get_list("content-security-policy")) == 1

        deep = directives((await http.get("/exit/2885")).headers["content-security-policy"])
        assert sorted(deep["script-src"]) == sorted(["'self'", script_hash("exitPage()")])
        missing = await http.get("/no/such/page")
        assert missing.status_code == 404
        assert script_hash("console.log('404')") in directives(missing.headers["content-security-policy"])["script-src"]
        asset = directives((await http.get("/_next/static/app.js")).headers["content-security-policy"])
        assert asset["script-src"] == ["'self'"]

        # A redeploy changes the page: the next answer carries the new page's hashes.
        (out / "exit" / "_.html").write_text("<html><script>exitPageV2()</script></html>")
        redeployed = directives((await http.get("/exit/1")).headers["content-security-policy"])
        assert script_hash("exitPageV2()") in redeployed["script-src"]
        assert script_hash("exitPage()") not in redeployed["script-src"]


async def test_no_answer_allows_inline_scripts_or_other_origins(http: httpx.AsyncClient) -> None:
    for path in ("/health/live", "/api/v1/auth/me", "/api/v1/nowhere"):
        csp = directives((await http.get(path)).headers["content-security-policy"])
        assert "'unsafe-inline'" not in csp["script-src"]
        assert csp["connect-src"] == ["'self'"]


# --- display names


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Asha\u202e Rao", "Asha Rao"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2067Ravi\u2069 Kumar", "Ravi Kumar"),  # isolates
        ("Meena\u200f\u200e\u061c", "Meena"),  # marks
        ("Bad\x00\x07\x1b[31mName\x7f\x85", "Bad[31mName"),  # C0, DEL, C1
        ("Line\nbreak\tand\u2028sep", "Linebreakandsep"),
        ("  padded  ", "padded"),
        ("क्\u200dष", "क्\u200dष"),  # ZERO WIDTH JOINER shapes Indic scripts: kept
    ],
)
async def test_client_display_names_are_stripped_of_control_and_bidi_characters(
    http: httpx.AsyncClient, advisor: Actor, given: str, stored: str
) -> None:
    created = await http.post(
        "/api/v1/clients",
        json={"display_name": given, "broker": "simulator", "broker_client_id": "SIMX1"},
        headers=advisor.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["display_name"] == stored
    client_id = created.json()["id"]
    renamed = await http.patch(f"/api/v1/clients/{client_id}", json={"display_name": "Plain"}, headers=advisor.headers)
    assert renamed.status_code == 200, renamed.text
    updated = await http.patch(f"/api/v1/clients/{client_id}", json={"display_name": given}, headers=advisor.headers)
    assert updated.status_code == 200, updated.text
    fetched = await http.get(f"/api/v1/clients/{client_id}", headers=advisor.headers)
    assert fetched.json()["display_name"] == updated.json()["display_name"] == stored


async def test_a_display_name_of_only_invisible_characters_is_refused(http: httpx.AsyncClient, advisor: Actor) -> None:
    response = await http.post(
        "/api/v1/clients",
        json={"display_name": "\u202e\u2066\x00 ", "broker": "simulator", "broker_client_id": "SIMX2"},
        headers=advisor.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_user_full_names_are_stripped_on_create_and_update(
    http: httpx.AsyncClient, admin: Actor, make_user: MakeUser
) -> None:
    created = await http.post(
        "/api/v1/users",
        json={
            "email": "bidi@example.com",
            "full_name": "Eve\u202enimda",
            "role": Role.VIEWER.value,
            "password": "long-enough-1",
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["full_name"] == "Evenimda"
    user_id = created.json()["id"]
    updated = await http.patch(
        f"/api/v1/users/{user_id}", json={"full_name": "\u2066Eve\x1b Smith\u2069"}, headers=admin.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["full_name"] == "Eve Smith"
    refused = await http.patch(f"/api/v1/users/{user_id}", json={"full_name": "\u202d\u202c"}, headers=admin.headers)
    assert refused.status_code == 422
