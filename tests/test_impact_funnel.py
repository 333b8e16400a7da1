"""Golden: seed 002's funnel (358 selected, 349 talks against 300, GelreWerkt! 53 referred and
38 active, Perspectief 48 and 35, each against 60, 120 active aimed for, 9 off the benefit
against 20) from one synthetic list; contacts counted apart from persons."""

from __future__ import annotations

import csv
from pathlib import Path as FilePath

from bot.services.impact.funnel import TOTAL, Path, funnel

TABLE = FilePath(__file__).parent / "golden" / "seeds" / "002_funnel.csv"
STEPS = {
    "selectie": "selected",
    "orientatiegesprek": "talk",
    "doorverwezen": "referred",
    "actief": "active",
    "geen_uitkering_meer": "left_benefit",
}


def printed() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["step"] in STEPS]


def targets() -> dict[tuple[str, str], int]:
    return {
        (STEPS[r["step"]], TOTAL if r["branch"] == "totaal" else r["branch"]): int(r["target"])
        for r in printed()
        if r["target"]
    }


def people() -> list[Path]:
    """358 selected; the first 349 talked (25 of them twice); referrals and starts as printed."""
    made = []
    for i in range(358):
        referred: dict[str, bool] = {}
        if 0 <= i < 53:
            referred["GelreWerkt!"] = i < 38
        elif 53 <= i < 101:
            referred["Perspectief"] = i < 53 + 35
        talks = 0 if i >= 349 else 2 if i >= 324 else 1
        made.append(Path(talks=talks, referred=referred, left_benefit=i in range(100, 109)))
    return made


def test_every_printed_step_and_target_is_reproduced() -> None:
    result = funnel(people(), targets())
    by_step = {s["step"]: s["branches"] for s in result["steps"]}
    for row in printed():
        if not row["persons"]:
            continue  # a target on its own ("120 active") is checked below
        branch = TOTAL if row["branch"] == "totaal" else row["branch"]
        cell = by_step[STEPS[row["step"]]][branch]
        assert cell["persons"] == int(row["persons"]), row
        assert cell["target"] == (int(row["target"]) if row["target"] else None), row
    assert by_step["active"][TOTAL] == {
        "persons": 73,
        "target": 120,
        "pct_of_target": 61,
        "pct_of_previous": 72,
    }
    assert by_step["talk"][TOTAL]["pct_of_target"] == 116  # 349 talks against 300 aimed for


def test_contacts_are_counted_apart_from_persons() -> None:
    contacts = funnel(people(), targets())["contacts"]
    assert contacts == {"talks": 374, "persons_talked_to_more_than_once": 25}
