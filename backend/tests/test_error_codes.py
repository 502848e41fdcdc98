"""The frontend's list of error codes (frontend/src/lib/error-codes.json, each given a human sentence in
frontend/src/lib/errors.ts) is the one scripts/error_codes.py reads out of app/ today."""

import ast
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "error_codes.py"


def _script():
    spec = importlib.util.spec_from_file_location("error_codes", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_dump_is_current() -> None:
    script = _script()
    assert script.DUMP.read_text() == script.render(script.collect()), (
        "frontend/src/lib/error-codes.json is stale: run `cd backend && .venv/bin/python scripts/error_codes.py "
        "--write`, then give each new code a sentence in frontend/src/lib/errors.ts"
    )


def test_it_finds_codes_wherever_app_hands_them_out() -> None:
    codes = set(_script().collect())
    assert {
        "VALIDATION_ERROR",  # an AppError subclass's class attribute
        "TRADING_HALTED",  # code="..." at a raise
        "INSUFFICIENT_MARGIN",  # a broker's reason "INSUFFICIENT_MARGIN: required ..."
        "PRICE_BAND",  # the first argument of risk's _reject
        "INTERNAL_ERROR",  # error_response(500, "INTERNAL_ERROR", ...)
        "INVALID_PRICE",  # _check_price("price", "INVALID_PRICE", ...)
        "TOO_MANY_LEGS",  # f"{TOO_MANY_LEGS}: ..." naming a module constant
        "NOT_AT_BROKER",  # a module-level reason string
        "UNKNOWN_FIELD",
        "METHOD_NOT_ALLOWED",  # Starlette's phrase-derived code
    } <= codes
    # Enum members and setting names that merely look like codes are not taken.
    assert not {"EXECUTE_ALL", "PARTIALLY_FILLED", "HOLDING_AND_POSITION"} & codes


def test_a_new_code_in_app_would_be_found() -> None:
    script = _script()
    tree = ast.parse(
        "class Late(AppError):\n    code = 'LATE_CODE'\n"
        "def f():\n    raise Conflict('x', code='NEW_CONFLICT')\n"
        "REASON = f'ODD_REASON: {1}'\n"
    )
    assert script._codes_in(tree) == {"LATE_CODE", "NEW_CONFLICT", "ODD_REASON"}
