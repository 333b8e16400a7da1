"""Attendance: the coach's day list in one screen, RSVPs as excused, a CSV import; a day with
no record stays unknown; corrections are audited; nobody marks another organisation's people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.appointments import attendance, reminders
from bot.services.errors import Refused
from bot.services.people.scope import Scope
from bot.telegram.sender import Sender
from storage.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    AuditEvent,
    Participant,
    Reminder,
)
from tests.helpers.dialog import assert_dialog
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import Phone, said, said_n

AMS = ZoneInfo("Europe/Amsterdam")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS)


@pytest.fixture
def tuesday(people, clock) -> None:
    """After `people` are linked, the clock stands on Tuesday 24 November, a workshop day."""
    clock.moment = local(2026, 11, 24, 10, 0).astimezone(UTC)


def org_id(session_factory) -> int:
    with session_factory() as session:
        return session.scalars(select(Participant.organisation_id)).first()


def records(session_factory) -> dict[str, tuple[AttendanceStatus, AttendanceSource]]:
    with session_factory() as session:
        names = {p.id: p.display_name for p in session.scalars(select(Participant))}
        return {
            names[row.participant_id]: (row.status, row.source)
            for row in session.scalars(select(Attendance))
        }


async def test_the_day_list_in_one_screen(app, api, runtime, people, tuesday, session_factory):
    coach = Phone(app, api, COACH_CHAT, "nl")
    shown = await coach.send("/vandaag")
    assert shown == [
        said_n(
            "nl",
            "{day}: {n} person expected. Tap ✅ present, ⏰ late or ❌ absent.",
            "{day}: {n} people expected. Tap ✅ present, ⏰ late or ❌ absent.",
            4,
            day="dinsdag 24 november",
        ),
        said("nl", "{place}, {when}", place="Wijkatelier Noord", when="dinsdag 24 november, 09:30"),
        said("nl", "{place}, {when}", place="Wijkatelier Zuid", when="dinsdag 24 november, 09:30"),
    ]
    assert coach.buttons() == [
        "❔ Amina", "✅", "⏰", "❌",
        "❔ Fatima", "✅", "⏰", "❌",
        said("nl", "✅ Everyone present"),
    ]  # fmt: skip
    await coach.tap(4)  # Amina ❌
    assert coach.buttons()[0] == "❌ Amina"
    await coach.tap(said("nl", "✅ Everyone present"))
    assert coach.buttons() == ["❌ Amina", "✅", "⏰", "❌", "✅ Fatima", "✅", "⏰", "❌"]
    assert records(session_factory) == {
        "Amina": (AttendanceStatus.ABSENT, AttendanceSource.COACH),
        "Fatima": (AttendanceStatus.PRESENT, AttendanceSource.COACH),
    }
    await coach.tap(3)  # Amina came in late after all: a correction
    assert coach.buttons()[0] == "⏰ Amina"
    with session_factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "attendance_corrected")
        ).one()
        assert (event.detail["before"], event.detail["after"]) == ("absent", "late")
        assert event.staff_id is not None
    with session_factory() as session:
        found = attendance.expected_on(
            session, Scope(organisation_id=org_id(session_factory)), date(2026, 11, 24), AMS
        )
        assert {e.name: e.status for e in found}["Yonas"] is None  # unknown, not absent


async def test_an_earlier_day_can_be_corrected_a_later_one_not(
    app, api, runtime, people, tuesday, session_factory
):
    await assert_dialog(
        Phone(app, api, COACH_CHAT, "nl"),
        [
            ("/vandaag 30-11", [said("nl", "You can fill this in on the day itself, not before.")]),
            ("/vandaag gisteren", [said("nl", "Write the day like this: /vandaag 23-11")]),
            (
                "/vandaag 23-11",
                [said("nl", "Nobody is expected on {day}.", day="maandag 23 november")],
            ),
        ],
    )
    await assert_dialog(
        app,
        [("/vandaag", [said("ar", "Only staff of an organisation can do this.")])],
        chat_id=CHATS["Rami"],
        language_code="ar",
    )


async def test_i_cannot_come_is_excused_and_i_will_come_takes_it_back(
    app, api, runtime, people, tuesday, session_factory, clock
):
    with session_factory() as session:
        reminders.extend_all(session, clock.now(), AMS, runtime.settings.quiet)
        clock.moment = local(2026, 11, 25, 18, 0).astimezone(UTC)  # the evening before Thursday
        reminders.tick(session, clock.now(), AMS, runtime.settings.quiet)
    await Sender(runtime, app.bot, name="t").drain_once()
    amina = Phone(app, api, CHATS["Amina"], "so")
    await amina.tap(2)
    await amina.tap(said("so", "👪 My child or family"))
    with session_factory() as session:
        row = session.scalars(select(Attendance)).one()
        assert (row.status, row.reason, row.source) == (
            AttendanceStatus.EXCUSED,
            "family",
            AttendanceSource.RSVP,
        )
        assert row.occurrence_start == local(2026, 11, 26, 9, 30)
        reminder_id = session.scalars(
            select(Reminder.id).where(
                Reminder.occurrence_start == row.occurrence_start,
                Reminder.participant_id == people["Amina"],
            )
        ).first()
    await amina.deliver(api.callback_update(CHATS["Amina"], f"rsvp:{reminder_id}:yes"))
    assert records(session_factory) == {}


def test_import_is_all_or_nothing_and_matches_each_row_to_its_day(
    runtime, people, tuesday, session_factory, clock
):
    good = (
        "participant,date,start,status,reason\n"
        "Yonas,2026-11-24,09:30,aanwezig,\n"
        "rami,2026-11-24,,absent,\n"
    )
    bad = (
        good
        + "Nobody,2026-11-24,,present,\nFatima,2026-11-22,,present,\nAmina,2026-11-26,,present,\n"
    )
    org = org_id(session_factory)
    with session_factory() as session:
        report = attendance.import_csv(session, org, bad, clock.now(), AMS)
    assert [reason for reason, _details in report.errors] == [
        "participant",
        "not_expected",
        "future",
    ]
    assert [details["line"] for _reason, details in report.errors] == [4, 5, 6]
    assert records(session_factory) == {}
    with session_factory() as session:
        report = attendance.import_csv(session, org, good, clock.now(), AMS)
    assert report.recorded == 2 and report.errors == []
    assert records(session_factory) == {
        "Yonas": (AttendanceStatus.PRESENT, AttendanceSource.IMPORT),
        "Rami": (AttendanceStatus.ABSENT, AttendanceSource.IMPORT),
    }


def test_nobody_marks_another_organisations_or_coachs_people(
    runtime, people, tuesday, session_factory, clock
):
    found = None
    with session_factory() as session:
        found = attendance.expected_on(
            session, Scope(organisation_id=org_id(session_factory)), date(2026, 11, 24), AMS
        )
    item = found[0]
    for stranger, reason in (
        (Scope(organisation_id=org_id(session_factory) + 1), "unknown_appointment"),
        (Scope(organisation_id=org_id(session_factory), coach_id=999), "not_yours"),
    ):
        with session_factory() as session, pytest.raises(Refused, match=reason):
            attendance.mark(
                session,
                stranger,
                item.appointment_id,
                item.start,
                AttendanceStatus.ABSENT,
                clock.now(),
                AMS,
            )
        with session_factory() as session:
            assert attendance.expected_on(session, stranger, date(2026, 11, 24), AMS) == []
    assert records(session_factory) == {}
