"""Golden: seed 000's figures (107 starters in the wijkateliers, 27 % reached the course on
average 5 months after their start, 6 of them in paid work, "ruim 20 %" of those; Natuurtalent
reported apart, nobody to the course) from synthetic trajectories."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from bot.services.impact.phases import Trajectory, phases

FIGURES = Path(__file__).parent / "golden" / "seeds" / "000_figures.csv"


def printed() -> dict[str, int]:
    with FIGURES.open(encoding="utf-8") as handle:
        return {row["figure"]: int(row["value"]) for row in csv.DictReader(handle)}


def trajectories() -> list[Trajectory]:
    seed = printed()
    made = []
    course = 29  # 27 % of 107, the only whole count that prints so
    for i in range(seed["nieuwe_deelnemers_gestart"]):
        start = date(2019, 1, 7) + timedelta(days=6 * i)
        reached = {"activering": start}
        if i < 60:
            reached["vrijwilliger"] = start + timedelta(days=40)
        if i < course:  # about five months (152 days) from their start to the course
            reached["opleiding"] = start + timedelta(days=140 + (i % 5) * 6)
        if i < seed["betaald_werk_in_organisatie"]:
            reached["werk"] = start + timedelta(days=400)
        made.append(Trajectory("wijkateliers", start, reached))
    for i in range(seed["natuurtalent_deelnemers_gestart"]):
        start = date(2019, 3, 4) + timedelta(days=9 * i)
        made.append(Trajectory("natuurtalent", start, {"activering": start}))
    return made


def test_the_printed_figures_are_reproduced() -> None:
    seed = printed()
    report = phases(trajectories())["by_programme"]
    ateliers = report["wijkateliers"]
    assert ateliers["started"] == seed["nieuwe_deelnemers_gestart"] == 107
    course = ateliers["reached"]["opleiding"]
    assert course["pct_of_started"] == seed["aandeel_opleiding_gestart"] == 27
    months = round(course["mean_days_from_start"] / 30.44)
    assert months == seed["gemiddelde_maanden_start_tot_opleiding"] == 5
    work = ateliers["reached"]["werk"]
    assert work["count"] == seed["betaald_werk_in_organisatie"] == 6
    assert work["pct_of_previous"] == 21  # "ruim 20 %" of those who went on to the course
    assert report["natuurtalent"]["started"] == 35  # reported apart
    assert report["natuurtalent"]["reached"]["opleiding"]["count"] == 0


def test_a_later_phase_counts_as_having_passed_the_earlier_ones() -> None:
    start = date(2025, 1, 6)
    skipped = Trajectory("x", start, {"activering": start, "opleiding": start + timedelta(days=30)})
    reached = phases([skipped])["by_programme"]["x"]["reached"]
    assert reached["vrijwilliger"]["count"] == 1  # went straight to the course
    assert reached["vrijwilliger"]["mean_days_from_start"] == 30
    assert reached["werk"] == {
        "count": 0,
        "pct_of_started": 0,
        "pct_of_previous": 0,
        "mean_days_from_start": None,
    }
