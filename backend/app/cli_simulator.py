"""`python -m app.cli simulator serve`: the shared simulator venue (app/brokers/simulator/venue_server.py).

It reads the same MULTIDESK_SIM_* settings as the in-process simulator, and keeps its journal at
MULTIDESK_DATA_DIR/simulator-journal.jsonl (MULTIDESK_SIM_PERSIST=false keeps the books in memory only).
"""

import argparse
import logging

import uvicorn

from app.brokers.simulator.venue_server import create_venue_app
from app.config import Settings
from app.context import simulator_settings

DEFAULT_PORT = 8100


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    simulator = commands.add_parser("simulator", help="the shared simulator venue")
    actions = simulator.add_subparsers(dest="action", required=True)
    serve = actions.add_parser("serve", help="serve the venue over HTTP (one process: it owns the journal)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    serve.add_argument("--host", default="0.0.0.0", help="default 0.0.0.0 (every interface, as a container needs)")  # noqa: S104


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    sim = simulator_settings(settings)
    if sim.journal_path is not None:
        sim.journal_path.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"simulator venue on http://{args.host}:{args.port}  (journal: {sim.journal_path or 'off'})", flush=True)
    uvicorn.run(create_venue_app(sim), host=args.host, port=args.port, log_level="warning", proxy_headers=False)
    return 0
