"""The audit API: listing with filters, verify (tampering detected), CSV export, concurrent appends, admin only."""

import asyncio
import csv
import io

import httpx
from sqlalchemy import select, update

from app.context import AppContext
from app.models import AuditEvent, AuditHead
from app.services import audit
from tests.conftest import Actor


async def _append(ctx: AppContext, action: str, **payload: object) -> int:
    async with ctx.sessions() as session:
        event = await audit.record(session, action, actor_id=None, entity_type="thing", entity_id=1, payload=payload)
        await session.commit()
    assert event.id is not None
    return event.id


async def test_list_is_newest_first_with_filters_and_total(
    http: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    ids = [await _append(ctx, "test.a", n=1), await _append(ctx, "test.b", n=2), await _append(ctx, "test.a", n=3)]
    response = await http.get("/api/v1/audit", params={"action": "test.a"}, headers=admin.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert [e["id"] for e in body["items"]] == [ids[2], ids[0]]
    assert body["items"][0]["payload"] == {"n": 3} and len(body["items"][0]["hash"]) == 64
    paged = await http.get("/api/v1/audit", params={"limit": 1, "offset": 1}, headers=admin.headers)
    assert paged.json()["total"] == 3 and [e["id"] for e in paged.json()["items"]] == [ids[1]]
    none = await http.get("/api/v1/audit", params={"date_to": "2000-01-01T00:00:00Z"}, headers=admin.headers)
    assert none.json()["total"] == 0


async def test_verify_detects_a_tampered_row_by_its_id(http: httpx.AsyncClient, admin: Actor, ctx: AppContext) -> None:
    ids = [await _append(ctx, "test.event", n=n) for n in range(3)]
    ok = await http.get("/api/v1/audit/verify", headers=admin.headers)
    assert ok.json() == {"ok": True, "checked": 3, "first_broken_id": None, "reason": None}
    async with ctx.sessions() as session:
        await session.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(payload={"n": 99}))
        await session.commit()
    broken = (await http.get("/api/v1/audit/verify", headers=admin.headers)).json()
    assert broken["ok"] is False
    assert broken["first_broken_id"] == ids[1]
    assert broken["checked"] == 1
    assert "content" in broken["reason"]


async def test_concurrent_appends_do_not_fork_the_chain(ctx: AppContext) -> None:
    async def append(n: int) -> None:
        async with ctx.sessions() as session:
            await audit.record(session, "test.concurrent", actor_id=None, payload={"n": n})
            await session.commit()

    await asyncio.gather(*(append(n) for n in range(20)))
    async with ctx.sessions() as session:
        report = await audit.verify_chain(session)
        head = await session.get(AuditHead, 1)
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert report.ok and report.checked == 20
    assert head is not None and head.length == 20 and head.last_hash == events[-1].hash
    assert len({e.prev_hash for e in events}) == 20


async def test_export_csv_streams_the_filtered_events_with_hashes(
    http: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    first = await _append(ctx, "test.csv", note='quoted, "text"')
    await _append(ctx, "test.other")
    second = await _append(ctx, "test.csv")
    response = await http.get("/api/v1/audit/export.csv", params={"action": "test.csv"}, headers=admin.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["id"]) for r in rows] == [first, second]
    assert rows[0]["payload"] == '{"note":"quoted, \\"text\\""}'
    assert rows[1]["prev_hash"] != rows[0]["hash"]  # test.other sits between them in the chain
    assert all(len(r["hash"]) == 64 for r in rows)


async def test_audit_endpoints_are_admin_only(http: httpx.AsyncClient, advisor: Actor, viewer: Actor) -> None:
    for actor in (advisor, viewer):
        for path in ("/api/v1/audit", "/api/v1/audit/verify", "/api/v1/audit/export.csv"):
            response = await http.get(path, headers=actor.headers)
            assert response.status_code == 403, path
    assert (await http.get("/api/v1/audit")).status_code == 401
