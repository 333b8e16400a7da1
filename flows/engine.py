"""The flow engine: `start` and `advance` turn (state, event) into (state, effects), with no I/O.

The state is a plain dict (JSON-serialisable) so the host stores it in one database column:
    {"flow": id, "instance": str, "step": waiting step or None, "vars": {...}, "steps": n}

Any step may carry `when: {var: value}`; it is passed over (on to its `next`) unless it holds.
"""

from __future__ import annotations

import copy
from typing import Any

from flows.model import Effect, Env, Event, Finished, Flow, FlowError, Reprompt, Send, Stale, Tap
from flows.steps import REGISTRY


def start(
    flow: Flow, instance: str, variables: dict[str, Any], env: Env
) -> tuple[dict[str, Any] | None, list[Effect]]:
    """Begin a run of `flow`; `instance` must be new for every run (it marks its buttons).
    The state is None when the flow is over at once (it never waits for a tap)."""
    run = {"flow": flow.id, "instance": instance, "step": None, "vars": dict(variables), "steps": 0}
    return _walk(flow, run, flow.start, env, [])


def advance(
    flow: Flow, state: dict[str, Any], event: Event, env: Env
) -> tuple[dict[str, Any] | None, list[Effect]]:
    """Apply one event; returns the new state (None once the flow is over) and its effects."""
    run = copy.deepcopy(state)
    waiting = run.get("step")
    if waiting is None or waiting not in flow.steps:
        return None, [Stale()] if isinstance(event, Tap) else []
    step = flow.steps[waiting]
    kind = REGISTRY[step.type]
    if not isinstance(event, Tap):
        accepted = kind.on_text(step.spec, event.text, run, env)
        if isinstance(accepted, tuple):
            run["step"] = None
            return _walk(flow, run, accepted[1], env, list(accepted[0]))
        effects, _, _ = kind.enter(step.name, step.spec, copy.deepcopy(state), env)
        sends = [effect for effect in effects if isinstance(effect, Send)]
        if not sends:
            return state, []
        if accepted is None:
            return state, [Reprompt(sends[0])]
        return state, [Reprompt(sends[0], accepted, run["vars"].pop("_too_long", {}))]
    if event.instance != run["instance"] or event.step != waiting:
        return run, [Stale()]
    result = kind.answer(step.spec, event.option, run, env)
    if result is None:
        return run, [Stale()]
    effects, target = result
    run["step"] = None
    return _walk(flow, run, target, env, list(effects))


def _walk(
    flow: Flow, run: dict[str, Any], target: str | None, env: Env, effects: list[Effect]
) -> tuple[dict[str, Any] | None, list[Effect]]:
    while target is not None:
        run["steps"] += 1
        if run["steps"] > flow.max_steps:
            raise FlowError(f"{flow.source}: flow '{flow.id}' ran more than {flow.max_steps} steps")
        step = flow.steps[target]
        if not applies(step.spec, run):
            target = step.spec.get("next")
            continue
        entered, wait, following = REGISTRY[step.type].enter(step.name, step.spec, run, env)
        effects.extend(entered)
        if wait:
            run["step"] = step.name
            return run, effects
        target = following
    effects.append(Finished(flow.id))
    return None, effects


def applies(spec: dict[str, Any], run: dict[str, Any]) -> bool:
    """A step with `when: {var: value, …}` is passed over unless every variable has that value
    (e.g. the monthly check-in's own introduction)."""
    return all(run["vars"].get(key) == value for key, value in (spec.get("when") or {}).items())


def waiting_buttons(flow: Flow, state: dict[str, Any], env: Env) -> Send | None:
    """The question a run is waiting on, as it would be shown again."""
    step = flow.steps.get(state.get("step") or "")
    if step is None:
        return None
    effects, _, _ = REGISTRY[step.type].enter(step.name, step.spec, copy.deepcopy(state), env)
    return next((effect for effect in effects if isinstance(effect, Send)), None)
