"""Client accounts: ownership isolation, roles, and credentials that go in but never come out."""

import decimal
import logging

import httpx
import pytest

from app.brokers.base import BrokerAccount, BrokerFunds, BrokerPosition
from app.context import AppContext
from app.models import Client
from tests.conftest import Actor, MakeClients, Simulator, place_order

SECRETS = {
    "api_key": "AK-9f8e7d6c5b4a-live",
    "password": "Pa55word!unique-91",
    "two_fa": "14/02/1985",
    "totp_secret": "JBSWY3DPEHPK3PXPUNIQUE",
}


def new_client(**extra: object) -> dict[str, object]:
    return {
        "display_name": "Sunita Verma",
        "broker": "motilal",
        "broker_client_id": "EMUM755714",
        "opening_cash": "250000.50",
        **extra,
    }


def assert_no_secret(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text


async def test_credentials_are_write_only_and_never_logged(
    http: httpx.AsyncClient, advisor: Actor, ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await http.post("/api/v1/clients", headers=advisor.headers, json=new_client(credentials=SECRETS))
    assert created.status_code == 201
    client_id = created.json()["id"]
    assert created.json()["credentials_set"] == {
        "api_key": True,
        "password": True,
        "two_fa": True,
        "totp_secret": True,
        "api_secret": False,
    }
    bodies = [created.text]
    bodies.append((await http.get(f"/api/v1/clients/{client_id}", headers=advisor.headers)).text)
    bodies.append((await http.get("/api/v1/clients", headers=advisor.headers)).text)
    bodies.append((await http.get(f"/api/v1/clients/{client_id}/portfolio", headers=advisor.headers)).text)
    updated = await http.patch(
        f"/api/v1/clients/{client_id}",
        headers=advisor.headers,
        json={"credentials": {"password": "", "api_key": "AK-rotated-secret-77"}},
    )
    bodies.append(updated.text)
    assert updated.json()["credentials_set"] == {
        "api_key": True,
        "password": False,
        "two_fa": True,
        "totp_secret": True,
        "api_secret": False,
    }
    # A rejected body must not echo the secret it carried either.
    invalid = await http.patch(
        f"/api/v1/clients/{client_id}",
        headers=advisor.headers,
        json={"credentials": {"totp_secret": SECRETS["totp_secret"] * 20}},
    )
    assert invalid.status_code == 422
    bodies.append(invalid.text)
    for body in bodies:
        assert_no_secret(body)
        assert "AK-rotated-secret-77" not in body
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert_no_secret(logged)
    assert "AK-rotated-secret-77" not in logged

    async with ctx.sessions() as session:
        row = await session.get(Client, client_id)
        assert row is not None and row.credentials_ciphertext is not None
        assert_no_secret(row.credentials_ciphertext)
        stored = ctx.vault.decrypt(row.credentials_ciphertext)
    assert stored == {
        "api_key": "AK-rotated-secret-77",
        "two_fa": SECRETS["two_fa"],
        "totp_secret": SECRETS["totp_secret"],
    }


async def test_another_advisors_client_is_404_everywhere(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients
) -> None:
    [theirs] = await make_clients(other_advisor, 1)
    for method, template, body in (
        ("GET", "/api/v1/clients/{}", None),
        ("PATCH", "/api/v1/clients/{}", {"display_name": "Hijacked"}),
        ("GET", "/api/v1/clients/{}/portfolio", None),
        ("POST", "/api/v1/clients/{}/deactivate", None),
    ):
        response = await http.request(method, template.format(theirs.id), headers=advisor.headers, json=body)
        missing = await http.request(method, template.format(999999), headers=advisor.headers, json=body)
        assert response.status_code == missing.status_code == 404, template
        assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "CLIENT_NOT_FOUND"
        assert "Client SIM" not in response.text
    listing = await http.get("/api/v1/clients", headers=advisor.headers)
    assert listing.json()["total"] == 0
    mine = await http.get(f"/api/v1/clients/{theirs.id}", headers=other_advisor.headers)
    assert mine.json()["display_name"] == theirs.display_name


async def test_admin_sees_every_client_and_viewer_reads_but_cannot_write(
    http: httpx.AsyncClient,
    admin: Actor,
    viewer: Actor,
    advisor: Actor,
    other_advisor: Actor,
    make_clients: MakeClients,
) -> None:
    await make_clients(advisor, 2)
    [theirs] = await make_clients(other_advisor, 1, prefix="OTH")
    assert (await http.get("/api/v1/clients", headers=admin.headers)).json()["total"] == 3
    assert (await http.get("/api/v1/clients", headers=viewer.headers)).json()["total"] == 3
    assert (await http.get(f"/api/v1/clients/{theirs.id}", headers=viewer.headers)).status_code == 200
    create = await http.post("/api/v1/clients", headers=viewer.headers, json=new_client())
    assert create.status_code == 403
    patch = await http.patch(f"/api/v1/clients/{theirs.id}", headers=viewer.headers, json={"display_name": "x"})
    assert patch.status_code == 403
    renamed = await http.patch(f"/api/v1/clients/{theirs.id}", headers=admin.headers, json={"display_name": "Renamed"})
    assert renamed.json()["display_name"] == "Renamed"


async def test_admin_creates_a_client_for_an_advisor_but_an_advisor_cannot(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, other_advisor: Actor
) -> None:
    by_admin = await http.post("/api/v1/clients", headers=admin.headers, json=new_client(owner_id=advisor.id))
    assert by_admin.status_code == 201
    assert by_admin.json()["owner_id"] == advisor.id
    assert (await http.get(f"/api/v1/clients/{by_admin.json()['id']}", headers=advisor.headers)).status_code == 200
    by_advisor = await http.post(
        "/api/v1/clients", headers=advisor.headers, json=new_client(owner_id=other_advisor.id, broker_client_id="X1")
    )
    assert by_advisor.status_code == 422
    assert by_advisor.json()["error"]["code"] == "OWNER_NOT_ALLOWED"


async def test_the_same_broker_account_twice_is_409(http: httpx.AsyncClient, advisor: Actor) -> None:
    created = await http.post("/api/v1/clients", headers=advisor.headers, json=new_client())
    assert created.status_code == 201
    again = await http.post("/api/v1/clients", headers=advisor.headers, json=new_client(display_name="Other name"))
    assert again.status_code == 409
    # The advisor's own client: they may see it, so they are told which one it is.
    assert again.json()["error"]["code"] == "CLIENT_EXISTS"
    assert again.json()["error"]["details"] == {"client_id": created.json()["id"]}


async def test_another_advisors_broker_account_is_refused_without_revealing_it(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, other_advisor: Actor, ctx: AppContext
) -> None:
    # One broker account is one client firm-wide: two would double its positions and let two exits sell the same
    # holding. The advisor who is refused learns only that this account cannot go on their desk, not that
    # another desk has it, whose, or under what name; the attempt is audited for the admins.
    theirs = await http.post(
        "/api/v1/clients", headers=other_advisor.headers, json=new_client(display_name="Private Person")
    )
    assert theirs.status_code == 201
    [mine_before] = await make_own(http, advisor)

    attempts = [
        await http.post("/api/v1/clients", headers=advisor.headers, json=new_client(display_name="Guess")),
        await http.patch(
            f"/api/v1/clients/{mine_before}", headers=advisor.headers, json={"broker_client_id": "EMUM755714"}
        ),
    ]
    for refused in attempts:
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "BROKER_ACCOUNT_UNAVAILABLE"
        assert error["details"] == {}
        for revealing in ("already", "exists", "Private Person", str(theirs.json()["id"]), str(other_advisor.id)):
            assert revealing not in error["message"]
    mine = await http.get(f"/api/v1/clients/{mine_before}", headers=advisor.headers)
    assert mine.json()["broker_client_id"] == "MINE-1"  # the refused PATCH changed nothing

    audit = await http.get("/api/v1/audit", params={"action": "client.refused"}, headers=admin.headers)
    assert audit.status_code == 200
    assert [
        (e["actor_id"], e["payload"]["broker_client_id"], e["payload"]["held_by_client_id"])
        for e in audit.json()["items"]
    ] == [
        (advisor.id, "EMUM755714", theirs.json()["id"]),
        (advisor.id, "EMUM755714", theirs.json()["id"]),
    ]

    # An admin sees every client, so an admin is told which client holds the account, and whose it is.
    by_admin = await http.post(
        "/api/v1/clients", headers=admin.headers, json=new_client(owner_id=advisor.id, display_name="Admin try")
    )
    assert by_admin.status_code == 409
    assert by_admin.json()["error"]["code"] == "CLIENT_EXISTS"
    assert by_admin.json()["error"]["details"] == {"client_id": theirs.json()["id"], "owner_id": other_advisor.id}


async def make_own(http: httpx.AsyncClient, advisor: Actor) -> list[int]:
    created = await http.post(
        "/api/v1/clients", headers=advisor.headers, json=new_client(display_name="Mine", broker_client_id="MINE-1")
    )
    assert created.status_code == 201, created.text
    return [created.json()["id"]]


async def test_new_client_summary_is_its_opening_cash_and_deactivation_hides_it(
    http: httpx.AsyncClient, advisor: Actor
) -> None:
    created = (await http.post("/api/v1/clients", headers=advisor.headers, json=new_client(broker="simulator"))).json()
    assert created["opening_cash"] == "250000.50"
    assert created["summary"] == {
        "cash": "250000.50",
        "margin_used": "0.00",
        "margin_available": "250000.50",
        "realised_pnl": "0",
        "unrealised_pnl": "0",
        "charges": "0",
        "realised_pnl_net": "0",
        "open_positions": 0,
        "segments": [
            {"segment": "CASH", "available": "250000.50", "used": "0.00"},
            {"segment": "FO", "available": "250000.50", "used": "0.00"},
        ],
        "positions": [],
    }
    deactivated = await http.post(f"/api/v1/clients/{created['id']}/deactivate", headers=advisor.headers)
    assert deactivated.json()["is_active"] is False
    assert (await http.get("/api/v1/clients", headers=advisor.headers)).json()["total"] == 0
    with_inactive = await http.get("/api/v1/clients?include_inactive=true", headers=advisor.headers)
    assert with_inactive.json()["total"] == 1


async def test_bad_client_input_is_a_422_with_the_field_named(http: httpx.AsyncClient, advisor: Actor) -> None:
    response = await http.post("/api/v1/clients", headers=advisor.headers, json=new_client(broker="zerodha"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith("broker:")
    assert error["details"]["errors"][0]["loc"] == ["body", "broker"]


async def test_a_null_in_a_client_update_is_a_422_not_a_blanked_field(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    [client] = await make_clients(advisor, 1)
    for field in ("display_name", "broker_client_id", "is_active"):
        response = await http.patch(f"/api/v1/clients/{client.id}", headers=advisor.headers, json={field: None})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"]["details"]["errors"][0]["loc"] == ["body", field]
    kept = (await http.get(f"/api/v1/clients/{client.id}", headers=advisor.headers)).json()
    assert kept["display_name"] == client.display_name and kept["is_active"] is True


async def test_a_broker_read_that_fails_oddly_is_that_clients_summary_error_not_a_500(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    broken, fine = await make_clients(advisor, 2)
    real_funds, real_positions = sim.broker.funds, sim.broker.positions

    async def funds(acct: BrokerAccount) -> BrokerFunds:
        if acct.client_id == broken.id:
            # Not a BrokerError: the kind of failure a book poisoned by an absurd order once produced.
            raise decimal.InvalidOperation([decimal.InvalidOperation])
        return await real_funds(acct)

    async def positions(acct: BrokerAccount) -> list[BrokerPosition]:
        if acct.client_id == broken.id:
            raise OverflowError("int too large to convert")
        return await real_positions(acct)

    sim.broker.funds = funds  # type: ignore[method-assign]
    sim.broker.positions = positions  # type: ignore[method-assign]
    listed = await http.get("/api/v1/clients", headers=advisor.headers)
    assert listed.status_code == 200, listed.text
    rows = {row["id"]: row for row in listed.json()["items"]}
    assert rows[broken.id]["summary"] is None and rows[broken.id]["summary_error"]
    assert rows[fine.id]["summary"]["cash"] == "1000000.00" and rows[fine.id]["summary_error"] is None
    one = await http.get(f"/api/v1/clients/{broken.id}", headers=advisor.headers)
    assert one.status_code == 200 and one.json()["summary_error"]
    holders = await http.get("/api/v1/tokens/2885/holders", headers=advisor.headers)
    assert holders.status_code == 200
    assert [row["client_id"] for row in holders.json() if row["error"]] == [broken.id]
    page = await http.get(f"/api/v1/clients/{broken.id}/portfolio", headers=advisor.headers)
    assert page.status_code == 502 and page.json()["error"]["code"] == "BROKER_UNAVAILABLE"


async def seal_away_credentials(ctx: AppContext, client: Client) -> None:
    """The client's credentials as if sealed under a key this server no longer has."""
    async with ctx.sessions() as session:
        row = await session.get(Client, client.id)
        assert row is not None
        row.credentials_ciphertext = "sealed-under-a-key-this-server-no-longer-has"
        await session.commit()


async def test_a_client_whose_credentials_no_longer_decrypt_is_an_error_row_among_the_holders(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    unreadable, fine = await make_clients(advisor, 2)
    await sim.price(2885, "1400.00")
    assert (await place_order(http, advisor.headers, client_id=fine.id, quantity=3)).json()["status"] == "FILLED"
    await seal_away_credentials(ctx, unreadable)
    holders = await http.get("/api/v1/tokens/2885/holders", headers=advisor.headers)
    assert holders.status_code == 200, holders.text
    rows = sorted((row["client_id"], row["net_quantity"], bool(row["error"])) for row in holders.json())
    assert rows == [(unreadable.id, 0, True), (fine.id, 3, False)]


async def test_a_client_whose_credentials_no_longer_decrypt_does_not_break_the_client_list(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, ctx: AppContext
) -> None:
    unreadable, fine = await make_clients(advisor, 2)
    await seal_away_credentials(ctx, unreadable)
    listed = await http.get("/api/v1/clients", headers=advisor.headers)
    assert listed.status_code == 200, listed.text
    by_id = {item["id"]: item for item in listed.json()["items"]}
    assert by_id[unreadable.id]["summary"] is None
    assert by_id[unreadable.id]["summary_error"].startswith("CREDENTIALS_UNREADABLE")
    assert not any(by_id[unreadable.id]["credentials_set"].values())
    assert by_id[fine.id]["summary"] is not None and by_id[fine.id]["summary_error"] is None
    one = await http.get(f"/api/v1/clients/{unreadable.id}", headers=advisor.headers)
    assert one.status_code == 200 and one.json()["summary_error"].startswith("CREDENTIALS_UNREADABLE")
