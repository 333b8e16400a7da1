"""`say`: one message, then straight on.

explain:
  type: say
  text: "Wegwijzer reminds you of your appointments."
  next: consent
"""

from __future__ import annotations

from typing import Any

from flows.model import Effect, Env, Send
from flows.steps import register


def render_params(spec: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """Placeholders come from the run's variables, named in the step's `params` list."""
    return {name: run["vars"].get(name, "") for name in spec.get("params", [])}


@register("say")
class Say:
    def check(self, spec: dict[str, Any]) -> list[str]:
        return [] if isinstance(spec.get("text"), str) else ["needs a text"]

    def texts(self, spec: dict[str, Any]) -> list[str]:
        return [spec["text"]]

    def targets(self, spec: dict[str, Any]) -> list[str]:
        return [spec["next"]] if spec.get("next") else []

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        return [Send(spec["text"], render_params(spec, run))], False, spec.get("next")

    def answer(
        self, spec: dict[str, Any], option: int, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | None:
        return None
