"""An organisation brings its ZRM scores and phase steps along: checked row by row, all or
nothing, and a file imported twice changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.services.errors import Refused
from bot.services.impact import history
from bot.services.organisations import roster, setup
from storage.models import (
    Participant,
    Phase,
    PhaseChange,
    Programme,
    Referral,
    Target,
    ZrmMeasurement,
)

ROSTER = """participant,location,programme,started_on,reference
Amal Hassan,De Brug,Wijkateliers,2025-01-06,A-1
Yonas Tesfay,De Brug,Wijkateliers,2025-02-03,A-2
"""
ZRM = """participant;location;measured_on;domain;score
A-1;De Brug;2025-01-20;financien;2
A-1;De Brug;2025-01-20;huisvesting;3
A-1;De Brug;2025-09-01;financien;3
Yonas Tesfay;De Brug;٢٠٢٥-٠٢-١٠;werk_opleiding;1
"""


@pytest.fixture
def org(runtime, clock):
    setup.create_organisation(runtime.db, "noord", "Noord", "Europe/Amsterdam", "nl", clock.now())
    assert roster.import_roster(runtime.db, "noord", ROSTER, clock.now()).errors == []
    return "noord"


def count(session_factory, model) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_zrm_scores_are_stored_once(runtime, clock, org, session_factory):
    report = history.import_zrm(runtime.db, org, "2017", ZRM, clock.now())
    assert (report.created, report.errors) == (4, [])
    with session_factory() as session:
        dates = session.scalars(select(ZrmMeasurement.measured_on).distinct()).all()
        assert date(2025, 2, 10) in dates  # Arabic-Indic digits read
    again = history.import_zrm(runtime.db, org, "2017", ZRM, clock.now())
    assert [r for r, _ in again.errors] == ["stored"] * 4
    assert count(session_factory, ZrmMeasurement) == 4


def test_a_bad_zrm_row_stores_nothing(runtime, clock, org, session_factory):
    bad = ZRM + (
        "Nobody;De Brug;2025-01-20;financien;2\n"
        "A-1;Zuid;2025-01-20;justitie;2\n"
        "A-1;De Brug;2025-01-20;verslaving;2\n"  # a 2013 domain in a 2017 file
        "A-1;De Brug;2025-01-21;financien;6\n"
        "A-1;De Brug;2099-01-01;financien;2\n"
        "A-2;De Brug;2025-01-20;financien;2\n"
        "A-2;De Brug;2025-01-20;financien;3\n"
    )
    report = history.import_zrm(runtime.db, org, "2017", bad, clock.now())
    assert [r for r, _ in report.errors] == [
        "unknown",
        "location",
        "domain",
        "score",
        "future",
        "twice",
    ]
    assert count(session_factory, ZrmMeasurement) == 0
    assert history.import_zrm(runtime.db, org, "2015", ZRM, clock.now()).errors[0][0] == "matrix"


def test_phase_steps_keep_their_dates_and_the_latest_is_the_phase_now(
    runtime, clock, org, session_factory
):
    steps = (
        "participant,programme,phase,since\n"
        "A-1,Wijkateliers,vrijwilliger,2025-05-01\n"
        "A-1,,activering,2025-01-06\n"
        "A-1,Natuurtalent,opleiding,2025-10-01\n"
    )
    report = history.import_phases(runtime.db, org, steps, clock.now())
    assert (report.created, report.errors) == (3, [])
    with session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.reference == "A-1")).one()
        assert person.phase == Phase.OPLEIDING
        programme = session.get(Programme, person.programme_id)
        assert programme is not None and programme.slug == "natuurtalent"
        changes = session.scalars(
            select(PhaseChange)
            .where(PhaseChange.participant_id == person.id)
            .order_by(PhaseChange.on)
        ).all()
        assert [(c.from_phase, c.to_phase, c.on) for c in changes] == [
            (None, Phase.ACTIVERING, date(2025, 1, 6)),
            (Phase.ACTIVERING, Phase.VRIJWILLIGER, date(2025, 5, 1)),
            (Phase.VRIJWILLIGER, Phase.OPLEIDING, date(2025, 10, 1)),
        ]
    again = history.import_phases(runtime.db, org, steps, clock.now())
    assert [r for r, _ in again.errors] == ["stored"] * 3
    wrong = history.import_phases(
        runtime.db, org, "participant,phase,since\nA-2,klaar,x\n", clock.now()
    )
    assert [r for r, _ in wrong.errors] == ["phase"]


def test_referrals_are_checked_and_stored_once(runtime, clock, org, session_factory):
    good = "participant,partner,referred_on,started_on\nA-1,GelreWerkt!,2025-03-01,2025-03-20\n"
    assert history.import_referrals(runtime.db, org, good, clock.now()).created == 1
    bad = good + (
        "A-2,,2025-03-01,\nA-2,Perspectief,2025-03-10,2025-03-01\nNobody,Perspectief,2025-03-01,\n"
    )
    report = history.import_referrals(runtime.db, org, bad, clock.now())
    assert [r for r, _ in report.errors] == ["stored", "partner", "started_before", "unknown"]
    assert count(session_factory, Referral) == 1


def test_a_target_is_set_and_changed_not_doubled(runtime, clock, org, session_factory):
    history.set_target(runtime.db, org, 2025, "talk", "", 300)
    history.set_target(runtime.db, org, 2025, "talk", "", 320)
    with session_factory() as session:
        assert session.scalars(select(Target.value)).all() == [320]
    with pytest.raises(Refused):
        history.set_target(runtime.db, org, 2025, "smiles", "", 3)
