"""The rules of the impact figures, exactly as the source reports apply them (seed 001 for the
outflow, seed 003 for the ZRM, DESIGN §3a). Pure functions over plain values: the report module
reads the database, these decide what counts, so every rule is a table of cases in the tests.

- ZRM categories: 1–2 not self-sufficient, 3 limited, 4–5 self-sufficient. Progress on a domain
  is a higher category at the later measurement than at the first (1→2 and 4→5 are no
  progress); decline the other way. The first and the second measurement are a person's
  earliest and latest in the period.
- "Self-sufficient on all domains": every domain 4 or more, except financiën where 3 is enough;
  only for someone scored on every domain of the matrix.
- Outflow: one category per person; "reached participation" are the first six categories.
- Percentages are whole, half up; a figure whose base is under 5 is shown as "–" when published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from flows.steps.scale import DOMAINS
from storage.models import Outflow

Category = Literal["niet", "beperkt", "voldoende"]
RANK: dict[Category, int] = {"niet": 0, "beperkt": 1, "voldoende": 2}

MATRICES: dict[str, tuple[str, ...]] = {
    "2013": (
        "financien",
        "dagbesteding",
        "huisvesting",
        "huiselijke_relaties",
        "geestelijke_gezondheid",
        "lichamelijke_gezondheid",
        "verslaving",
        "adl",
        "sociaal_netwerk",
        "maatschappelijke_participatie",
        "justitie",
    ),
    "2017": DOMAINS,  # the check-ins ask about the same thirteen
}
FINANCES = "financien"  # the one domain where "limited" (3) is enough for self-sufficient

OUTFLOW = tuple(o.value for o in Outflow)  # in the order of seed 001, table B3.1
PARTICIPATION = frozenset(OUTFLOW[:6])  # "one in three reached a form of participation"
SMALLEST_BASE = 5  # a published cell with a smaller base is shown as "–"
SUPPRESSED = "–"


def category(score: int) -> Category:
    """The ZRM category of a 1–5 score."""
    if not 1 <= score <= 5:
        raise ValueError(f"a ZRM score is 1 to 5, not {score}")
    return "niet" if score <= 2 else "beperkt" if score == 3 else "voldoende"


def progressed(first: int, later: int) -> bool:
    """A higher category later than at first: 2→3 is progress, 1→2 and 4→5 are not."""
    return RANK[category(later)] > RANK[category(first)]


def declined(first: int, later: int) -> bool:
    return RANK[category(later)] < RANK[category(first)]


def self_sufficient_all(scores: Mapping[str, int], matrix: str) -> bool | None:
    """Every domain of the matrix 4 or more (financiën 3 or more); None when a domain was not
    scored, since such a person is outside this figure's base."""
    domains = MATRICES[matrix]
    if any(domain not in scores for domain in domains):
        return None
    return all(scores[d] >= (3 if d == FINANCES else 4) for d in domains)


@dataclass(frozen=True)
class Measured:
    """One score of one person on one domain at one date."""

    person: int
    on: date
    domain: str
    score: int


@dataclass(frozen=True)
class Pair:
    """A person's first and second (latest) measurement in the period, per domain scored."""

    person: int
    first: dict[str, int]
    second: dict[str, int]


def pairs(measured: Iterable[Measured]) -> tuple[int, list[Pair]]:
    """How many people have a first measurement, and the pairs of those who have two dates."""
    by_person: dict[int, dict[date, dict[str, int]]] = {}
    for m in measured:
        by_person.setdefault(m.person, {}).setdefault(m.on, {})[m.domain] = m.score
    found = []
    for person, dates in by_person.items():
        if len(dates) >= 2:
            first, second = min(dates), max(dates)
            found.append(Pair(person, dates[first], dates[second]))
    return len(by_person), found


def percent(count: int, base: int) -> int | None:
    """Whole percent, half up (as the reports print them); None for an empty base."""
    if base <= 0:
        return None
    exact = Decimal(count) * 100 / Decimal(base)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def published(count: int, base: int) -> str:
    """A percentage as printed: "27 %", or "–" when the base is too small to show."""
    if base < SMALLEST_BASE:
        return SUPPRESSED
    value = percent(count, base)
    return SUPPRESSED if value is None else f"{value} %"


def figure(count: int, base: int) -> dict[str, int | bool | None]:
    """One figure as the JSON keeps it: exact counts, and whether publishing hides it."""
    return {
        "count": count,
        "base": base,
        "pct": percent(count, base),
        "suppressed": base < SMALLEST_BASE,
    }
