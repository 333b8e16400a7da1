"""`action`: ask the host to do something in the domain (the engine itself does no I/O).

agreed:
  type: action
  action: accept_consent
  next: welcome
"""

from __future__ import annotations

from typing import Any

from flows.model import Action, Effect, Env
from flows.steps.registry import Linear, register


@register("action")
class RunAction(Linear):
    def check(self, spec: dict[str, Any]) -> list[str]:
        return [] if isinstance(spec.get("action"), str) else ["needs an action name"]

    def texts(self, spec: dict[str, Any]) -> list[str]:
        return []

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        return [Action(spec["action"], dict(run["vars"]))], False, spec.get("next")
