"""ZRM progress as seed 003 (tables 5.4 and 5.5, coverage in its measurement table) reports it:
per location and in total, over the people with a first and a second measurement in the
period. Each figure keeps its count and its own base: "progress on at least one domain" counts
everyone with two measurements, "self-sufficient on all domains" those scored on every domain
at the second, a domain's progress or decline those scored on that domain both times."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.services.impact.rules import (
    MATRICES,
    Measured,
    Pair,
    declined,
    figure,
    pairs,
    progressed,
    self_sufficient_all,
)


def figures(found: list[Pair], matrix: str, measured_people: int) -> dict[str, Any]:
    """The figures of one group of people (a location, or everyone)."""
    domains = MATRICES[matrix]
    n = len(found)
    any_progress = sum(
        1
        for p in found
        if any(progressed(p.first[d], p.second[d]) for d in p.first.keys() & p.second.keys())
    )
    judged = [self_sufficient_all(p.second, matrix) for p in found]
    progress: dict[str, Any] = {}
    decline: dict[str, Any] = {}
    for domain in domains:
        both = [p for p in found if domain in p.first and domain in p.second]
        up = sum(1 for p in both if progressed(p.first[domain], p.second[domain]))
        down = sum(1 for p in both if declined(p.first[domain], p.second[domain]))
        progress[domain] = figure(up, len(both))
        decline[domain] = figure(down, len(both))
    return {
        "n": n,
        "progress_any": figure(any_progress, n),
        "selfsufficient_all": figure(
            sum(1 for j in judged if j), sum(1 for j in judged if j is not None)
        ),
        "progress": progress,
        "decline": decline,
        "coverage": {"first": measured_people, "first_and_second": n},
    }


def zrm(measured: Iterable[Measured], matrix: str, location_of: dict[int, str]) -> dict[str, Any]:
    """`total` and `by_location[LOCATION]`; a person counts at the location `location_of`
    gives them (their location at the second measurement)."""
    rows = list(measured)
    people, found = pairs(rows)
    by_location: dict[str, list[Pair]] = {}
    first_by_location: dict[str, set[int]] = {}
    for m in rows:
        first_by_location.setdefault(location_of.get(m.person, ""), set()).add(m.person)
    for p in found:
        by_location.setdefault(location_of.get(p.person, ""), []).append(p)
    return {
        "total": figures(found, matrix, people),
        "by_location": {
            place: figures(by_location.get(place, []), matrix, len(first_by_location[place]))
            for place in sorted(first_by_location)
        },
    }
