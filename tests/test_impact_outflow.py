"""Golden: seed 001's table B3.1 (99 cells and its totals) reproduced exactly from people made
to match its counts; and the usual wrong reading (percent of those who left with a known
outcome) gives other numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.services.impact.outflow import column, outflow

TABLE = Path(__file__).parent / "golden" / "seeds" / "001_b31.csv"


def printed() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def people() -> list[tuple[str, str]]:
    """One (project, category) per person, as many as the table counts."""
    return [
        (row["project"], row["category"])
        for row in printed()
        if row["project"] != "Totaal" and row["category"] != "total"
        for _ in range(int(row["count"]))
    ]


def test_the_table_has_its_99_cells_and_totals() -> None:
    rows = printed()
    cells = [r for r in rows if r["project"] != "Totaal" and r["category"] != "total"]
    assert len(cells) == 88 and len(rows) == 108  # 11 categories × 8 projects, plus totals
    assert len(people()) == 395


def test_every_printed_cell_is_reproduced() -> None:
    figures = outflow(people())
    for row in printed():
        col = (
            figures["total"]
            if row["project"] == "Totaal"
            else figures["by_programme"][row["project"]]
        )
        if row["category"] == "total":  # the column's total: everyone who entered
            assert col["n"] == int(row["count"]) == int(row["project_n"])
            continue
        assert col["n"] == int(row["project_n"]), row
        assert col["counts"][row["category"]] == int(row["count"]), row
        if row["pct"]:  # "leeg = 0": an empty cell prints no percentage
            assert col["pct"][row["category"]] == int(row["pct"]), row
        else:
            assert int(row["count"]) == 0


def test_one_in_three_reached_a_form_of_participation() -> None:
    total = outflow(people())["total"]
    assert total["participation"] == {"count": 132, "pct": 33}


def test_the_usual_wrong_reading_gives_other_numbers() -> None:
    """Percent of those with a known outcome (leaving out "onbekend") is not what B3.1 prints."""
    everyone = [category for _, category in people()]
    known = column([c for c in everyone if c != "onbekend"])
    assert known["pct"]["betaald_werk"] != column(everyone)["pct"]["betaald_werk"]  # 21 vs 19


def test_a_category_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="not outflow categories"):
        column(["betaald_werk", "gelukkig"])
