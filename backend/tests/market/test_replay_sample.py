"""The sample replay file: the CLI makes it from the simulator's prices, reproducibly, and it replays clean."""

from pathlib import Path

from app.cli import main
from app.config import REPO_ROOT
from app.market.replay_csv import read_candles

TOKENS = {"RELIANCE": 2885, "TCS": 11536, "HDFCBANK": 1333}


def resolve(symbols: set[str]) -> dict[str, int]:
    return {symbol: TOKENS[symbol] for symbol in symbols}


def test_the_cli_writes_the_same_replayable_file_for_a_seed(tmp_path: Path) -> None:
    args = ["replay", "sample", "--minutes", "30", "--symbols", "RELIANCE,TCS", "--seed", "3"]
    assert main([*args, "--out", str(tmp_path / "a.csv")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    candles = read_candles(tmp_path / "a.csv", resolve=resolve)
    assert len(candles) == 60 and {c.token_id for c in candles} == {2885, 11536}


def test_the_committed_sample_replays() -> None:
    candles = read_candles(REPO_ROOT / "data" / "replay" / "sample-1m.csv", resolve=resolve)
    assert len({c.start for c in candles}) == 120 and {c.token_id for c in candles} == set(TOKENS.values())
