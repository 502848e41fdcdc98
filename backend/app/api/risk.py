"""/api/v1/risk and /api/v1/clients/{id}/risk-limits: pre-trade limits and the kill switch."""

from fastapi import APIRouter

from app.api.deps import AdminUser, ContextDep, CurrentUser, SessionDep, TraderUser
from app.models.risk import FIRM_SCOPE, client_scope
from app.schemas.common import ERROR_RESPONSES
from app.schemas.risk import ClientRiskLimitsOut, HaltRequest, ResumeRequest, RiskLimitsIn, RiskLimitsOut, RiskStatusOut
from app.services import killswitch, risk
from app.services.clients import get_visible

router = APIRouter(tags=["risk"], responses=ERROR_RESPONSES)


@router.get("/risk/limits")
async def get_firm_limits(_admin: AdminUser, session: SessionDep) -> RiskLimitsOut:
    return risk.limits_out(await risk.get_limits_row(session, FIRM_SCOPE))


@router.put("/risk/limits")
async def put_firm_limits(body: RiskLimitsIn, admin: AdminUser, session: SessionDep) -> RiskLimitsOut:
    return risk.limits_out(await risk.put_limits(session, admin, None, body))


async def _client_limits(session: SessionDep, client_id: int) -> ClientRiskLimitsOut:
    own = await risk.get_limits_row(session, client_scope(client_id))
    firm = await risk.get_limits_row(session, FIRM_SCOPE)
    return ClientRiskLimitsOut(
        client_id=client_id,
        limits=risk.limits_out(own),
        firm_default=risk.limits_out(firm),
        effective=RiskLimitsIn.model_validate(risk.merge(firm, own).as_dict()),
    )


@router.get("/clients/{client_id}/risk-limits")
async def get_client_limits(client_id: int, user: TraderUser, session: SessionDep) -> ClientRiskLimitsOut:
    await get_visible(session, user, client_id)  # an advisor reads only their own clients'
    return await _client_limits(session, client_id)


@router.put("/clients/{client_id}/risk-limits")
async def put_client_limits(
    client_id: int, body: RiskLimitsIn, admin: AdminUser, session: SessionDep
) -> ClientRiskLimitsOut:
    await get_visible(session, admin, client_id)
    await risk.put_limits(session, admin, client_id, body)
    return await _client_limits(session, client_id)


@router.get("/risk/status")
async def get_status(user: CurrentUser, session: SessionDep) -> RiskStatusOut:
    return await killswitch.status(session, user)


@router.post("/risk/halt")
async def halt(body: HaltRequest, admin: AdminUser, ctx: ContextDep) -> RiskStatusOut:
    return await killswitch.halt(ctx, admin, body)


@router.post("/risk/resume")
async def resume(body: ResumeRequest, admin: AdminUser, ctx: ContextDep) -> RiskStatusOut:
    return await killswitch.resume(ctx, admin, body)
