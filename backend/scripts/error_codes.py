"""Every machine-readable error code the API can hand to a person, found by reading app/ (no import, no server).

The frontend keeps one table of human sentences for these codes (frontend/src/lib/errors.ts); its vitest suite
fails when a code in the dump below has no sentence, and tests/test_error_codes.py fails when the dump is stale.
So a new code in the backend cannot reach a screen as bare machine text without someone writing its sentence.

    cd backend && .venv/bin/python scripts/error_codes.py --write   # refresh frontend/src/lib/error-codes.json

A code is a constant like INSUFFICIENT_MARGIN found where app/ hands one out:
- `code="X"` in any call (AppError subclasses, BrokerRejected, PreviewWarning, ...);
- `code = "X"` / `error_code = "X"` in a class body (the AppError subclasses, Starlette-style errors);
- the leading "X: " of a reason string (order and batch-row reasons read "INSUFFICIENT_MARGIN: required ...");
- the first argument of a call taking (code, message) (`_reject`, `error_response`, `RequestError`, a
  `("X", "message")` pair) and the second of `_check_price`'s (label, code, ...);
- a module constant named in a reason f-string (f"{TOO_MANY_LEGS}: ...");
- the values of a `...Code = Literal[...]` alias (preview warnings).
Plus the codes Starlette derives from an HTTP status phrase at run time (EXTRA below).
"""

import argparse
import ast
import json
import re
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent
APP = BACKEND / "app"
DUMP = BACKEND.parent / "frontend" / "src" / "lib" / "error-codes.json"

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
REASON_RE = re.compile(r"^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+): ")
# Calls taking a code positionally, and its position.
CODE_AT = {"_reject": 0, "RequestError": 0, "error_response": 1, "_check_price": 1}
# Codes app/api/errors.py builds from the HTTP status phrase of a Starlette HTTPException (routing answers).
EXTRA = {"METHOD_NOT_ALLOWED", "NOT_FOUND"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _const(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _codes_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    constants = {
        t.id: value
        for stmt in getattr(tree, "body", [])
        if isinstance(stmt, ast.Assign) and (value := _const(stmt.value)) is not None
        for t in stmt.targets
        if isinstance(t, ast.Name)
    }

    def add(value: str | None) -> None:
        if value is not None and CODE_RE.match(value):
            found.add(value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "code":
                    add(_const(kw.value))
            at = CODE_AT.get(_name(node.func))
            if at is not None and len(node.args) > at:
                add(_const(node.args[at]))
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in {"code", "error_code"} for t in stmt.targets
                ):
                    add(_const(stmt.value))
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
                code, message = (_const(e) for e in node.value.elts)
                if code is not None and message is not None and " " in message:
                    add(code)
            if any(t.endswith("Code") for t in targets) and isinstance(node.value, ast.Subscript):
                for part in ast.walk(node.value.slice):
                    add(_const(part))
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.FormattedValue) and isinstance(head.value, ast.Name) and len(node.values) > 1:
                # f"{TOO_MANY_LEGS}: ...": the module constant it names.
                if (_const(node.values[1]) or "").startswith(": "):
                    add(constants.get(head.value.id))
            else:
                match = REASON_RE.match(_const(head) or "")
                if match:
                    add(match.group(1))
        elif (text := _const(node)) is not None and (match := REASON_RE.match(text)):
            add(match.group(1))
    return found


def collect() -> list[str]:
    """Every code, sorted."""
    codes = set(EXTRA)
    for path in sorted(APP.rglob("*.py")):
        codes |= _codes_in(ast.parse(path.read_text(), str(path)))
    return sorted(codes)


def render(codes: list[str]) -> str:
    return json.dumps({"generated_by": "backend/scripts/error_codes.py", "codes": codes}, indent=2) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DUMP.relative_to(BACKEND.parent)}")
    args = parser.parse_args()
    text = render(collect())
    if args.write:
        DUMP.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
