"""Appointments made from a CSV file: all or nothing, with a clear line per bad row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.services.appointments import scheduling
from storage.models import Appointment, Organisation, Participant, ParticipantStatus, Reminder

HEADER = "participant,kind,date,start,end,repeat,location,with,notes\n"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("weekly:tu,th", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("wekelijks:di, do", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("FREQ=WEEKLY;BYDAY=WE", "FREQ=WEEKLY;BYDAY=WE"),
        ("none", None),
        ("", None),
    ],
)
def test_repeat_rules(text, rule) -> None:
    assert scheduling.repeat_rule(text) == rule


@pytest.mark.parametrize("text", ["weekly:", "weekly:xx", "monthly:tu", "FREQ=SOMETIMES"])
def test_bad_repeat_rules(text) -> None:
    with pytest.raises(ValueError):
        scheduling.repeat_rule(text)


def run(runtime, text, skip=False):
    settings = runtime.settings
    with runtime.session_factory() as session:
        org = session.scalars(select(Organisation.id)).first()
    with runtime.session_factory() as session:
        return scheduling.import_csv(
            session, org, text, runtime.clock.now(), settings.zone, settings.quiet, skip
        )


def counts(session_factory) -> tuple[int, int]:
    with session_factory() as session:
        return (
            session.scalar(select(func.count(Appointment.id))),
            session.scalar(select(func.count(Reminder.id))),
        )


def test_a_good_file_is_imported_with_its_reminders(runtime, demo_codes, session_factory):
    before = counts(session_factory)
    report = run(
        runtime,
        HEADER + "Yonas,school_day,2026-11-25,09:00,15:00,weekly:we,"
        "Wijkatelier Noord,Sanne de Vries,Bring your pen\n"
        "amina,exam,2026-12-01,10:00,,none,,,\n",
    )
    assert report.errors == [] and report.created == 2
    appointments, made = counts(session_factory)
    assert appointments == before[0] + 2 and made > before[1]


def test_one_bad_row_stops_the_file_and_each_error_names_its_line(
    runtime, demo_codes, session_factory
):
    before = counts(session_factory)
    report = run(
        runtime,
        HEADER + "Yonas,school_day,2026-11-25,09:00,15:00,none,,,\n"
        "Nobody,school_day,2026-11-25,09:00,,,,,\n"
        "Rami,party,2026-11-25,09:00,,,,,\n"
        "Rami,exam,25-11-2026,09:00,,,,,\n"
        "Rami,exam,2026-11-25,9h,,,,,\n"
        "Rami,exam,2026-11-25,10:00,09:00,,,,\n"
        "Rami,exam,2026-11-25,10:00,,every day,,,\n"
        "Rami,exam,2026-11-25,10:00,,,Mars,,\n",
    )
    assert [(reason, details["line"]) for reason, details in report.errors] == [
        ("participant", 3),
        ("kind", 4),
        ("date", 5),
        ("time", 6),
        ("end", 7),
        ("repeat", 8),
        ("location", 9),
    ]
    assert counts(session_factory) == before
    skipped = run(
        runtime,
        HEADER + "Yonas,exam,2026-11-26,09:00,,,,,\nNobody,exam,2026-11-26,09:00,,,,,\n",
        skip=True,
    )
    assert skipped.created == 1 and len(skipped.errors) == 1


def test_another_organisations_participant_cannot_be_named_by_number(
    runtime, demo_codes, session_factory, clock
):
    with session_factory() as session, session.begin():
        other = Organisation(slug="x", name="X", created_at=clock.now())
        session.add(other)
        session.flush()
        stranger = Participant(
            display_name="Stranger",
            organisation_id=other.id,
            status=ParticipantStatus.ACTIVE,
            created_at=clock.now(),
        )
        session.add(stranger)
        session.flush()
        stranger_id = stranger.id
    report = run(runtime, HEADER + f"{stranger_id},exam,2026-11-26,09:00,,,,,\n")
    assert report.errors == [("participant", {"line": 2, "value": str(stranger_id)})]


def test_a_file_without_the_columns_is_refused(runtime, demo_codes) -> None:
    report = run(runtime, "name;when\nYonas;tomorrow\n")
    assert [reason for reason, _ in report.errors] == ["columns"]


def test_dates_are_local_wall_clock(runtime, demo_codes, session_factory) -> None:
    run(runtime, HEADER + "Fatima,exam,2027-07-01,10:00,,,,,\n")
    with session_factory() as session:
        exam = session.scalars(select(Appointment).where(Appointment.kind == "exam")).one()
    assert exam.starts_at == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)  # summer: UTC+2


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=5", "RRULE:FREQ=HOURLY"])
def test_a_rule_more_often_than_daily_is_refused_with_its_line(
    runtime, demo_codes, session_factory, rule
):
    before = counts(session_factory)
    report = run(runtime, HEADER + f"Yonas,school_day,2026-11-25,09:00,,{rule},,,\n")
    assert report.errors == [("too_often", {"line": 2, "value": rule})]
    assert counts(session_factory) == before


def test_a_past_date_is_refused_unless_the_file_brings_history(
    runtime, demo_codes, session_factory
):
    past = HEADER.replace(",", ";") + "Yonas;intake;2026-10-01;09:00;;none;;;\n"  # Dutch Excel
    before = counts(session_factory)
    assert run(runtime, past).errors == [("past", {"line": 2, "value": "2026-10-01"})]
    settings = runtime.settings
    with runtime.session_factory() as session:
        org = session.scalars(select(Organisation.id)).first()
    with runtime.session_factory() as session:
        report = scheduling.import_csv(
            session, org, past, runtime.clock.now(), settings.zone, settings.quiet, history=True
        )
    assert report.errors == [] and report.created == 1
    appointments, reminders = counts(session_factory)
    assert (appointments, reminders) == (before[0] + 1, before[1])  # nothing reminded


def test_dates_and_times_in_arabic_digits_are_read(runtime, demo_codes, session_factory):
    report = run(runtime, HEADER + "Yonas,exam,٢٠٢٦-١٢-٠٢,١٠:٠٠,١٢:٣٠,none,,,\n")
    assert report.errors == [] and report.created == 1
    with session_factory() as session:
        exam = session.scalars(select(Appointment).where(Appointment.kind == "exam")).one()
    assert exam.starts_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
