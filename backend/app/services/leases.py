"""Taking and giving back leases (app/models/lease.py): one holder at a time per name, across processes.

`hold(sessions, name, ...)` waits until the lease is free (or its holder let it expire), keeps it renewed while the
caller works, and gives it back at the end, whatever happened. Each attempt is one short transaction: no
connection is held while waiting for the lease or while holding it. `take`, `renew` and `give_back` are its steps,
for a holder that keeps a lease as long as it lives (app/services/runner.py).
"""

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import Conflict
from app.models import Lease
from app.models.types import utcnow

# Between two attempts to take a busy lease: short, since holders keep it for a fraction of a second to seconds.
RETRY_S = 0.02


class LeaseBusy(Conflict):
    """Another holder kept the lease for longer than the caller would wait (a 409 where a request asked)."""


async def _take(session: AsyncSession, name: str, holder: str, ttl_s: float) -> bool:
    now = utcnow()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"name": name, "holder": holder, "expires_at": now + timedelta(seconds=ttl_s)}
    statement = (
        dialect.insert(Lease)
        .values(values)
        .on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "expires_at": values["expires_at"]},
            # Only a lapsed lease is taken over: its holder died or stalled past the time it asked for.
            where=Lease.expires_at < now,
        )
        .returning(Lease.holder)
    )
    taken = (await session.execute(statement)).scalar_one_or_none() == holder
    await session.commit()
    return taken


async def take(sessions: async_sessionmaker[AsyncSession], name: str, holder: str, ttl_s: float) -> bool:
    """One attempt to take the lease `name` for `holder`: True if it was free or had lapsed."""
    async with sessions() as session:
        return await _take(session, name, holder, ttl_s)


async def renew(sessions: async_sessionmaker[AsyncSession], name: str, holder: str, ttl_s: float) -> bool:
    """Push the lease's expiry `ttl_s` ahead; False when `holder` no longer has it (it lapsed and was taken)."""
    async with sessions() as session:
        renewed = await session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=utcnow() + timedelta(seconds=ttl_s))
        )
        await session.commit()
    return renewed.rowcount == 1


async def _renew_forever(sessions: async_sessionmaker[AsyncSession], name: str, holder: str, ttl_s: float) -> None:
    while True:
        await asyncio.sleep(ttl_s / 3)
        await renew(sessions, name, holder, ttl_s)


@contextlib.asynccontextmanager
async def hold(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    *,
    ttl_s: float,
    wait_s: float,
    busy: tuple[str, str],
) -> AsyncIterator[None]:
    """Hold the lease `name` for the body; LeaseBusy with `busy` (code, message) if it stays taken for `wait_s`
    (with 0, if it is taken now)."""
    holder = secrets.token_hex(16)
    deadline = time.monotonic() + wait_s
    while True:
        if await take(sessions, name, holder, ttl_s):
            break
        if time.monotonic() >= deadline:
            code, message = busy
            raise LeaseBusy(message, code=code, details={"lease": name})
        await asyncio.sleep(RETRY_S)
    renewing = asyncio.create_task(_renew_forever(sessions, name, holder, ttl_s), name=f"renew-lease-{name}")
    try:
        yield
    finally:
        renewing.cancel()
        try:
            # Given back even when the caller was cancelled: otherwise the next exit waits for the lease to lapse.
            await asyncio.shield(give_back(sessions, name, holder))
        finally:
            # Waited for without suppressing CancelledError: a cancellation of the caller arriving here must reach
            # it (suppressing the renewal's would swallow the caller's too, and it would run on as if never told).
            await asyncio.wait([renewing])


async def give_back(sessions: async_sessionmaker[AsyncSession], name: str, holder: str) -> None:
    async with sessions() as session:
        await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
        await session.commit()
