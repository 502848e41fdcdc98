"""Test connection: can the server log in to this client's broker account and read it, with the stored credentials?

The check is the one an order would go through: open (or reuse) the broker session, then read the account's
funds. A session the broker no longer accepts is replaced by the adapter itself (one fresh login, as for an
order). The answer is {"ok", "message"}: on failure the message says what was wrong in the broker's own words (a
refused password, an IP not whitelisted); the credentials themselves never appear in it. Each test is recorded
in the audit trail.
"""

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerAccount, BrokerAuthError, BrokerError, BrokerRejected, BrokerUnavailable
from app.context import AppContext
from app.db import release_connection
from app.models import User
from app.security.vault import VaultError
from app.services import audit
from app.services.accounts import broker_account
from app.services.clients import get_visible


class ConnectionTestOut(BaseModel):
    ok: bool
    message: str


async def check_connection(ctx: AppContext, session: AsyncSession, user: User, client_id: int) -> ConnectionTestOut:
    client = await get_visible(session, user, client_id)
    await release_connection(session)  # no connection held while the broker answers
    try:
        account = broker_account(ctx.vault, client)
    except VaultError:
        result = ConnectionTestOut(ok=False, message="The stored credentials cannot be decrypted; enter them again.")
    else:
        result = await _check(ctx, client.broker, account)
    await audit.record(
        session,
        "client.test_connection",
        actor_id=user.id,
        entity_type="client",
        entity_id=client.id,
        payload={"ok": result.ok},
    )
    await session.commit()
    return result


async def _check(ctx: AppContext, broker: str, account: BrokerAccount) -> ConnectionTestOut:
    try:
        await ctx.brokers.call(broker, lambda adapter: adapter.ensure_session(account))
        funds = await ctx.brokers.call(broker, lambda adapter: adapter.funds(account), read=True)
        return ConnectionTestOut(
            ok=True,
            message=f"Connected to {broker} as {account.broker_client_id}; margin available {funds.margin_available}.",
        )
    except BrokerAuthError as exc:
        return ConnectionTestOut(ok=False, message=f"{broker} refused the login: {exc}")
    except BrokerRejected as exc:
        return ConnectionTestOut(ok=False, message=f"{broker} refused: {exc.reason}")
    except BrokerUnavailable as exc:
        return ConnectionTestOut(ok=False, message=f"{broker} did not answer: {exc}")
    except BrokerError as exc:
        return ConnectionTestOut(ok=False, message=f"{broker}: {exc}")
