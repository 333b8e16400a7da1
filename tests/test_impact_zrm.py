"""Golden: seed 003's tables 5.4 and 5.5 (ZRM progress per provider and in total) reproduced
exactly from synthetic people built to the printed figures; and the usual wrong readings (any
raw increase as progress, financiën held to 4, everyone with two measurements as a domain's
base) give other numbers. For four cells no count over the row's n gives the printed
percentage at all: their base is the people scored on that domain, as the rules say."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from bot.services.impact.rules import MATRICES, Measured, percent, progressed
from bot.services.impact.zrm import zrm

SEEDS = Path(__file__).parent / "golden" / "seeds"
FIRST, SECOND = date(2024, 3, 1), date(2025, 3, 1)
REPORTED = {"werk_en_opleiding": "werk_opleiding"}  # the seed's words → the 2017 slugs


def printed(name: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(measure, provider) → (n of the row, printed percentage)."""
    with (SEEDS / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    table = {}
    for row in rows:
        measure = row["measure"] if row["measure"] != "vooruitgang" else row["domain"]
        table[(REPORTED.get(measure, measure), row["provider"])] = (
            int(row["base"]),
            int(row["pct"]),
        )
    return table


TABLE = printed("003_t54.csv") | printed("003_t55.csv")
PROVIDERS = sorted({p for _, p in TABLE if p != "totaal"})
DOMAINS = ("sociaal_netwerk", "maatschappelijke_participatie", "werk_opleiding")
MEASURES = ("vooruitgang_1_of_meer_domeinen", "zelfredzaam_alle_domeinen", *DOMAINS)


def choices(n: int, pct: int, whole_base: bool) -> list[tuple[int, int]]:
    """(count, base) pairs that print as `pct`; a domain's base may be under n."""
    bases = [n] if whole_base else range(n, 0, -1)
    return [(c, b) for b in bases for c in range(b + 1) if percent(c, b) == pct]


@cache
def solution(measure: str) -> dict[str, tuple[int, int]]:
    """Per provider a (count, base) printing its percentage, such that the sums print the
    total's percentage: a search, largest bases first (fewest people left unscored)."""
    whole = measure == "vooruitgang_1_of_meer_domeinen"
    total_n, total_pct = TABLE[(measure, "totaal")]
    options = [choices(*TABLE[(measure, p)], whole_base=whole) for p in PROVIDERS]
    if measure == "zelfredzaam_alle_domeinen":  # scored on all: no more than on each domain
        caps = [min(solution(d)[p][1] for d in DOMAINS) for p in PROVIDERS]
        options = [[(c, b) for c, b in o if b <= cap] for o, cap in zip(options, caps, strict=True)]
    options = [o[:40] for o in options]
    seen: set[tuple[int, int, int]] = set()

    def walk(i: int, count: int, base: int) -> list[tuple[int, int]] | None:
        if i == len(PROVIDERS):
            return [] if percent(count, base) == total_pct else None
        if (i, count, base) in seen:
            return None
        seen.add((i, count, base))
        for c, b in options[i]:
            rest = walk(i + 1, count + c, base + b)
            if rest is not None:
                return [(c, b), *rest]
        return None

    found = walk(0, 0, 0)
    assert found is not None, f"no data can print {measure}"
    if whole:
        assert sum(b for _, b in found) == total_n
    return dict(zip(PROVIDERS, found, strict=True))


@dataclass
class Person:
    id: int
    provider: str
    scores: dict[str, tuple[int | None, int | None]]


def population() -> list[Person]:
    """Each provider's n people with two measurements, built to every printed figure."""
    people: list[Person] = []
    for provider in PROVIDERS:
        n = TABLE[("vooruitgang_1_of_meer_domeinen", provider)][0]
        any_up, _ = solution("vooruitgang_1_of_meer_domeinen")[provider]
        fit, fit_base = solution("zelfredzaam_alle_domeinen")[provider]
        per_domain = {d: solution(d)[provider] for d in DOMAINS}
        assert fit_base <= min(b for _, b in per_domain.values())
        assert any_up >= max(c for c, _ in per_domain.values())
        for i in range(n):
            scores: dict[str, tuple[int | None, int | None]] = dict.fromkeys(
                MATRICES["2017"], (4, 4)
            )
            for domain, (up, base) in per_domain.items():
                if i >= base:
                    scores[domain] = (4, None)  # not scored at the second measurement
                elif i < up:
                    scores[domain] = (2, 4)  # niet → voldoende: progress
                elif i % 3 == 0:
                    scores[domain] = (4, 5)  # a raw increase within one category
            if max(c for c, _ in per_domain.values()) <= i < any_up:
                scores["huisvesting"] = (2, 4)  # progress on a domain not reported apart
            if i >= fit_base:
                scores["basale_adl"] = (4, None)  # not scored on every domain
            elif i >= fit:
                scores["justitie"] = (2, 2)  # scored on all, not self-sufficient on all
            elif i % 2 == 0:
                scores["financien"] = (3, 3)  # financiën: limited is enough
            people.append(Person(len(people) + 1, provider, scores))
    return people


def measured(people: list[Person]) -> list[Measured]:
    rows = []
    for person in people:
        for domain, (first, second) in person.scores.items():
            if first is not None:
                rows.append(Measured(person.id, FIRST, domain, first))
            if second is not None:
                rows.append(Measured(person.id, SECOND, domain, second))
    return rows


@pytest.fixture(scope="module")
def report() -> dict:
    people = population()
    return zrm(measured(people), "2017", {p.id: p.provider for p in people})


def key(measure: str) -> tuple[str, str | None]:
    if measure == "vooruitgang_1_of_meer_domeinen":
        return "progress_any", None
    if measure == "zelfredzaam_alle_domeinen":
        return "selfsufficient_all", None
    return "progress", measure


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("provider", [*PROVIDERS, "totaal"])
def test_every_printed_cell_is_reproduced(report: dict, measure: str, provider: str) -> None:
    n, pct = TABLE[(measure, provider)]
    group = report["total"] if provider == "totaal" else report["by_location"][provider]
    name, domain = key(measure)
    cell = group[name] if domain is None else group[name][domain]
    assert cell["pct"] == pct
    assert group["n"] == n  # the row's n: everyone with a first and a second measurement


def test_some_cells_cannot_have_everyone_with_two_measurements_as_base() -> None:
    impossible = [
        (measure, provider)
        for (measure, provider), (n, pct) in TABLE.items()
        if measure in DOMAINS and not choices(n, pct, whole_base=True)
    ]
    assert ("sociaal_netwerk", "Centrum") in impossible  # 18 % of 81: no whole count
    assert len(impossible) >= 3


def test_the_usual_wrong_readings_give_other_numbers(report: dict) -> None:
    people = population()
    # Any raw increase as progress: 4 → 5 counts too.
    raw = sum(
        1
        for p in people
        for d in DOMAINS
        if None not in p.scores[d] and p.scores[d][1] > p.scores[d][0]
    )
    right = sum(
        1 for p in people for d in DOMAINS if None not in p.scores[d] and progressed(*p.scores[d])
    )
    assert raw > right
    # Financiën held to 4: fewer self-sufficient on all domains than the rule counts.
    fit = report["total"]["selfsufficient_all"]
    held_to_four = sum(
        1
        for p in people
        if all(s is not None for _, s in p.scores.values())
        and all(s >= 4 for _, s in p.scores.values())
    )
    assert held_to_four < fit["count"]
    # Everyone with two measurements as a domain's base: other percentages.
    centrum = report["by_location"]["Centrum"]
    social = centrum["progress"]["sociaal_netwerk"]
    assert social["base"] < centrum["n"]
    assert percent(social["count"], centrum["n"]) != social["pct"] == 18


def test_coverage_counts_first_and_second_measurements(report: dict) -> None:
    assert report["total"]["coverage"] == {"first": 781, "first_and_second": 781}
