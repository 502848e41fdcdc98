"""Operator commands: `python -m app.cli serve|migrate|rotate-keys|verify-audit`."""

import argparse
import asyncio
import os
import sys

import uvicorn

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


def _serve() -> int:
    settings = Settings()
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104  (served on every interface, as a container must be)
    print(f"MultiDesk on http://127.0.0.1:{port}  (data: {settings.data_dir.resolve()})", flush=True)
    if settings.demo_mode:
        print("demo logins: advisor@example.com / advisor123   admin@example.com / admin123", flush=True)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=1,
        log_level="info",
        # Per-message compression cost about a third of the CPU spent sending price updates (measured with
        # `make bench`), and those frames are small JSON objects that compress little.
        ws_per_message_deflate=False,
        # The app configures logging (JSON or text, with request ids) and writes its own access lines.
        log_config=None,
        access_log=False,
        # Uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, so any local caller could pick its address;
        # the app believes it only from MULTIDESK_TRUSTED_PROXIES (app.main).
        proxy_headers=False,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="multidesk")
    parser.add_argument("command", choices=["serve", "migrate", "rotate-keys", "verify-audit"])
    command = parser.parse_args(argv).command
    if command == "serve":
        return _serve()
    if command == "migrate":
        asyncio.run(upgrade_head(Settings().resolved_database_url))
        return 0
    if command == "rotate-keys":
        return asyncio.run(_rotate_keys())
    return asyncio.run(_verify_audit())


if __name__ == "__main__":
    sys.exit(main())
