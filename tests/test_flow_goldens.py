"""Golden flow tests (goflow's runner): each `tests/flows/<flow>.test.yaml` drives the pure engine.

A file names its `flow` and lists `cases`. A case has the `vars` the host starts the flow with
and `turns`: the first is `start: ~`, each later one is an event, `tap: 3` (the third button of
the question the run waits on, counted from 1 as a person would), `tap: {option: 1, step: x}` or
`tap: {option: 1, instance: old}` (a button from an earlier step or an earlier run), `text: "…"`
or `text_length: 3801` (that many letters). After the event come the expected `out` (the
effects, as plain data) and `waiting` (the step the run waits on, null once it is over).

`pytest --update-snapshots` writes what the engine does now into `out` and `waiting` instead of
failing: review the diff before committing it. No database and no Telegram are involved; the
state goes through JSON between turns, as the host stores it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n import LANGUAGES
from flows import engine
from flows.loader import load_all
from flows.model import (
    Action,
    Button,
    Effect,
    Env,
    Event,
    Finished,
    Flow,
    Reprompt,
    Send,
    SetLanguage,
    Stale,
    Tap,
    Text,
)
from flows.steps import REGISTRY

GOLDENS = Path(__file__).resolve().parent / "flows"
ENV = Env(languages=LANGUAGES)
INSTANCE = "run1"
EXPECTED = ("out", "waiting")
FLOWS = load_all()


@dataclass(frozen=True)
class Golden:
    path: Path
    flow: str
    index: int
    case: dict[str, Any]


def goldens() -> list[Golden]:
    found = []
    for path in sorted(GOLDENS.glob("*.test.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, case in enumerate(document["cases"]):
            found.append(Golden(path, document["flow"], index, case))
    return found


def button(b: Button) -> Any:
    if b.kind == "msgid":
        return b.label
    return {b.kind: b.label}


def send(s: Send) -> dict[str, Any]:
    shown: dict[str, Any] = {"send": s.text}
    if s.literal:
        shown["literal"] = True
    if s.params:
        shown["params"] = dict(s.params)
    if s.buttons:
        shown["buttons"] = [button(b) for b in s.buttons]
    return shown


def plain(effect: Effect) -> Any:
    """An effect as the data a golden file holds."""
    if isinstance(effect, Send):
        return send(effect)
    if isinstance(effect, SetLanguage):
        return {"set_language": effect.language}
    if isinstance(effect, Action):
        return {"action": effect.name, "vars": copy.deepcopy(effect.vars)}
    if isinstance(effect, Reprompt):
        shown: dict[str, Any] = {"reprompt": send(effect.send)}
        if effect.reason is not None:
            shown["reason"] = effect.reason
        if effect.params:
            shown["params"] = dict(effect.params)
        return shown
    if isinstance(effect, Stale):
        return "stale"
    if isinstance(effect, Finished):
        return {"finished": effect.flow_id}
    raise AssertionError(f"an effect the golden runner does not know: {effect!r}")


def event_of(turn: dict[str, Any], state: dict[str, Any]) -> Event:
    if "text" in turn:
        return Text(str(turn["text"]))
    if "text_length" in turn:
        return Text("x" * int(turn["text_length"]))
    tap = turn["tap"]
    if isinstance(tap, int):
        tap = {"option": tap}
    return Tap(
        tap.get("instance", INSTANCE), tap.get("step", state.get("step")), int(tap["option"]) - 1
    )


def check_buttons(effects: list[Effect], waiting: str | None) -> None:
    """Every button names this run and the step it waits on, so a later tap finds its way."""
    for effect in effects:
        shown = effect.send if isinstance(effect, Reprompt) else effect
        if isinstance(shown, Send):
            for number, b in enumerate(shown.buttons):
                assert b.data == f"fl:{INSTANCE}:{waiting}:{number}", (shown, waiting)


def run(flow: Flow, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Play a case's events; returns its turns with what the engine did filled in."""
    turns = [{k: v for k, v in turn.items() if k not in EXPECTED} for turn in case["turns"]]
    assert turns and "start" in turns[0], "the first turn of a case is `start: ~`"
    state: dict[str, Any] | None = None
    for number, turn in enumerate(turns):
        if number == 0:
            state, effects = engine.start(flow, INSTANCE, dict(case.get("vars") or {}), ENV)
        else:
            assert state is not None, f"turn {number + 1} comes after the flow was over"
            state, effects = engine.advance(flow, state, event_of(turn, state), ENV)
        if state is not None:
            state = json.loads(json.dumps(state))  # what the host keeps is JSON
        waiting = state["step"] if state else None
        check_buttons(effects, waiting)
        turn["out"] = [plain(effect) for effect in effects]
        turn["waiting"] = waiting
    return turns


