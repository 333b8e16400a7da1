"""`scale`: a check-in question about one ZRM domain, answered with five picture buttons from
worst to best (the same order every time, one per row, so it reads the same in Arabic) and a
"skip". The answer becomes a signal through the host's `record_signal` action. When the run has
a `domains` list (the host chooses which to ask this time), a step about another domain is
passed over.

money:
  type: scale
  domain: financien
  text: "Do you have enough money for food this week?"
  next: housing
"""

from __future__ import annotations

from typing import Any

from flows.model import Action, Button, Effect, Env, Send
from flows.steps import Linear, register
from flows.steps.ask import button_data

# The 13 domains of the 2017 Zelfredzaamheid-Matrix (DESIGN.md section 3).
DOMAINS = (
    "financien",
    "werk_opleiding",
    "tijdsbesteding",
    "huisvesting",
    "huiselijke_relaties",
    "geestelijke_gezondheid",
    "lichamelijke_gezondheid",
    "middelengebruik",
    "basale_adl",
    "instrumentele_adl",
    "sociaal_netwerk",
    "maatschappelijke_participatie",
    "justitie",
)
LEVELS = (  # level 1 … 5
    "😣 Very bad",
    "🙁 Bad",
    "😐 So-so",
    "🙂 Good",
    "😄 Very good",
)
SKIP = "⏭ Skip / I'd rather not say"


@register("scale")
class Scale(Linear):
    def check(self, spec: dict[str, Any]) -> list[str]:
        problems = super().check(spec)
        if spec.get("domain") not in DOMAINS:
            problems.append(f"domain must be one of {', '.join(DOMAINS)}")
        return problems

    def texts(self, spec: dict[str, Any]) -> list[str]:
        return [spec["text"], *LEVELS, SKIP]

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        chosen = run["vars"].get("domains")
        if chosen is not None and spec["domain"] not in chosen:
            return [], False, spec.get("next")  # not asked this time
        buttons = tuple(
            Button(label, button_data(run, name, index))
            for index, label in enumerate((*LEVELS, SKIP))
        )
        return [Send(spec["text"], {}, buttons)], True, None

    def answer(
        self, spec: dict[str, Any], option: int, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | None:
        if not 0 <= option <= len(LEVELS):
            return None
        level = option + 1 if option < len(LEVELS) else None
        run["vars"].setdefault("answers", {})[spec["domain"]] = level
        signal = {
            "domain": spec["domain"],
            "level": level,
            "question": spec["text"],
            "checkin": run["instance"],
            "flow": run["flow"],
        }
        return [Action("record_signal", signal)], spec.get("next")
