"""`scale`: a check-in question about one ZRM domain, answered with five picture buttons from
worst to best (the same order every time, one per row, so it reads the same in Arabic) and a
"skip". The buttons fit the question: `answers: feel` (the default, for "how is it going…"),
`yes_no` (for "do you have…?") or `worries` (for "do you have worries about…?"); level 1 is
always the worst. The answer becomes a signal through the host's `record_signal` action. When
the run has a `domains` list (the host chooses which to ask this time), a step about another
domain is passed over.

money:
  type: scale
  domain: financien
  text: "Do you have enough money for food this week?"
  answers: yes_no
  next: housing
"""

from __future__ import annotations

from typing import Any

from flows.model import Action, Button, Effect, Env, Send
from flows.steps.ask import button_data
from flows.steps.registry import Linear, register

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
YES_NO = (  # level 1 … 5 for a question whose good answer is yes
    "😣 No, not at all",
    "🙁 Not really",
    "😐 Partly",
    "🙂 Mostly yes",
    "😄 Yes, fully",
)
WORRIES = (  # level 1 … 5 for a question about worries
    "😣 Very big worries",
    "🙁 Big worries",
    "😐 Some worries",
    "🙂 Small worries",
    "😄 No worries",
)
LABELS = {"feel": LEVELS, "yes_no": YES_NO, "worries": WORRIES}
SKIP = "⏭ Skip / I'd rather not say"


def labels(spec: dict[str, Any]) -> tuple[str, ...]:
    """The five answers of a scale step, worst first."""
    return LABELS[spec.get("answers", "feel")]


@register("scale")
class Scale(Linear):
    def check(self, spec: dict[str, Any]) -> list[str]:
        problems = super().check(spec)
        if spec.get("domain") not in DOMAINS:
            problems.append(f"domain must be one of {', '.join(DOMAINS)}")
        if spec.get("answers", "feel") not in LABELS:
            problems.append(f"answers must be one of {', '.join(LABELS)}")
        return problems

    def texts(self, spec: dict[str, Any]) -> list[str]:
        return [spec["text"], *labels(spec), SKIP]

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        chosen = run["vars"].get("domains")
        if chosen is not None and spec["domain"] not in chosen:
            return [], False, spec.get("next")  # not asked this time
        buttons = tuple(
            Button(label, button_data(run, name, index))
            for index, label in enumerate((*labels(spec), SKIP))
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