def differences(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[str]:
    """Where a case's expected turns and the engine's part ways (empty when they agree)."""
    found = []
    if len(expected) != len(actual):
        found.append(f"{len(expected)} turns in the file, {len(actual)} played")
    for number, (want, got) in enumerate(zip(expected, actual, strict=False), 1):
        for key in EXPECTED:
            if key not in want:
                found.append(f"turn {number}: no `{key}` (run pytest --update-snapshots)")
            elif want[key] != got[key]:
                found.extend(mismatch(f"turn {number} {key}", want[key], got[key]))
    return found


def mismatch(where: str, want: Any, got: Any) -> list[str]:
    """Point at the effects that differ, not at the whole turn."""
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [
            f"{where}[{i}]:\n  expected {w!r}\n  got      {g!r}"
            for i, (w, g) in enumerate(zip(want, got, strict=True))
            if w != g
        ]
    return [f"{where}:\n  expected {want!r}\n  got      {got!r}"]


class _Dumper(yaml.SafeDumper):
    """Short plain mappings and lists of plain values on one line, the rest as blocks."""


def _scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _mapping(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    short = all(map(_scalar, data.values())) and len(str(data)) <= 72
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=short)


def _sequence(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(_scalar(v) or (isinstance(v, dict) and len(str(v)) <= 30) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _sequence)


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def rewrite(golden: Golden, turns: list[dict[str, Any]]) -> None:
    """Write the played turns into the case (the file is read again: other cases may have been
    rewritten by the tests before this one)."""
    document = yaml.safe_load(golden.path.read_text(encoding="utf-8"))
    document["cases"][golden.index]["turns"] = turns
    golden.path.write_text(dump(document), encoding="utf-8")


@pytest.mark.parametrize(
    "golden", goldens(), ids=lambda g: f"{g.path.name.split('.')[0]}-{g.case['name']}"
)
def test_flow_golden(golden: Golden, request: pytest.FixtureRequest) -> None:
    actual = run(FLOWS[golden.flow], golden.case)
    problems = differences(golden.case["turns"], actual)
    if problems and request.config.getoption("update_snapshots"):
        rewrite(golden, actual)
        return
    if problems:
        pytest.fail(f"{golden.path.name}, case {golden.case['name']!r}:\n" + "\n".join(problems))


def test_every_flow_has_a_golden_file() -> None:
    files = {path.name: yaml.safe_load(path.read_text()) for path in GOLDENS.glob("*.test.yaml")}
    assert {f"{flow}.test.yaml" for flow in FLOWS} == set(files)
    assert all(document["flow"] == name.split(".")[0] for name, document in files.items())


class Visits:
    """A step type that notes which steps were entered, then does what the real one does."""

    def __init__(self, kind: Any, seen: set[str]) -> None:
        self.kind, self.seen = kind, seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kind, name)

    def enter(self, name: str, *args: Any) -> Any:
        self.seen.add(name)
        return self.kind.enter(name, *args)


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_the_goldens_enter_every_step(flow_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: set[str] = set()
    for kind, step_type in list(REGISTRY.items()):
        monkeypatch.setitem(REGISTRY, kind, Visits(step_type, seen))
    for golden in goldens():
        if golden.flow == flow_id:
            run(FLOWS[flow_id], golden.case)
    assert set(FLOWS[flow_id].steps) - seen == set()


def test_a_changed_expectation_fails() -> None:
    golden = next(g for g in goldens() if g.flow == "onboarding")
    assert differences(golden.case["turns"], run(FLOWS["onboarding"], golden.case)) == []
    changed = copy.deepcopy(golden.case)
    changed["turns"][0]["out"][0]["buttons"][0] = "nl-BE"
    changed["turns"][-1]["waiting"] = "consent"
    problems = differences(changed["turns"], run(FLOWS["onboarding"], changed))
    last = len(changed["turns"])
    assert [p.split(":")[0] for p in problems] == ["turn 1 out[0]", f"turn {last} waiting"]
