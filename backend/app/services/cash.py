"""Cash of a simulated account: deposits and withdrawals (written, then asked of the broker, then audited with
their outcome) and the ledger with its running balance. The broker keeps the money; its answer decides."""

import logging
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerRejected, CashEntry
from app.context import AppContext
from app.db import release_connection
from app.errors import BrokerDown, Conflict
from app.models import CashTransfer, Client, User
from app.models.types import utcnow
from app.schemas.cash import CashTransferIn, CashTransferOut, LedgerEntryOut, LedgerOut
from app.services import audit
from app.services.accounts import broker_account
from app.services.clients import get_visible

log = logging.getLogger(__name__)
PAISE = Decimal("0.01")


def _supported(ctx: AppContext, client: Client) -> None:
    if not ctx.brokers.adapter(client.broker).capabilities.cash_transfers:
        raise Conflict(
            f"{client.broker} accounts are funded at the broker, not through MultiDesk", code="CASH_NOT_SUPPORTED"
        )


async def transfer(
    ctx: AppContext, session: AsyncSession, user: User, client_id: int, body: CashTransferIn
) -> CashTransferOut:
    client = await get_visible(session, user, client_id)
    _supported(ctx, client)
    row = CashTransfer(client_id=client_id, kind=body.type, amount=body.amount, note=body.note, created_by=user.id)
    session.add(row)
    await session.flush()
    await audit.record(
        session, f"cash.{body.type}.requested", actor_id=user.id, entity_type="client", entity_id=client_id,
        payload={"transfer_id": row.id, "amount": str(body.amount), "note": body.note},
    )  # fmt: skip
    await release_connection(session)  # the intent is committed before the broker is asked
    account = broker_account(ctx.vault, client)
    signed = body.amount if body.type == "deposit" else -body.amount
    entry: CashEntry | None = None
    try:
        entry = await ctx.brokers.call(
            client.broker, lambda adapter: adapter.transfer_cash(account, signed, row.ref, body.note)
        )
        row.status, balance = "DONE", await _balance_after(ctx, client, entry)
    except BrokerRejected as exc:
        row.status, row.reason, balance = "REFUSED", exc.reason, None
    except BrokerError as exc:
        # No verdict: the broker may have moved the money. Asking again with the same reference is safe.
        row.status, row.reason, balance = "FAILED", str(exc), None
    row.updated_at = utcnow()
    session.add(row)
    await audit.record(
        session, f"cash.{body.type}.{row.status.lower()}", actor_id=user.id, entity_type="client",
        entity_id=client_id, payload={"transfer_id": row.id, "amount": str(body.amount), "reason": row.reason},
    )  # fmt: skip
    await session.commit()
    if row.status == "REFUSED":
        details = {"transfer_id": row.id}
        if "INSUFFICIENT_CASH" in (row.reason or ""):
            raise Conflict(row.reason or "not enough cash", code="INSUFFICIENT_CASH", details=details)
        raise Conflict(row.reason or "refused by the broker", code="CASH_REFUSED", details=details)
    if row.status == "FAILED":
        raise BrokerDown(f"the broker did not answer; transfer {row.id} may have gone through: check the ledger")
    return _out(row, balance)


async def _balance_after(ctx: AppContext, client: Client, entry: CashEntry) -> Decimal | None:
    try:
        entries = await _entries(ctx, client)
    except BrokerError:
        return None  # the transfer went through; only the figure after it is unknown
    total = Decimal(0)
    for each in entries:
        total += each.amount
        if each.entry_id == entry.entry_id:
            return total.quantize(PAISE)
    return None


def _out(row: CashTransfer, balance: Decimal | None) -> CashTransferOut:
    assert row.id is not None
    return CashTransferOut(
        id=row.id, client_id=row.client_id, type=row.kind,  # type: ignore[arg-type]
        amount=row.amount, note=row.note, status=row.status,  # type: ignore[arg-type]
        reason=row.reason, created_at=row.created_at, balance=balance,
    )  # fmt: skip


async def _entries(ctx: AppContext, client: Client) -> list[CashEntry]:
    account = broker_account(ctx.vault, client)
    return await ctx.brokers.call(client.broker, lambda adapter: adapter.cash_ledger(account), read=True)


async def ledger(ctx: AppContext, session: AsyncSession, user: User, client_id: int) -> LedgerOut:
    """Every movement oldest first with the balance after it; amounts exact in the sum, shown in paise."""
    client = await get_visible(session, user, client_id)
    _supported(ctx, client)
    await release_connection(session)
    try:
        entries = await _entries(ctx, client)
    except BrokerRejected as exc:
        raise Conflict(exc.reason, code=exc.code or "CASH_REFUSED") from None
    except BrokerError as exc:
        raise BrokerDown(f"could not read the ledger: {exc}") from None
    total = Decimal(0)
    out = []
    for entry in entries:
        total += entry.amount
        out.append(
            LedgerEntryOut(
                id=entry.entry_id, at=entry.ts, kind=entry.kind,  # type: ignore[arg-type]
                description=entry.description, amount=entry.amount.quantize(PAISE), balance=total.quantize(PAISE),
            )
        )  # fmt: skip
    return LedgerOut(client_id=client_id, balance=total.quantize(PAISE), entries=out)
