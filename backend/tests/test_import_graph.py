"""The house rules on imports: no cycles among app/ modules (TYPE_CHECKING imports count), realtime/ never imports
services/. A package re-exporting its submodules (app.brokers.motilal) is not a cycle here: `from pkg.sub import x`
and `from pkg import sub` are edges to the submodule."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def import_graph() -> dict[str, set[str]]:
    paths = {}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def known(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                names += [f"{base}.{alias.name}" for alias in node.names]
        graph[module] = {target for name in names if (target := known(name)) and target != module}
    return graph


def test_no_import_cycles() -> None:
    try:
        TopologicalSorter(import_graph()).prepare()
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def test_realtime_does_not_import_services() -> None:
    reaching = {
        (module, target)
        for module, targets in import_graph().items()
        if module.startswith("app.realtime")
        for target in targets
        if target.startswith("app.services")
    }
    assert not reaching
