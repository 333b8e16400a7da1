"""`choose_language`: one button per language, each named in its own script.

language:
  type: choose_language
  text: "🌐 Which language do you want?"
  next: explain
"""

from __future__ import annotations

from typing import Any

from flows.model import Button, Effect, Env, Send, SetLanguage
from flows.steps.ask import button_data
from flows.steps.registry import Linear, register


@register("choose_language")
class ChooseLanguage(Linear):
    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        buttons = tuple(
            Button(language, button_data(run, name, index), kind="language")
            for index, language in enumerate(env.languages)
        )
        return [Send(spec["text"], {}, buttons)], True, None

    def answer(
        self, spec: dict[str, Any], option: int, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | None:
        if not 0 <= option < len(env.languages):
            return None
        language = env.languages[option]
        run["vars"]["language"] = language
        return [SetLanguage(language)], spec.get("next")
