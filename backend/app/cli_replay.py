"""`python -m app.cli replay sample`: a replay file of 1-minute candles made by the simulator's price model.

Each minute is 60 one-second GBM steps of PriceModel (the simulated broker's own prices), made into a candle;
volume is drawn per minute from the same seed, so a seed always makes the same file. Timestamps are written as
Indian time without a zone ("YYYY-MM-DD HH:MM:SS"), the way broker exports write them.
"""

import argparse
import csv
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app.brokers.base import InstrumentRef
from app.brokers.simulator.prices import PriceModel
from app.config import Settings

DEFAULT_SYMBOLS = ("RELIANCE", "TCS", "HDFCBANK")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = commands.add_parser("replay", help="replay files (MULTIDESK_MARKET_DATA=replay)")
    actions = replay.add_subparsers(dest="action", required=True)
    sample = actions.add_parser("sample", help="write a sample file of 1-minute candles made by the simulator")
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--symbols", default=",".join(DEFAULT_SYMBOLS), help="comma-separated, from tokens.csv")
    sample.add_argument("--minutes", type=int, default=120)
    sample.add_argument("--start", default="2026-11-30 09:15:00", help="the first minute, Indian time")
    sample.add_argument("--seed", type=int, default=15)
    sample.add_argument("--tokens-csv", type=Path, help="default: MULTIDESK_TOKENS_CSV")


def run(args: argparse.Namespace) -> int:
    tokens_csv = args.tokens_csv or Settings().tokens_csv
    rows = write_sample(
        args.out,
        tokens_csv=tokens_csv,
        symbols=[s.strip().upper() for s in args.symbols.split(",") if s.strip()],
        minutes=args.minutes,
        start=datetime.fromisoformat(args.start),
        seed=args.seed,
    )
    print(f"wrote {rows} candles to {args.out}")
    return 0


def write_sample(out: Path, *, tokens_csv: Path, symbols: list[str], minutes: int, start: datetime, seed: int) -> int:
    with tokens_csv.open(newline="") as handle:
        known = {row["symbol"].upper(): row for row in csv.DictReader(handle)}
    missing = [symbol for symbol in symbols if symbol not in known]
    if missing:
        raise SystemExit(f"not in {tokens_csv}: {', '.join(missing)}")
    instruments = [
        InstrumentRef(
            token_id=int(known[s]["token_id"]),
            symbol=s,
            exchange=known[s]["exchange"],
            instrument_type=known[s]["instrument_type"],
            lot_size=int(known[s]["lot_size"]),
            tick_size=Decimal(known[s]["tick_size"]),
        )
        for s in symbols
    ]
    prices = PriceModel(
        seed=seed,
        tick_interval_s=1.0,
        volatility=0.35,
        initial_prices={i.token_id: Decimal(known[i.symbol]["ref_price"]) for i in instruments},
    )
    for instrument in instruments:
        prices.register(instrument)
    volumes = random.Random(f"volume:{seed}")
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "open", "high", "low", "close", "volume", "symbol"])
        for minute in range(minutes):
            stamp = (start + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:%S")
            path: dict[int, list[Decimal]] = {i.token_id: [prices.last_price(i.token_id)] for i in instruments}
            for _ in range(60):
                for quote in prices.tick():
                    path[quote.token_id].append(quote.ltp)
            for instrument in instruments:
                seen = path[instrument.token_id]
                volume = volumes.randint(200, 5000)
                writer.writerow([stamp, seen[0], max(seen), min(seen), seen[-1], volume, instrument.symbol])
                written += 1
    return written
