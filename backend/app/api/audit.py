"""/api/v1/audit (admin): the audit trail, its hash-chain verification and a CSV export."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from app.api.deps import AdminUser, ContextDep, SessionDep
from app.api.filters import DateRangeDep
from app.schemas.common import ERROR_RESPONSES, Page
from app.schemas.risk import AuditEventOut, ChainReportOut
from app.services import audit

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)


def _filter(
    dates: DateRangeDep,
    action: str | None = None,
    actor_id: int | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
) -> audit.AuditFilter:
    return audit.AuditFilter(action, actor_id, entity_type, entity_id, dates.start, dates.end)


FilterDep = Annotated[audit.AuditFilter, Depends(_filter)]


@router.get("")
async def list_events(
    _admin: AdminUser,
    session: SessionDep,
    where: FilterDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[AuditEventOut]:
    rows, total = await audit.list_events(session, where, limit=limit, offset=offset)
    items = [AuditEventOut.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/verify")
async def verify(_admin: AdminUser, session: SessionDep) -> ChainReportOut:
    report = await audit.verify_chain(session)
    return ChainReportOut(
        ok=report.ok, checked=report.checked, first_broken_id=report.first_broken_id, reason=report.reason
    )


@router.get("/export.csv", response_class=StreamingResponse)
async def export_csv(
    _admin: AdminUser,
    ctx: ContextDep,
    where: FilterDep,
) -> StreamingResponse:
    return StreamingResponse(
        audit.export_csv(ctx.sessions, where),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
