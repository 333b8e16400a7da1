"""`say`: one message, then straight on.

explain:
  type: say
  text: "Wegwijzer reminds you of your appointments."
  next: consent
"""

from __future__ import annotations

from typing import Any

from flows.model import Effect, Env, Send
from flows.steps.registry import Linear, register


def render_params(spec: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """Placeholders come from the run's variables, named in the step's `params` list."""
    return {name: run["vars"].get(name, "") for name in spec.get("params", [])}


@register("say")
class Say(Linear):
    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        return [Send(spec["text"], render_params(spec, run))], False, spec.get("next")
