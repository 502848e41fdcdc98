"""`python -m app.cli instruments import`: upsert instruments from data/tokens.csv or from a broker's master.

    instruments import                                   data/tokens.csv (MULTIDESK_TOKENS_CSV), as start-up does
    instruments import --from csv --file other.csv       another file in the same format
    instruments import --from motilal --exchange NSE     Motilal's scrip master for NSE (BSE, NSEFO/NFO, BSEFO...)

A broker's master needs no client account (Motilal's is a public download). Rows that cannot be read are skipped
and counted, tokens another exchange already holds are left alone and listed; neither fails the import.

Exit codes: 0 imported; 1 the source could not be used (a file that is not a tokens file, a broker answer that is
not an instrument master, a refusal, a database not at the newest migration); 2 a bad request (no or unknown
exchange, a broker without an instrument master); 3 the broker could not be reached or did not answer.
"""

import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerAdapter, BrokerRejected, BrokerUnavailable, InstrumentMaster
from app.brokers.motilal import MotilalBroker
from app.config import Settings
from app.context import AppContext, motilal_config
from app.db import schema_is_current, upgrade_head
from app.enums import BrokerName
from app.market.instruments import TokensFileError, parse_tokens_csv
from app.services.instruments import import_master, upsert_instruments

EXIT_OK, EXIT_SOURCE, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
SOURCES = ("csv", BrokerName.MOTILAL.value)
# Codes of a BrokerRejected that mean the request itself was wrong, not the broker's answer.
_USAGE_CODES = frozenset({"UNKNOWN_EXCHANGE", "NO_INSTRUMENT_MASTER"})
_SHOWN = 10  # skipped rows and conflicts printed one by one; the rest are counted


def _fail(code: int, message: str) -> int:
    print(f"instruments import: {message}", file=sys.stderr)
    return code


def _adapter(settings: Settings, source: str) -> BrokerAdapter:
    # Only the adapter is needed, not the registry: the download is one operator request, not client traffic.
    if source == BrokerName.MOTILAL.value:
        return MotilalBroker(motilal_config(settings))
    raise ValueError(source)


async def run_import(source: str, exchange: str | None, file: Path | None, settings: Settings | None = None) -> int:
    settings = settings or Settings()
    if source != "csv" and not exchange:
        return _fail(EXIT_USAGE, f"--exchange is required with --from {source} (e.g. NSE, BSE, NSEFO)")
    master: InstrumentMaster | None = None
    if source != "csv":
        assert exchange is not None
        adapter = _adapter(settings, source)
        try:
            master = await adapter.instruments(exchange)
        except BrokerUnavailable as exc:
            return _fail(EXIT_UNREACHABLE, f"{source} is unreachable: {exc}")
        except BrokerRejected as exc:
            return _fail(EXIT_USAGE if exc.code in _USAGE_CODES else EXIT_SOURCE, str(exc))
        finally:
            await adapter.close()
    ctx = AppContext.build(settings)
    try:
        if settings.migrate_on_start:
            await upgrade_head(settings.resolved_database_url)
        elif not await schema_is_current(ctx.engine, settings.resolved_database_url):
            return _fail(EXIT_SOURCE, "the database is not at the newest migration: run `python -m app.cli migrate`")
        async with ctx.sessions() as session:
            if master is None:
                return await _import_csv(session, file or settings.tokens_csv)
            summary = await import_master(session, master, source)
    finally:
        await ctx.close()
    print(
        f"{source} {master.exchange}: {len(master.instruments)} instruments read, {summary.added} added, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {len(master.skipped)} rows skipped, "
        f"{len(summary.conflicts)} conflicts"
    )
    for row in master.skipped[:_SHOWN]:
        print(f"  skipped line {row.line}: {row.reason}")
    for conflict in summary.conflicts[:_SHOWN]:
        print(f"  conflict: {conflict} (left as it is)")
    hidden = max(len(master.skipped) - _SHOWN, 0) + max(len(summary.conflicts) - _SHOWN, 0)
    if hidden:
        print(f"  ... and {hidden} more (see the log)")
    return EXIT_OK


async def _import_csv(session: AsyncSession, path: Path) -> int:
    try:
        rows, errors = parse_tokens_csv(path)
    except (TokensFileError, OSError) as exc:
        return _fail(EXIT_SOURCE, str(exc))
    changed = await upsert_instruments(session, rows)
    print(f"csv {path.name}: {len(rows)} instruments read, {changed} added or changed, {len(errors)} rows skipped")
    for error in errors[:_SHOWN]:
        print(f"  skipped line {error.line}: {error.message}")
    return EXIT_OK
