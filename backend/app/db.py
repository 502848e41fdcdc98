"""The async database engine, sessions, schema migration at start-up, and what "the database is unavailable" means.

An unreachable or stuck database surfaces as one exception, `DatabaseUnavailable`, whatever the driver raised
(refused, reset, no answer in time, SQLite locked past its wait), so the API can answer 503 DATABASE_UNAVAILABLE
instead of a 500 or a hang. Every wait is bounded by the URL's `timeout` (seconds, default 30): connecting to
PostgreSQL, each PostgreSQL statement (`command_timeout` overrides it), SQLite's wait for a lock, and the wait for a
free pooled connection (unless MULTIDESK_DB_POOL_TIMEOUT_S says otherwise). A pooled PostgreSQL connection is
pinged before use, so connections cut by a database restart are replaced, not reused.

The pool is small on purpose (MULTIDESK_DB_POOL_SIZE + MULTIDESK_DB_MAX_OVERFLOW) because requests do not hold a
connection while they wait: a session's connection goes back to the pool before any wait on a broker, the order
writer or a batch (`release_connection`, or a session that ends first), and order writes take a turn
(`write_turn`) before they queue on the audit chain's lock, so most connections are busy only while statements run.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

BACKEND_DIR = Path(__file__).resolve().parents[1]
DEFAULT_TIMEOUT_S = 30.0
# Connections a process keeps open, and how many more it may open under load (the settings' defaults).
DEFAULT_POOL_SIZE = 10
DEFAULT_MAX_OVERFLOW = 10
# sqlite3 error names that say the file cannot be used right now (locked, unopenable, disk trouble), not that the
# statement was wrong.
_SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
)
# PostgreSQL SQLSTATEs of the same kind: class 08 (connection), the server shutting down or starting up, too many
# connections.
_POSTGRES_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53300")


class DatabaseUnavailable(Exception):
    """The database refused, dropped or did not answer in time, or stayed locked past the wait.

    `reason` is short and safe to show (the driver's error class, SQLite error name or SQLSTATE); the message adds
    the driver's own words, for the logs.
    """

    def __init__(self, error: BaseException) -> None:
        self.reason = str(
            getattr(error, "sqlite_errorname", None) or getattr(error, "sqlstate", None) or type(error).__name__
        )
        detail = str(error).strip()
        super().__init__(f"the database is unavailable: {self.reason}" + (f" ({detail})" if detail else ""))


def make_engine(
    url: str,
    *,
    pool_size: int = DEFAULT_POOL_SIZE,
    max_overflow: int = DEFAULT_MAX_OVERFLOW,
    pool_timeout_s: float | None = None,
) -> AsyncEngine:
    """The engine for `url`, its pool sized by the settings (MULTIDESK_DB_POOL_SIZE, _MAX_OVERFLOW, _TIMEOUT_S);
    the wait for a free connection defaults to the URL's `timeout`."""
    given = make_url(url)
    timeout = float(given.query.get("timeout", DEFAULT_TIMEOUT_S))
    command_timeout = float(given.query.get("command_timeout", timeout))
    # Handed to the drivers as numbers: from the URL they would get strings.
    target = given.difference_update_query(["timeout", "command_timeout"])
    pool: dict[str, Any] = {"pool_timeout": timeout if pool_timeout_s is None else pool_timeout_s}
    if not (target.drivername.startswith("sqlite") and _in_memory(target.database)):
        # An in-memory SQLite database has one shared connection (a static pool): nothing to size.
        pool |= {"pool_size": pool_size, "max_overflow": max_overflow}
    if target.drivername.startswith("sqlite"):
        # sqlite3's timeout is its busy timeout: how long a statement waits for another connection's lock.
        engine = create_async_engine(target, **pool, connect_args={"timeout": timeout})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        engine = create_async_engine(
            target, **pool, connect_args={"timeout": timeout, "command_timeout": command_timeout}
        )
        event.listen(engine.sync_engine, "connect", _mark_fresh)
        event.listen(engine.sync_engine, "checkout", _ping)
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "handle_error", _unavailable_error)
    return engine


def _in_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or "mode=memory" in database


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while a batch writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _mark_fresh(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["fresh"] = True


def _ping(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Replaces pool_pre_ping, whose timeouts escape as bare TimeoutErrors: any failed ping makes the pool discard
    the connection and connect anew (a failure there is DatabaseUnavailable)."""
    if record.info.pop("fresh", False):
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError(f"ping failed: {type(exc).__name__}") from exc


def _connect(dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:  # refused, reset, unreachable; TimeoutError (no answer within `timeout`) is one too
        raise DatabaseUnavailable(exc) from exc


def _unavailable_error(context: ExceptionContext) -> None:
    error = context.original_exception
    if not isinstance(error, Exception):
        # A cancelled task (asyncio.CancelledError) must stay cancelled, not turn into an outage it can catch.
        return
    if isinstance(error, OSError):
        # The driver's own socket error or timeout mid-statement: the connection's state is unknown, so drop it.
        context.is_disconnect = True
    elif not (context.is_disconnect or _unavailable_code(error)):
        return
    raise DatabaseUnavailable(error) from error


def _unavailable_code(error: BaseException) -> bool:
    name = str(getattr(error, "sqlite_errorname", ""))
    sqlstate = str(getattr(error, "sqlstate", "") or "")
    return name.startswith(_SQLITE_UNAVAILABLE) or (bool(sqlstate) and sqlstate.startswith(_POSTGRES_UNAVAILABLE))


async def release_connection(session: AsyncSession) -> None:
    """Give the session's connection back to the pool before a slow wait (a broker, the order writer, a batch).

    It ends the session's transaction, so call it only once everything written so far is meant to be committed
    (usually: nothing was written yet). What the session loaded stays readable (sessions do not expire on commit);
    its next statement checks a connection out again.
    """
    await session.commit()


def make_write_turns(pool_size: int, max_overflow: int) -> asyncio.Semaphore:
    """A quarter of the pool may queue to write at once; the rest stays free for everything else."""
    return asyncio.Semaphore(max(1, (pool_size + max_overflow) // 4))


@contextlib.asynccontextmanager
async def write_turn(turns: asyncio.Semaphore, session: AsyncSession) -> AsyncIterator[None]:
    """Wait for one of the process's turns to write, holding no connection meanwhile; write within the block.

    Every order write appends to the audit chain, whose head is one lock (a row lock on PostgreSQL, the write lock
    on SQLite), and a transaction queueing for a lock holds its connection. Without turns a burst of orders puts
    every pooled connection in that queue and starves every other request; with them at most a quarter of the pool
    waits there. The session's connection goes back first: its reads are done and it has written nothing yet.
    """
    await release_connection(session)
    async with turns:
        yield


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session


def alembic_config(url: str) -> Config:
    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND_DIR / "migrations"))
    config.attributes["database_url"] = url
    return config


async def upgrade_head(url: str) -> None:
    """Bring the schema to the newest migration; the only way tables are made."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")


async def schema_is_current(engine: AsyncEngine, url: str) -> bool:
    """Whether the database is at the newest migration (checked when start-up does not migrate itself)."""
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    async with engine.connect() as connection:
        current = await connection.run_sync(lambda sync: set(MigrationContext.configure(sync).get_current_heads()))
    return current == heads
