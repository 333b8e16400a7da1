"""A funnel as seed 002 reports it: over one list of selected people, how many reached each
step (a talk, a referral to a partner, starting there, leaving the benefit), parallel branches
(partners) side by side, each step's target next to its result; contacts (talks held) counted
apart from persons, since one person can have several."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.services.impact.rules import percent

TOTAL = "total"


@dataclass(frozen=True)
class Path:
    """One selected person's way through the funnel."""

    talks: int = 0
    referred: Mapping[str, bool] = field(default_factory=dict)  # partner → started there
    left_benefit: bool = False


def _cell(persons: int, target: int | None, previous: int | None) -> dict[str, Any]:
    return {
        "persons": persons,
        "target": target,
        "pct_of_target": percent(persons, target) if target else None,
        "pct_of_previous": percent(persons, previous) if previous is not None else None,
    }


def funnel(paths: Iterable[Path], targets: Mapping[tuple[str, str], int]) -> dict[str, Any]:
    """`steps` in order, each with its branches ("total" or a partner); and `contacts`."""
    people = list(paths)
    partners = sorted({p for path in people for p in path.referred})
    selected = len(people)
    talked = sum(1 for p in people if p.talks > 0)

    def target(step: str, branch: str = TOTAL) -> int | None:
        return targets.get((step, branch))

    referred = {b: sum(1 for p in people if b in p.referred) for b in partners}
    active = {b: sum(1 for p in people if p.referred.get(b)) for b in partners}
    left = sum(1 for p in people if p.left_benefit)
    steps = [
        {"step": "selected", "branches": {TOTAL: _cell(selected, target("selected"), None)}},
        {"step": "talk", "branches": {TOTAL: _cell(talked, target("talk"), selected)}},
        {
            "step": "referred",
            "branches": {b: _cell(referred[b], target("referred", b), talked) for b in partners},
        },
        {
            "step": "active",
            "branches": {
                **{b: _cell(active[b], target("active", b), referred[b]) for b in partners},
                TOTAL: _cell(sum(active.values()), target("active"), sum(referred.values())),
            },
        },
        {"step": "left_benefit", "branches": {TOTAL: _cell(left, target("left_benefit"), talked)}},
    ]
    return {
        "steps": steps,
        "contacts": {
            "talks": sum(p.talks for p in people),
            "persons_talked_to_more_than_once": sum(1 for p in people if p.talks > 1),
        },
    }
