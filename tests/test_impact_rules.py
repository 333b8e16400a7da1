"""The impact rules as tables of cases, with the usual wrong readings beside them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.impact.rules import (
    MATRICES,
    PARTICIPATION,
    Measured,
    category,
    declined,
    figure,
    pairs,
    percent,
    progressed,
    published,
    self_sufficient_all,
)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(1, "niet"), (2, "niet"), (3, "beperkt"), (4, "voldoende"), (5, "voldoende")],
)
def test_categories(score: int, expected: str) -> None:
    assert category(score) == expected


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_one_to_five_is_refused(score: int) -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        category(score)


@pytest.mark.parametrize(
    ("first", "later", "progress", "decline", "raw_increase"),
    [
        (1, 2, False, False, True),  # a raw increase, but the same category: no progress
        (2, 3, True, False, True),
        (3, 4, True, False, True),
        (4, 5, False, False, True),  # self-sufficient already: no progress
        (1, 5, True, False, True),
        (3, 3, False, False, False),
        (3, 2, False, True, False),
        (5, 4, False, False, False),  # the same category: no decline either
        (4, 3, False, True, False),
    ],
)
def test_progress_is_a_higher_category_not_a_higher_score(
    first: int, later: int, progress: bool, decline: bool, raw_increase: bool
) -> None:
    assert progressed(first, later) is progress
    assert declined(first, later) is decline
    assert (later > first) is raw_increase  # the wrong reading, which differs in 1→2 and 4→5


def _all(score: int, matrix: str = "2017", **other: int) -> dict[str, int]:
    return {**dict.fromkeys(MATRICES[matrix], score), **other}


@pytest.mark.parametrize(
    ("scores", "matrix", "expected", "finances_held_to_four"),
    [
        (_all(4), "2017", True, True),
        (_all(4, financien=3), "2017", True, False),  # financiën: limited is enough
        (_all(4, financien=2), "2017", False, False),
        (_all(5, huisvesting=3), "2017", False, False),
        (_all(4, "2013"), "2013", True, True),
        ({d: 4 for d in MATRICES["2017"][:-1]}, "2017", None, None),  # not scored on all: no base
    ],
)
def test_self_sufficient_on_all_domains(scores, matrix, expected, finances_held_to_four) -> None:
    assert self_sufficient_all(scores, matrix) is expected
    if expected is not None:  # the wrong reading: financiën held to 4 as well
        assert all(v >= 4 for v in scores.values()) is finances_held_to_four


def test_the_first_and_second_measurement_are_the_earliest_and_latest_dates() -> None:
    measured = [
        Measured(1, date(2025, 1, 10), "financien", 2),
        Measured(1, date(2025, 6, 1), "financien", 3),
        Measured(1, date(2025, 3, 1), "financien", 5),  # in between: not the second
        Measured(1, date(2025, 6, 1), "huisvesting", 4),  # scored only at the second
        Measured(2, date(2025, 2, 1), "financien", 1),  # one date: no pair
    ]
    first_only, found = pairs(measured)
    assert first_only == 2
    assert len(found) == 1
    assert found[0].first == {"financien": 2}
    assert found[0].second == {"financien": 3, "huisvesting": 4}


@pytest.mark.parametrize(
    ("count", "base", "pct", "shown"),
    [
        (29, 107, 27, "27 %"),
        (1, 8, 13, "13 %"),  # 12.5 rounds half up
        (1, 40, 3, "3 %"),  # 2.5 rounds up, not to the even 2
        (2, 4, 50, "–"),  # a base under 5 is not published
        (0, 5, 0, "0 %"),
        (0, 0, None, "–"),
    ],
)
def test_whole_percentages_half_up_and_small_bases_hidden(count, base, pct, shown) -> None:
    assert percent(count, base) == pct
    assert published(count, base) == shown
    assert figure(count, base)["suppressed"] is (base < 5)


def test_participation_is_the_first_six_outflow_categories() -> None:
    assert PARTICIPATION == {
        "betaald_werk",
        "reguliere_opleiding",
        "leer_werktraject",
        "werkervaringsplaats",
        "vrijwilligerswerk",
        "ander_project",
    }
    assert "certificaat" not in PARTICIPATION
