"""The report read from the data: set up as an organisation would (roster, phase steps, ZRM
scores), then the same numbers in JSON, CSV, HTML and PDF."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from bot.reporting import formats
from bot.services.impact import history
from bot.services.impact.report import Period, impact
from bot.services.messaging import outbox
from bot.services.organisations import roster, setup
from bot.services.people import privacy
from storage.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    ImpactRecord,
    Outbox,
    OutboxKind,
    OutboxState,
    Participant,
)

ROSTER = "participant,location,programme,started_on,left_on,outflow,reference\n" + "".join(
    f"P{i},{'Noord' if i % 2 else 'Zuid'},wijkateliers,2025-0{1 + i % 6}-06,"
    + ("2025-11-28,betaald_werk" if i < 3 else "2025-11-28,geen_werk" if i < 5 else ",")
    + f",R{i}\n"
    for i in range(12)
)
PHASES = "participant,phase,since\n" + "".join(
    f"R{i},opleiding,2025-0{7 + i % 3}-01\n" for i in range(6)
)
ZRM = "participant,location,measured_on,domain,score\n" + "".join(
    f"R{i},{'Noord' if i % 2 else 'Zuid'},2025-02-01,financien,2\n"
    f"R{i},{'Noord' if i % 2 else 'Zuid'},2025-10-01,financien,{3 if i < 7 else 2}\n"
    for i in range(10)
)

REFERRALS = "participant;partner;referred_on;started_on\n" + "".join(
    f"R{i};{'GelreWerkt!' if i % 2 else 'Perspectief'};2025-06-0{1 + i % 5};"
    + ("2025-07-01" if i < 5 else "")
    + "\n"
    for i in range(8)
)


@pytest.fixture
def report(runtime, clock):
    db, now = runtime.db, clock.now()
    setup.create_organisation(db, "noord", "Atelier Noord", "Europe/Amsterdam", "nl", now)
    assert roster.import_roster(db, "noord", ROSTER, now).errors == []
    assert history.import_phases(db, "noord", PHASES, now).errors == []
    assert history.import_zrm(db, "noord", "2017", ZRM, now).errors == []
    assert history.import_referrals(db, "noord", REFERRALS, now).errors == []
    history.set_target(db, "noord", 2025, "referred", "Perspectief", 6)
    history.set_target(db, "noord", 2025, "left_benefit", "", 4)
    return impact(db, "noord", Period(date(2025, 1, 1), date(2025, 12, 31)))


def test_the_json_has_the_shape_other_tools_read(report):
    zrm, outflow, phases = report["zrm"], report["outflow"], report["phases"]
    assert zrm["total"]["n"] == 10
    assert zrm["total"]["progress_any"] == {"count": 7, "base": 10, "pct": 70, "suppressed": False}
    assert zrm["by_location"]["Noord"]["progress"]["financien"]["base"] == 5
    assert set(zrm["total"]) >= {"n", "progress_any", "selfsufficient_all", "progress", "decline"}
    assert outflow["total"]["n"] == 5 and outflow["in_trajectory"] == 7
    assert outflow["total"]["counts"]["betaald_werk"] == 3
    assert outflow["total"]["participation"] == {"count": 3, "pct": 60}
    atelier = phases["by_programme"]["wijkateliers"]
    assert atelier["started"] == 12
    assert atelier["reached"]["opleiding"]["count"] == 6
    assert atelier["reached"]["opleiding"]["pct_of_started"] == 50
    assert set(report) >= {"zrm", "outflow", "phases", "funnel", "reach", "contacts"}
    steps = {s["step"]: s["branches"] for s in report["funnel"]["steps"]}
    assert steps["selected"]["total"]["persons"] == 12
    assert steps["referred"]["Perspectief"] == {
        "persons": 4,
        "target": 6,
        "pct_of_target": 67,
        "pct_of_previous": None,  # nobody had a talk in this data: no base to show
    }
    assert steps["active"]["GelreWerkt!"]["persons"] == 2  # R1 and R3 started there
    assert steps["left_benefit"]["total"]["persons"] == 3  # left for paid work
    assert steps["left_benefit"]["total"]["target"] == 4


def test_a_period_leaves_out_who_started_outside_it(runtime, report):
    later = impact(runtime.db, "noord", Period(date(2025, 4, 1), None))
    assert later["phases"]["by_programme"]["wijkateliers"]["started"] < 12


def test_every_format_shows_the_same_numbers(report):
    rows = formats.rows(report)
    text = formats.as_csv(report)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(parsed) == len(rows) + 1
    assert [tuple(r[3:5]) for r in parsed[1:]] == [(str(r[3]), str(r[4])) for r in rows]
    html = formats.as_html(report)
    for _section, _group, figure, count, _base, shown in rows:
        assert str(escape(figure)) in html
        assert f'<td class="number">{count}</td>' in html
        assert f'<td class="number">{shown}</td>' in html
    assert "70 %" in html and "–" in html  # a base under 5 is not shown as a percentage
    assert formats.as_pdf(report).startswith(b"%PDF")
    assert '"progress_any"' in formats.as_json(report)


def test_a_closed_year_keeps_its_figures_after_people_are_erased(runtime, clock, report):
    with runtime.session_factory() as session, session.begin():
        people = session.scalars(select(Participant.id)).all()
        for pid in people[::2]:  # half of them asked to be forgotten, or passed retention
            privacy.erase(session, pid, clock.now(), runtime.settings.zone, "asked")
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 6
        kept = session.scalars(select(ImpactRecord)).all()
        assert len(kept) == 6
        assert all("R" not in json.dumps(k.steps) + json.dumps(k.zrm) for k in kept)  # no refs
    after = impact(runtime.db, "noord", Period(date(2025, 1, 1), date(2025, 12, 31)))
    for section in ("zrm", "outflow", "phases", "funnel"):
        assert after[section] == report[section], section


def test_reach_per_language_counts_understood_and_who_came_within_a_week(runtime, clock, report):
    sent = datetime(2025, 5, 5, 9, tzinfo=UTC)
    with runtime.session_factory() as session, session.begin():
        people = session.scalars(select(Participant).order_by(Participant.id)).all()
        for i, person in enumerate(people[:4]):
            row = outbox.message(
                sent,
                key=f"broadcast:1:p{person.id}",
                chat_id=9000 + i,
                text="Morgen is het atelier open.",
                kind=OutboxKind.BROADCAST,
                priority=1,
                participant_id=person.id,
                organisation_id=person.organisation_id,
                language="ar" if i < 3 else "so",
            )
            row |= {"state": OutboxState.SENT, "sent_at": sent, "acked_at": sent if i else None}
            session.add(Outbox(**row))
        came = (
            (people[0], date(2025, 5, 8)),
            (people[1], date(2025, 5, 20)),  # later than a week
            (people[1], date(2025, 5, 4)),  # before the message
            (people[2], date(2025, 5, 12)),  # the seventh day still counts
            (people[3], date(2025, 5, 13)),  # the eighth does not
        )
        for person, day in came:
            session.add(
                Attendance(
                    organisation_id=person.organisation_id,
                    participant_id=person.id,
                    occurrence_start=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                    day=day,
                    status=AttendanceStatus.PRESENT,
                    source=AttendanceSource.COACH,
                    recorded_at=sent,
                )
            )
    figures = impact(runtime.db, "noord", Period(date(2025, 1, 1), date(2025, 12, 31)))
    assert figures["reach"] == {
        "ar": {"sent": 3, "understood": 2, "came_within_a_week": 2},
        "so": {"sent": 1, "understood": 1, "came_within_a_week": 0},
    }
