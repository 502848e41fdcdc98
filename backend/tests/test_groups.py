"""Client groups: advisors keep their own groups, members are clients the owner may see, every change audited."""

import asyncio

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.context import AppContext
from app.models import Client, ClientGroup
from tests.conftest import Actor, MakeClients

URL = "/api/v1/groups"


def members(*pairs: tuple[int | None, str]) -> list[dict[str, object]]:
    return [{"client_id": cid, "multiplier": m} for cid, m in pairs]


async def create(http: httpx.AsyncClient, actor: Actor, **body: object) -> httpx.Response:
    return await http.post(URL, json=body, headers=actor.headers)


async def audit_actions(http: httpx.AsyncClient, admin: Actor) -> list[dict[str, object]]:
    answer = await http.get("/api/v1/audit", params={"entity_type": "group"}, headers=admin.headers)
    assert answer.status_code == 200
    return answer.json()["items"]


async def test_an_advisor_creates_reads_renames_and_deletes_a_group_with_multipliers(
    http: httpx.AsyncClient, advisor: Actor, admin: Actor, make_clients: MakeClients
) -> None:
    a, b, c = await make_clients(advisor, 3)
    made = await create(http, advisor, name="Large accounts", members=members((a.id, "2.5"), (b.id, "1")))
    assert made.status_code == 201, made.text
    group = made.json()
    assert group["owner_id"] == advisor.id and group["name"] == "Large accounts"
    # Multipliers are Decimal strings; names come from the clients; a member without one gets 1.
    assert [(m["client_id"], m["multiplier"], m["is_active"]) for m in group["members"]] == [
        (a.id, "2.50", True),
        (b.id, "1.00", True),
    ]
    listed = (await http.get(URL, headers=advisor.headers)).json()
    assert listed["total"] == 1 and listed["items"][0] == group

    changed = await http.patch(
        f"{URL}/{group['id']}",
        json={"name": "Model A", "members": [{"client_id": c.id}, {"client_id": a.id, "multiplier": "0.5"}]},
        headers=advisor.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Model A"
    assert {m["client_id"]: m["multiplier"] for m in changed.json()["members"]} == {a.id: "0.50", c.id: "1.00"}
    assert (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).json() == changed.json()

    # A rename alone keeps the members.
    renamed = await http.patch(f"{URL}/{group['id']}", json={"name": "Model B"}, headers=advisor.headers)
    assert len(renamed.json()["members"]) == 2

    gone = await http.delete(f"{URL}/{group['id']}", headers=advisor.headers)
    assert gone.status_code == 204
    assert (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).status_code == 404
    assert (await http.get(URL, headers=advisor.headers)).json()["total"] == 0

    events = await audit_actions(http, admin)
    assert sorted(e["action"] for e in events) == ["group.create", "group.delete", "group.update", "group.update"]
    created = next(e for e in events if e["action"] == "group.create")
    assert created["actor_id"] == advisor.id and created["entity_id"] == str(group["id"])
    assert created["payload"]["members"] == [
        {"client_id": a.id, "multiplier": "2.5"},
        {"client_id": b.id, "multiplier": "1"},
    ]


async def test_a_client_may_be_in_many_groups(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    (a,) = await make_clients(advisor, 1)
    assert (await create(http, advisor, name="One", members=members((a.id, "1")))).status_code == 201
    assert (await create(http, advisor, name="Two", members=members((a.id, "3")))).status_code == 201
    items = (await http.get(URL, headers=advisor.headers)).json()["items"]
    assert [(g["name"], g["members"][0]["multiplier"]) for g in items] == [("One", "1.00"), ("Two", "3.00")]


async def test_another_advisors_groups_are_invisible_and_untouchable(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, admin: Actor, make_clients: MakeClients
) -> None:
    (mine,) = await make_clients(advisor, 1)
    (theirs,) = await make_clients(other_advisor, 1, prefix="OTH")
    group = (await create(http, advisor, name="Mine", members=members((mine.id, "1")))).json()
    # Same name on another desk is fine: names are unique per owner.
    other = await create(http, other_advisor, name="Mine", members=members((theirs.id, "1")))
    assert other.status_code == 201

    assert [g["id"] for g in (await http.get(URL, headers=other_advisor.headers)).json()["items"]] == [
        other.json()["id"]
    ]
    for answer in (
        await http.get(f"{URL}/{group['id']}", headers=other_advisor.headers),
        await http.patch(f"{URL}/{group['id']}", json={"name": "Taken"}, headers=other_advisor.headers),
        await http.delete(f"{URL}/{group['id']}", headers=other_advisor.headers),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "GROUP_NOT_FOUND"
    assert (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).json() == group

    # Nor can an advisor put another desk's client into a group: answered like a missing client, nothing written.
    for body in (
        {"name": "Sneaky", "members": members((mine.id, "1"), (theirs.id, "1"))},
        {"name": "Ghost", "members": members((999_999, "1"))},
    ):
        refused = await create(http, advisor, **body)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "CLIENT_NOT_FOUND"
    patched = await http.patch(
        f"{URL}/{group['id']}", json={"members": members((theirs.id, "1"))}, headers=advisor.headers
    )
    assert patched.status_code == 404
    assert (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).json() == group
    assert (await http.get(URL, headers=advisor.headers)).json()["total"] == 1

    # The admin sees both desks' groups.
    seen = (await http.get(URL, headers=admin.headers)).json()
    assert seen["total"] == 2
    assert {g["owner_id"] for g in seen["items"]} == {advisor.id, other_advisor.id}
    assert (await http.get(f"{URL}/{group['id']}", headers=admin.headers)).status_code == 200


async def test_an_admin_makes_a_group_for_an_advisor_from_that_advisors_clients_only(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, admin: Actor, make_clients: MakeClients
) -> None:
    (mine,) = await make_clients(advisor, 1)
    (theirs,) = await make_clients(other_advisor, 1, prefix="OTH")
    mixed = await create(
        http, admin, name="Mixed", owner_id=advisor.id, members=members((mine.id, "1"), (theirs.id, "1"))
    )
    assert mixed.status_code == 404 and mixed.json()["error"]["code"] == "CLIENT_NOT_FOUND"
    made = await create(http, admin, name="For one", owner_id=advisor.id, members=members((mine.id, "1")))
    assert made.status_code == 201 and made.json()["owner_id"] == advisor.id
    assert (await http.get(URL, headers=advisor.headers)).json()["items"][0]["name"] == "For one"
    # An advisor cannot make one for somebody else.
    refused = await create(http, advisor, name="Theirs", owner_id=other_advisor.id)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "OWNER_NOT_ALLOWED"
    assert (await create(http, admin, name="X", owner_id=admin.id + 10_000)).json()["error"]["code"] == (
        "OWNER_NOT_ADVISOR"
    )


async def test_a_viewer_reads_groups_but_cannot_change_them(
    http: httpx.AsyncClient, advisor: Actor, viewer: Actor, make_clients: MakeClients
) -> None:
    (a,) = await make_clients(advisor, 1)
    group = (await create(http, advisor, name="Read me", members=members((a.id, "1")))).json()
    assert (await http.get(URL, headers=viewer.headers)).json()["items"] == [group]
    assert (await http.get(f"{URL}/{group['id']}", headers=viewer.headers)).status_code == 200
    for answer in (
        await create(http, viewer, name="Mine now", members=members((a.id, "1"))),
        await http.patch(f"{URL}/{group['id']}", json={"name": "Changed"}, headers=viewer.headers),
        await http.delete(f"{URL}/{group['id']}", headers=viewer.headers),
    ):
        assert answer.status_code == 403
    assert (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).json() == group


async def test_a_duplicate_name_on_one_desk_is_a_409_on_create_and_rename(
    http: httpx.AsyncClient, advisor: Actor, admin: Actor
) -> None:
    first = (await create(http, advisor, name="Model A")).json()
    second = (await create(http, advisor, name="Model B")).json()
    again = await create(http, advisor, name="Model A")
    assert again.status_code == 409 and again.json()["error"]["code"] == "GROUP_EXISTS"
    renamed = await http.patch(f"{URL}/{second['id']}", json={"name": "Model A"}, headers=advisor.headers)
    assert renamed.status_code == 409 and renamed.json()["error"]["code"] == "GROUP_EXISTS"
    # Renaming a group to its own name is no clash.
    assert (
        await http.patch(f"{URL}/{first['id']}", json={"name": "Model A"}, headers=advisor.headers)
    ).status_code == 200
    names = [g["name"] for g in (await http.get(URL, headers=advisor.headers)).json()["items"]]
    assert names == ["Model A", "Model B"]
    assert [e["action"] for e in await audit_actions(http, admin)].count("group.create") == 2


async def test_names_differing_only_in_case_are_one_name_on_a_desk(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor
) -> None:
    growth = (await create(http, advisor, name="Growth")).json()
    value = (await create(http, advisor, name="Value")).json()
    for name in ("growth", "GROWTH", "gRoWtH"):
        again = await create(http, advisor, name=name)
        assert again.status_code == 409, again.text
        assert again.json()["error"]["code"] == "GROUP_EXISTS"
        assert again.json()["error"]["details"]["existing_name"] == "Growth"
    renamed = await http.patch(f"{URL}/{value['id']}", json={"name": "GROWTH"}, headers=advisor.headers)
    assert renamed.status_code == 409 and renamed.json()["error"]["code"] == "GROUP_EXISTS"
    # A group may change the case of its own name; another desk may use the name in any case.
    recased = await http.patch(f"{URL}/{growth['id']}", json={"name": "GROWTH"}, headers=advisor.headers)
    assert recased.status_code == 200 and recased.json()["name"] == "GROWTH"
    assert (await create(http, other_advisor, name="growth")).status_code == 201
    assert [g["name"] for g in (await http.get(URL, headers=advisor.headers)).json()["items"]] == ["GROWTH", "Value"]


async def test_the_database_refuses_a_second_name_differing_only_in_case(
    advisor: Actor, other_advisor: Actor, ctx: AppContext
) -> None:
    """The index, not only the service's check, keeps names unique: a writer that skipped the check still fails."""
    async with ctx.sessions() as session:
        session.add(ClientGroup(owner_id=advisor.id, name="Income"))
        await session.commit()
    async with ctx.sessions() as session:
        session.add(ClientGroup(owner_id=advisor.id, name="INCOME"))
        with pytest.raises(IntegrityError):
            await session.commit()
    async with ctx.sessions() as session:
        session.add(ClientGroup(owner_id=other_advisor.id, name="INCOME"))
        await session.commit()
        names = await session.scalars(select(ClientGroup.name).order_by(ClientGroup.owner_id))
        assert list(names) == ["Income", "INCOME"]


@pytest.mark.parametrize(
    ("multiplier", "accepted"),
    [
        ("0.0001", True),
        ("1000", True),
        (7, True),
        ("0", False),
        ("-1", False),
        ("1000.0001", False),
        ("0.00001", False),
        ("1e2", False),
        (True, False),
        ("١", False),
    ],
)
async def test_multipliers_are_positive_bounded_decimals(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, multiplier: object, accepted: bool
) -> None:
    (a,) = await make_clients(advisor, 1)
    answer = await create(http, advisor, name="Sized", members=[{"client_id": a.id, "multiplier": multiplier}])
    assert answer.status_code == (201 if accepted else 422), answer.text
    if not accepted:
        assert (await http.get(URL, headers=advisor.headers)).json()["total"] == 0


async def test_bodies_are_strict_and_members_are_listed_once(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    (a,) = await make_clients(advisor, 1)
    unknown = await create(http, advisor, name="G", members=[{"client_id": a.id, "multipler": "2"}])
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "UNKNOWN_FIELD"
    unknown_top = await create(http, advisor, name="G", colour="red")
    assert unknown_top.json()["error"]["code"] == "UNKNOWN_FIELD"
    twice = await create(http, advisor, name="G", members=members((a.id, "1"), (a.id, "2")))
    assert twice.status_code == 422
    for bad in ({"name": ""}, {"name": "   "}, {"name": "G", "members": [{"client_id": str(a.id)}]}):
        assert (await create(http, advisor, **bad)).status_code == 422
    assert (await http.get(URL, headers=advisor.headers)).json()["total"] == 0


async def test_a_deactivated_client_stays_a_member_shown_inactive_but_cannot_newly_join(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, ctx: AppContext
) -> None:
    a, b = await make_clients(advisor, 2)
    group = (await create(http, advisor, name="G", members=members((a.id, "2")))).json()
    for client in (a, b):
        assert (await http.post(f"/api/v1/clients/{client.id}/deactivate", headers=advisor.headers)).status_code == 200
    shown = (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).json()
    assert [(m["client_id"], m["is_active"]) for m in shown["members"]] == [(a.id, False)]
    # Editing the group keeps the inactive member; adding another deactivated client is refused.
    kept = await http.patch(f"{URL}/{group['id']}", json={"members": members((a.id, "3"))}, headers=advisor.headers)
    assert kept.status_code == 200 and kept.json()["members"][0]["multiplier"] == "3.00"
    refused = await http.patch(
        f"{URL}/{group['id']}", json={"members": members((a.id, "3"), (b.id, "1"))}, headers=advisor.headers
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "CLIENT_INACTIVE"
    assert (await create(http, advisor, name="New", members=members((b.id, "1")))).status_code == 422
    async with ctx.sessions() as session:
        assert (await session.get(Client, a.id)) is not None
    assert (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).json()["members"] == kept.json()["members"]


async def test_deleting_a_group_leaves_its_clients_and_other_groups(
    http: httpx.AsyncClient, advisor: Actor, admin: Actor, make_clients: MakeClients
) -> None:
    a, b = await make_clients(advisor, 2)
    doomed = (await create(http, advisor, name="Doomed", members=members((a.id, "1"), (b.id, "2")))).json()
    kept = (await create(http, advisor, name="Kept", members=members((a.id, "1")))).json()
    assert (await http.delete(f"{URL}/{doomed['id']}", headers=advisor.headers)).status_code == 204
    assert (await http.delete(f"{URL}/{doomed['id']}", headers=advisor.headers)).status_code == 404
    assert (await http.get(f"{URL}/{kept['id']}", headers=advisor.headers)).json() == kept
    assert (await http.get(f"/api/v1/clients/{b.id}", headers=advisor.headers)).status_code == 200
    # The name is free again.
    assert (await create(http, advisor, name="Doomed")).status_code == 201
    deleted = next(e for e in await audit_actions(http, admin) if e["action"] == "group.delete")
    assert deleted["payload"] == {"name": "Doomed", "owner_id": advisor.id, "member_client_ids": sorted([a.id, b.id])}


async def test_two_creates_of_one_name_at_once_make_one_group_and_a_409(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    (a,) = await make_clients(advisor, 1)
    answers = await asyncio.gather(
        *(create(http, advisor, name="Same", members=members((a.id, m))) for m in ("1", "2"))
    )
    assert sorted(r.status_code for r in answers) == [201, 409]
    assert next(r for r in answers if r.status_code == 409).json()["error"]["code"] == "GROUP_EXISTS"
    assert (await http.get(URL, headers=advisor.headers)).json()["total"] == 1


async def test_two_member_edits_at_once_leave_one_of_them_whole(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    a, b, c, d = await make_clients(advisor, 4)
    group = (await create(http, advisor, name="G", members=members((a.id, "1")))).json()
    edits = [members((b.id, "2"), (c.id, "2")), members((c.id, "3"), (d.id, "3"))]
    answers = await asyncio.gather(
        *(http.patch(f"{URL}/{group['id']}", json={"members": e}, headers=advisor.headers) for e in edits)
    )
    assert [r.status_code for r in answers] == [200, 200]
    final = (await http.get(f"{URL}/{group['id']}", headers=advisor.headers)).json()["members"]
    as_sent = [{"client_id": m["client_id"], "multiplier": m["multiplier"].rstrip("0").rstrip(".")} for m in final]
    assert as_sent in edits


async def test_two_creates_of_one_name_in_different_case_at_once_make_one_group(
    http: httpx.AsyncClient, advisor: Actor
) -> None:
    answers = await asyncio.gather(*(create(http, advisor, name=name) for name in ("Momentum", "MOMENTUM")))
    assert sorted(r.status_code for r in answers) == [201, 409]
    assert next(r for r in answers if r.status_code == 409).json()["error"]["code"] == "GROUP_EXISTS"
    assert (await http.get(URL, headers=advisor.headers)).json()["total"] == 1
