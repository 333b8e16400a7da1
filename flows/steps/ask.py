"""`ask`: a question with buttons; the tapped option's value is saved and chooses the branch.

consent:
  type: ask
  text: "Is that OK for you?"
  save_as: consent
  options:
    - {value: "yes", label: "✅ Yes, that is OK", next: agreed}
    - {value: "no", label: "❌ No, thank you", next: declined}
"""

from __future__ import annotations

from typing import Any

from flows.model import Button, Effect, Env, Send
from flows.steps import register
from flows.steps.say import render_params


def button_data(run: dict[str, Any], step: str, option: int) -> str:
    """Callback data names the run and step, so a tap on an old message is recognised."""
    return f"fl:{run['instance']}:{step}:{option}"


@register("ask")
class Ask:
    def check(self, spec: dict[str, Any]) -> list[str]:
        problems = [] if isinstance(spec.get("text"), str) else ["needs a text"]
        options = spec.get("options")
        if not isinstance(options, list) or not options:
            return [*problems, "needs a list of options"]
        for number, option in enumerate(options, 1):
            if not isinstance(option, dict) or not isinstance(option.get("label"), str):
                problems.append(f"option {number} needs a label")
            elif "value" not in option:
                problems.append(f"option {number} needs a value")
        return problems

    def texts(self, spec: dict[str, Any]) -> list[str]:
        return [spec["text"], *(option["label"] for option in spec["options"])]

    def targets(self, spec: dict[str, Any]) -> list[str]:
        found = [option.get("next") or spec.get("next") for option in spec["options"]]
        return [target for target in found if target]

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        buttons = tuple(
            Button(option["label"], button_data(run, name, index))
            for index, option in enumerate(spec["options"])
        )
        return [Send(spec["text"], render_params(spec, run), buttons)], True, None

    def answer(
        self, spec: dict[str, Any], option: int, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | None:
        if not 0 <= option < len(spec["options"]):
            return None
        chosen = spec["options"][option]
        if spec.get("save_as"):
            run["vars"][spec["save_as"]] = chosen["value"]
        return [], chosen.get("next") or spec.get("next")
