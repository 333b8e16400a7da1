"""`ask`: a question with buttons; the tapped option's value is saved and chooses the branch.

Options are msgid labels, languages (`language: ar`, shown in their own script), and/or a list
the host put in a variable (`options_from: groups`, each {value, label}, labels shown as is).
With `append: true` the values collect in a list (for "add another?" loops).

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

from bot.callbacks import FlowTap
from flows.model import Button, Effect, Env, Send
from flows.steps.registry import register
from flows.steps.say import render_params


def button_data(run: dict[str, Any], step: str, option: int) -> str:
    """Callback data names the run and step, so a tap on an old message is recognised."""
    return FlowTap(run["instance"], step, option).pack()


@register("ask")
class Ask:
    def check(self, spec: dict[str, Any]) -> list[str]:
        problems = [] if isinstance(spec.get("text"), str) else ["needs a text"]
        options = spec.get("options", [])
        if not isinstance(options, list) or not (options or spec.get("options_from")):
            return [*problems, "needs a list of options (or options_from)"]
        for number, option in enumerate(options, 1):
            labelled = isinstance(option, dict) and (
                isinstance(option.get("label"), str) or isinstance(option.get("language"), str)
            )
            if not labelled:
                problems.append(f"option {number} needs a label or a language")
            elif "value" not in option and "language" not in option:
                problems.append(f"option {number} needs a value")
        return problems

    def texts(self, spec: dict[str, Any]) -> list[str]:
        labels = [option["label"] for option in spec.get("options", []) if "label" in option]
        return [spec["text"], *labels]

    def targets(self, spec: dict[str, Any]) -> list[str]:
        found = [option.get("next") or spec.get("next") for option in spec.get("options", [])]
        if spec.get("options_from"):
            found.append(spec.get("next"))
        return [target for target in found if target]

    @staticmethod
    def choices(spec: dict[str, Any], run: dict[str, Any]) -> list[dict[str, Any]]:
        """The options in order: the host's list first, then the file's own."""
        dynamic = [
            {**option, "kind": "literal"}
            for option in run["vars"].get(spec.get("options_from", ""), [])
        ]
        static = [
            {
                **option,
                "value": option.get("value", option.get("language")),
                "kind": "language" if "language" in option else "msgid",
                "label": option.get("label", option.get("language")),
            }
            for option in spec.get("options", [])
        ]
        return dynamic + static

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        buttons = tuple(
            Button(str(option["label"]), button_data(run, name, index), option["kind"])
            for index, option in enumerate(self.choices(spec, run))
        )
        return [Send(spec["text"], render_params(spec, run), buttons)], True, None

    def answer(
        self, spec: dict[str, Any], option: int, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | None:
        choices = self.choices(spec, run)
        if not 0 <= option < len(choices):
            return None
        chosen = choices[option]
        if spec.get("save_as"):
            if spec.get("append"):
                kept = run["vars"].setdefault(spec["save_as"], [])
                if chosen["value"] not in kept:
                    kept.append(chosen["value"])
            else:
                run["vars"][spec["save_as"]] = chosen["value"]
        return [], chosen.get("next") or spec.get("next")

    def on_text(
        self, spec: dict[str, Any], text: str, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | str | None:
        return None
