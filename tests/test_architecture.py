"""The layout keeps its promises (README, "Architecture"): adapters hold no database code,
dependencies point inward, no import cycle (imports inside functions counted), handlers stay
short and service modules small. Read from the source with `ast`, so a new file is checked too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "nlu", "storage", "locales")
ADAPTERS = ("bot/telegram", "bot/cli", "bot/jobs", "bot/console", "bot/web")
ADAPTER_IMPORTS = (
    "telegram",
    "bot.telegram",
    "bot.cli",
    "bot.jobs",
    "bot.console",
    "bot.web",
    "fastapi",
    "starlette",
)
HANDLER_LINES = 40
SERVICE_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every project module this one imports (at any depth of the code), with the line."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _known(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield from _known(full if full in MODULES else base, node.lineno)


def _known(name: str, line: int) -> Iterator[tuple[str, int]]:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    if name:
        yield name, line


def graph() -> dict[str, set[str]]:
    return {
        name: {target for target, _ in imported(name, path) if target != name}
        for name, path in MODULES.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), i.e. import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def in_adapters(name: str) -> bool:
    return any(str(MODULES[name].relative_to(ROOT)).startswith(a) for a in ADAPTERS)


def test_the_checker_sees_a_cycle_and_imports_inside_functions() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    inner = {target for target, _ in imported("bot.cli.main", MODULES["bot.cli.main"])}
    assert "bot.runtime" in inner


def test_no_import_cycle_among_the_projects_modules() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize("forbidden", ["sqlalchemy", "storage"])
def test_adapters_do_not_touch_the_database(forbidden: str) -> None:
    offenders = []
    for name, path in MODULES.items():
        if not in_adapters(name):
            continue
        for node in ast.walk(parsed(path)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == forbidden or n.startswith(forbidden + ".") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_adapters_open_no_session_and_no_transaction() -> None:
    offenders = []
    for name, path in MODULES.items():
        if not in_adapters(name):
            continue
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Attribute) and node.attr in (
                "session_factory",
                "begin",
                "scalars",
                "execute",
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_services_never_import_an_adapter() -> None:
    offenders = [
        f"{name} → {target}"
        for name, targets in graph().items()
        if name.startswith("bot.services")
        for target in targets
        if target.startswith(ADAPTER_IMPORTS)
    ]
    assert offenders == []


def test_telegram_handlers_are_short() -> None:
    long = []
    for name, path in MODULES.items():
        if not name.startswith("bot.telegram"):
            continue
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > HANDLER_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {length}")
    assert long == []


def test_service_modules_are_small() -> None:
    big = [
        f"{path.relative_to(ROOT)}: {len(path.read_text(encoding='utf-8').splitlines())}"
        for name, path in MODULES.items()
        if name.startswith("bot.services")
        and len(path.read_text(encoding="utf-8").splitlines()) > SERVICE_LINES
    ]
    assert big == []


def test_every_audited_action_has_a_name_in_the_trail() -> None:
    """The audit trail page says what happened in plain words: every action a service writes
    (found in the source, f-strings by their known endings) has a text in trail.ACTION_NAMES."""
    from bot.services.people.trail import ACTION_NAMES

    endings = {
        "alert_{action}": ("called", "snooze", "resolve"),
        "report_{kind}": ("pdf", "csv"),
        "broadcast_{broadcast.state.value}": ("cancelled", "stopped"),
    }
    written: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("record", "record_many", "noted")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and len(node.args) >= 3
            ):
                continue
            action = node.args[2]
            if isinstance(action, ast.Constant) and isinstance(action.value, str):
                written.add(action.value)
            elif isinstance(action, ast.JoinedStr):
                pattern = ast.unparse(action)[2:-1]
                assert pattern in endings, f"{path}: name the endings of {pattern}"
                prefix = pattern.split("{")[0]
                written.update(prefix + end for end in endings[pattern])
    assert len(written) >= 30  # the walk finds them
    assert sorted(written - set(ACTION_NAMES)) == []
