"""Read and validate flow files; every problem names the file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from flows.model import Flow, FlowError, Step
from flows.steps import REGISTRY

DEFINITIONS = Path(__file__).resolve().parent / "definitions"


class _LineLoader(yaml.SafeLoader):
    """Remembers the line of each mapping so errors can point at it."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__keys__"] = {
            self.construct_object(key): key.start_mark.line + 1 for key, _ in node.value
        }
        return mapping


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("__line__", "__keys__")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def load_flow(path: Path) -> Flow:
    """Parse one flow file and check its structure (types, fields, branches, reachability)."""
    source = str(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        raise FlowError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise FlowError(f"{source}:1: a flow file is a mapping with id, start and steps")
    for key in ("id", "start", "steps"):
        if key not in raw:
            raise FlowError(f"{source}:{raw['__line__']}: missing '{key}'")
    if not isinstance(raw["steps"], dict) or not raw["steps"]:
        raise FlowError(f"{source}:{raw['__line__']}: 'steps' must map step names to steps")
    steps: dict[str, Step] = {}
    for name, body in raw["steps"].items():
        if name in ("__line__", "__keys__"):
            continue
        line = raw["steps"]["__keys__"][name]
        if not isinstance(body, dict):
            raise FlowError(f"{source}:{line}: step '{name}' must be a mapping")
        kind = body.get("type")
        if kind not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise FlowError(f"{source}:{line}: step '{name}' has unknown type {kind!r} ({known})")
        spec = _strip(body)
        when = spec.get("when")
        if when is not None and not (
            isinstance(when, dict) and all(isinstance(k, str) for k in when) and when
        ):
            raise FlowError(f"{source}:{line}: step '{name}' 'when' must map variables to values")
        for problem in REGISTRY[kind].check(spec):
            raise FlowError(f"{source}:{line}: step '{name}' {problem}")
        steps[name] = Step(name=name, type=kind, spec=spec, line=line)
    flow = Flow(
        id=str(raw["id"]),
        start=str(raw["start"]),
        steps=steps,
        max_steps=int(raw.get("max_steps", 50)),
        source=source,
    )
    _check_graph(flow, raw["__line__"])
    return flow


def _check_graph(flow: Flow, line: int) -> None:
    if flow.start not in flow.steps:
        raise FlowError(f"{flow.source}:{line}: start step '{flow.start}' does not exist")
    for step in flow.steps.values():
        for target in REGISTRY[step.type].targets(step.spec):
            if target not in flow.steps:
                raise FlowError(
                    f"{flow.source}:{step.line}: step '{step.name}' leads to '{target}',"
                    " which is not a step"
                )
    seen, todo = set(), [flow.start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(REGISTRY[flow.steps[name].type].targets(flow.steps[name].spec))
    for name in flow.steps.keys() - seen:
        raise FlowError(f"{flow.source}:{flow.steps[name].line}: step '{name}' is never reached")


def flow_texts(flow: Flow) -> list[tuple[int, str]]:
    """(line, msgid) for every text a flow can show."""
    return [
        (step.line, text)
        for step in flow.steps.values()
        for text in REGISTRY[step.type].texts(step.spec)
    ]


def load_all(
    directory: Path = DEFINITIONS,
    translated: Callable[[str], list[str]] | None = None,
) -> dict[str, Flow]:
    """Load every flow; with `translated` (msgid → languages missing it), check translations too."""
    flows: dict[str, Flow] = {}
    for path in sorted(directory.glob("*.yaml")):
        flow = load_flow(path)
        if flow.id in flows:
            raise FlowError(f"{path}: flow id '{flow.id}' is used twice")
        if translated is not None:
            for line, text in flow_texts(flow):
                missing = translated(text)
                if missing:
                    raise FlowError(
                        f"{path}:{line}: {text!r} has no translation in {', '.join(missing)}"
                    )
        flows[flow.id] = flow
    return flows
