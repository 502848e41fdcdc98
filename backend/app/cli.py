"""Operator commands: `python -m app.cli serve|migrate|rotate-keys|verify-audit|instruments import|replay sample|
simulator serve`."""

import argparse
import asyncio
import sys
from pathlib import Path

from app import cli_replay, cli_serve, cli_simulator
from app.cli_instruments import SOURCES, run_import
from app.config import Settings
from app.context import AppContext
from app.db import upgrade_head
from app.services import audit
from app.services.clients import rotate_credential_keys


async def _rotate_keys() -> int:
    ctx = AppContext.build(Settings())
    try:
        async with ctx.sessions() as session:
            rotated = await rotate_credential_keys(session, ctx.vault)
        print(f"re-encrypted {rotated} client credential rows with key {ctx.vault.current_key_id}")
        return 0
    finally:
        await ctx.close()


async def _verify_audit() -> int:
    ctx = AppContext.build(Settings())
    try:
        async with ctx.sessions() as session:
            report = await audit.verify_chain(session)
        if report.ok:
            print(f"audit chain intact: {report.checked} events")
            return 0
        print(f"audit chain BROKEN at event {report.first_broken_id}: {report.reason}", file=sys.stderr)
        return 1
    finally:
        await ctx.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="multidesk")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "migrate", "rotate-keys", "verify-audit"):
        commands.add_parser(name)
    instruments = commands.add_parser("instruments", help="manage the instruments (tokens) table")
    actions = instruments.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="upsert instruments from data/tokens.csv or a broker's master")
    load.add_argument("--from", dest="source", choices=SOURCES, default="csv", help="csv (the default) or a broker")
    load.add_argument("--exchange", help="with a broker: NSE, BSE, NSEFO (or NFO), BSEFO (or BFO), NSECD, MCX")
    load.add_argument("--file", type=Path, help="with csv: the file to read (default: MULTIDESK_TOKENS_CSV)")
    cli_replay.add_parser(commands)
    cli_simulator.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command
    if command == "instruments":
        return asyncio.run(run_import(args.source, args.exchange, args.file))
    if command == "replay":
        return cli_replay.run(args)
    if command == "simulator":
        return cli_simulator.run(args)
    if command == "serve":
        return cli_serve.run()
    if command == "migrate":
        asyncio.run(upgrade_head(Settings().resolved_database_url))
        return 0
    if command == "rotate-keys":
        return asyncio.run(_rotate_keys())
    return asyncio.run(_verify_audit())


if __name__ == "__main__":
    sys.exit(main())
