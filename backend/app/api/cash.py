"""/api/v1/clients/{id}/cash, /ledger and /contract-note: a simulated account's money and a day's contract note."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.api.deps import ContextDep, CurrentUser, SessionDep, TraderUser
from app.schemas.cash import CashTransferIn, CashTransferOut, LedgerOut
from app.schemas.common import ERROR_RESPONSES
from app.services import cash, contract_note_pdf, contract_notes

router = APIRouter(prefix="/clients", tags=["cash"], responses=ERROR_RESPONSES)


@router.post("/{client_id}/cash", status_code=201)
async def transfer_cash(
    client_id: int, body: CashTransferIn, user: TraderUser, ctx: ContextDep, session: SessionDep
) -> CashTransferOut:
    """Deposit or withdraw; a withdrawal above the cash margin does not hold is 409 INSUFFICIENT_CASH."""
    return await cash.transfer(ctx, session, user, client_id, body)


@router.get("/{client_id}/ledger")
async def ledger(client_id: int, user: CurrentUser, ctx: ContextDep, session: SessionDep) -> LedgerOut:
    return await cash.ledger(ctx, session, user, client_id)


@router.get(
    "/{client_id}/contract-note",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
async def contract_note(
    client_id: int,
    user: CurrentUser,
    ctx: ContextDep,
    session: SessionDep,
    day: Annotated[date, Query(alias="date", description="the trading day, YYYY-MM-DD (IST)")],
    format: Literal["csv", "pdf"] = "csv",
) -> Response:
    note = await contract_notes.build(ctx, session, user, client_id, day)
    name = f"contract-note-{client_id}-{day.isoformat()}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "pdf":
        return Response(contract_note_pdf.to_pdf(note), media_type="application/pdf", headers=headers)
    return Response(contract_notes.to_csv(note), media_type="text/csv; charset=utf-8", headers=headers)
