"""Appointments and attendance in the web app over HTTP: a coach makes, moves and cancels an
appointment on the participant's page (reminders follow, the participant is told once, in their
language, as from Telegram); mistakes are refused kindly and change nothing; /today lists the
day per place and marks attendance in place, a changed mark is an audited correction."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.i18n import format_day, format_when, use_locale
from bot.services.appointments import reminders
from bot.services.appointments.reminder_texts import NEW
from bot.services.appointments.rescheduling import CANCELLED, MOVED
from bot.web.app import create_app
from storage.models import (
    Alert,
    Appointment,
    AppointmentKind,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    AuditEvent,
    Location,
    Organisation,
    Outbox,
    Participant,
    Reminder,
    ReminderState,
    StaffMember,
)
from tests.helpers.people import ADMIN_CHAT, CHATS, OTHER_COACH_CHAT
from tests.helpers.phone import said
from tests.test_web import ORIGIN, log_in

AMS = ZoneInfo("Europe/Amsterdam")
HTMX = {**ORIGIN, "hx-request": "true"}


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS)


@pytest.fixture
def client(runtime, people, colleagues):
    """The demo organisation with every appointment's reminders planned, in a browser."""
    with runtime.db.read() as session:
        reminders.extend_all(session, runtime.clock.now(), AMS, runtime.settings.quiet)
    with TestClient(create_app(runtime), base_url="http://testserver") as browser:
        yield browser


def place_id(runtime, name: str = "Wijkatelier Noord") -> int:
    with runtime.db.read() as session:
        return session.scalars(select(Location.id).where(Location.name == name)).one()


def appointment(runtime, person: int, kind: AppointmentKind) -> Appointment:
    with runtime.db.read() as session:
        return session.scalars(
            select(Appointment).where(
                Appointment.participant_id == person, Appointment.kind == kind
            )
        ).one()


def outbox(runtime, name: str) -> list[tuple[str, str]]:
    """(idempotency key, text) of every message to the participant, oldest first."""
    with runtime.db.read() as session:
        return [
            (row.idempotency_key, row.text)
            for row in session.scalars(
                select(Outbox).where(Outbox.chat_id == CHATS[name]).order_by(Outbox.id)
            )
        ]


def pending(runtime, appointment_id: int) -> list[tuple[datetime, str, datetime]]:
    """(occurrence, offset, due) of the appointment's pending reminders, in local time."""
    with runtime.db.read() as session:
        rows = session.scalars(
            select(Reminder)
            .where(
                Reminder.appointment_id == appointment_id,
                Reminder.state == ReminderState.PENDING,
            )
            .order_by(Reminder.due_at)
        )
        return [
            (r.occurrence_start.astimezone(AMS), r.offset, r.due_at.astimezone(AMS)) for r in rows
        ]


def audited(runtime, action: str) -> list[AuditEvent]:
    with runtime.db.read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def in_arabic(moment: datetime) -> str:
    with use_locale("ar"):
        return format_when(moment, AMS)


def test_a_coach_makes_an_appointment_and_the_participant_hears_once_in_arabic(
    client, runtime, people
):
    csrf = log_in(client, runtime)
    rami = people["Rami"]
    form = client.get(f"/participants/{rami}").text
    assert 'id="new-day" name="day"' in form and "Wijkatelier Zuid" in form
    assert said("nl", "📝 Intake") in form and 'pattern="([01]?[0-9]|2[0-3])' in form
    wanted = {
        "day": "2026-11-26",
        "time": "10:00",
        "location": place_id(runtime),
        "kind": "intake",
        "notes": "Neem je paspoort mee",
        "csrf": csrf,
    }
    answer = client.post(
        f"/participants/{rami}/appointments", data=wanted, headers=ORIGIN, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/participants/{rami}?done=make&told=1#agenda"
    page = client.get(answer.headers["location"]).text
    assert (
        said(
            "nl",
            "Saved. {name} gets a message now, and reminders before the appointment.",
            name="Rami",
        )
        in page
    )
    made = appointment(runtime, rami, AppointmentKind.INTAKE)
    assert made.starts_at == local(2026, 11, 26, 10, 0) and made.rrule is None
    assert made.notes == "Neem je paspoort mee"
    assert pending(runtime, made.id) == [
        (local(2026, 11, 26, 10, 0), "-1d@18:00", local(2026, 11, 25, 18, 0)),
        (local(2026, 11, 26, 10, 0), "-2h", local(2026, 11, 26, 8, 0)),
    ]
    told = said(
        "ar",
        NEW[AppointmentKind.INTAKE],
        when=in_arabic(made.starts_at),
        place="Wijkatelier Noord",
    )
    assert outbox(runtime, "Rami") == [(f"appointment:{made.id}:new", told)]
    again = client.post(f"/participants/{rami}/appointments", data=wanted, headers=ORIGIN)
    assert again.status_code == 400
    assert (
        escape(said("nl", "{name} already has this kind of appointment at that time.", name="Rami"))
        in again.text
    )
    assert len(outbox(runtime, "Rami")) == 1  # sent twice: still one appointment, one message
    (event,) = audited(runtime, "appointment_made")
    assert event.participant_id == rami and event.actor == "staff"
    assert event.detail["appointment"] == made.id


def test_moving_times_the_reminders_anew_and_tells_the_participant_once(client, runtime, people):
    csrf = log_in(client, runtime)
    rami = people["Rami"]
    talk = appointment(runtime, rami, AppointmentKind.COACH_TALK)
    old = local(2026, 11, 25, 14, 0)
    assert talk.starts_at == old and [offset for _, offset, _ in pending(runtime, talk.id)] == [
        "-1d@18:00",
        "-2h",
    ]
    at = int(old.timestamp())
    url = f"/participants/{rami}/appointments/{talk.id}/move"
    new = {"at": at, "day": "2026-11-27", "time": "15.30", "csrf": csrf}
    fragment = client.post(url, data=new, headers=HTMX)
    assert fragment.status_code == 200 and fragment.text.startswith('<section id="agenda"')
    assert said("nl", "Moved. {name} gets a message now.", name="Rami") in fragment.text
    assert pending(runtime, talk.id) == [
        (local(2026, 11, 27, 15, 30), "-1d@18:00", local(2026, 11, 26, 18, 0)),
        (local(2026, 11, 27, 15, 30), "-2h", local(2026, 11, 27, 13, 30)),
    ]
    with runtime.db.read() as session:
        gone = session.scalars(
            select(Reminder.state).where(
                Reminder.appointment_id == talk.id, Reminder.occurrence_start == old
            )
        ).all()
    assert gone == []  # the old time's reminders were never sent: they are gone
    told = said(
        "ar",
        MOVED,
        old=in_arabic(old),
        when=in_arabic(local(2026, 11, 27, 15, 30)),
        place="Wijkatelier Noord",
    )
    assert [text for key, text in outbox(runtime, "Rami") if ":moved:" in key] == [told]
    stale = client.post(url, data=new, headers=HTMX)  # the same form again: that time is gone
    assert 'role="alert"' in stale.text
    assert said("nl", "This appointment does not exist, or it is already over.") in stale.text
    assert len(outbox(runtime, "Rami")) == 1
    (event,) = audited(runtime, "appointment_moved")
    assert event.detail["occurrence"] == old.astimezone(UTC).isoformat()


def test_cancelling_asks_first_and_only_that_days_reminders_go(client, runtime, people):
    csrf = log_in(client, runtime)
    rami = people["Rami"]
    workshop = appointment(runtime, rami, AppointmentKind.WORKSHOP_DAY)
    tuesday = local(2026, 11, 24, 9, 30)
    with use_locale("nl"):
        question = said(
            "nl",
            "Cancel the appointment of {name} on {when}? {name} gets a message.",
            name="Rami",
            when=format_when(tuesday, AMS),
        )
    page = client.get(f"/participants/{rami}").text
    assert question in page and "<details>" in page and "onclick" not in page
    before = {occurrence for occurrence, _, _ in pending(runtime, workshop.id)}
    assert tuesday in before and local(2026, 11, 26, 9, 30) in before
    url = f"/participants/{rami}/appointments/{workshop.id}/cancel"
    data = {"at": int(tuesday.timestamp()), "csrf": csrf}
    answer = client.post(url, data=data, headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert said("nl", "Cancelled. {name} gets a message now.", name="Rami") in page
    assert question not in page
    after = {occurrence for occurrence, _, _ in pending(runtime, workshop.id)}
    assert after == before - {tuesday}  # Thursday's and the next weeks' stay
    told = said("ar", CANCELLED, when=in_arabic(tuesday))
    assert [text for key, text in outbox(runtime, "Rami") if ":cancelled:" in key] == [told]
    again = client.post(url, data=data, headers=ORIGIN)
    assert again.status_code == 400
    assert said("nl", "This appointment does not exist, or it is already over.") in again.text
    assert len(outbox(runtime, "Rami")) == 1
    assert len(audited(runtime, "appointment_cancelled")) == 1


def counts(runtime) -> list[int]:
    """What a refused change must leave as it was: rows of each kind, and audited changes."""
    with runtime.db.read() as session:
        changes = select(func.count()).where(AuditEvent.action.like("appointment_%"))
        return [
            *(
                session.scalar(select(func.count()).select_from(model))
                for model in (Appointment, Outbox, Reminder, Attendance)
            ),
            session.scalar(changes),
        ]


def test_mistakes_are_refused_kindly_and_change_nothing(client, runtime, people):
    csrf = log_in(client, runtime)
    yonas = people["Yonas"]
    with runtime.db.write() as session:
        elders = session.scalars(select(Organisation).where(Organisation.slug == "elders")).one()
        foreign = Location(organisation_id=elders.id, name="Elders Plein", address="")
        session.add(foreign)
        session.flush()
        foreign_id = foreign.id
    good = {
        "day": "2026-11-27",
        "time": "10:00",
        "location": place_id(runtime),
        "kind": "coach_talk",
        "csrf": csrf,
    }
    before = counts(runtime)
    for change, reason in (
        (
            {"day": "2026-11-23", "time": "08:00"},
            "That time has already passed. Choose a time in the future.",
        ),
        ({"day": "2026-02-30"}, "That day is not in the calendar. Choose a day, like 2026-11-24."),
        (
            {"day": "volgende week"},
            "That day is not in the calendar. Choose a day, like 2026-11-24.",
        ),
        ({"time": "25:00"}, "Write the time on the 24-hour clock, like 09:30 or 14:00."),
        ({"time": "9"}, "Write the time on the 24-hour clock, like 09:30 or 14:00."),
        ({"location": foreign_id}, "This location does not exist in your organisation."),
        ({"kind": "party"}, "Choose one of the kinds of appointment."),
    ):
        answer = client.post(
            f"/participants/{yonas}/appointments", data={**good, **change}, headers=ORIGIN
        )
        assert answer.status_code == 400, change
        assert said("nl", reason) in answer.text, change
        assert 'role="alert"' in answer.text
        in_place = client.post(
            f"/participants/{yonas}/appointments", data={**good, **change}, headers=HTMX
        )
        assert in_place.status_code == 200 and said("nl", reason) in in_place.text
        assert in_place.text.startswith('<section id="agenda"')
    kept = client.post(
        f"/participants/{yonas}/appointments", data={**good, "time": "25:00"}, headers=HTMX
    )
    assert 'value="25:00"' in kept.text  # what was typed stays, to mend
    talk = appointment(runtime, yonas, AppointmentKind.COACH_TALK)
    move = f"/participants/{yonas}/appointments/{talk.id}/move"
    at = int(talk.starts_at.timestamp())
    for data, reason in (
        (
            {"at": at, "day": "2026-11-23", "time": "09:00"},
            "That time has already passed. Choose a time in the future.",
        ),
        (
            {"at": at + 60, "day": "2026-11-27", "time": "09:00"},
            "This appointment does not exist, or it is already over.",
        ),
        (
            {"at": at, "day": "2026-13-01", "time": "09:00"},
            "That day is not in the calendar. Choose a day, like 2026-11-24.",
        ),
    ):
        answer = client.post(move, data={**data, "csrf": csrf}, headers=ORIGIN)
        assert answer.status_code == 400 and said("nl", reason) in answer.text
    runtime.clock.advance(days=2, hours=5)  # Wednesday 16:00: the talk is over
    csrf = log_in(client, runtime)
    cancel = f"/participants/{yonas}/appointments/{talk.id}/cancel"
    over = client.post(cancel, data={"at": at, "csrf": csrf}, headers=ORIGIN)
    assert over.status_code == 400
    assert said("nl", "This appointment does not exist, or it is already over.") in over.text
    assert counts(runtime) == before


def test_another_coachs_participant_is_nobody_and_nothing_changes(client, runtime, people):
    csrf = log_in(client, runtime, OTHER_COACH_CHAT)  # Kees: none of the demo people are his
    yonas = people["Yonas"]
    talk = appointment(runtime, yonas, AppointmentKind.COACH_TALK)
    at = int(talk.starts_at.timestamp())
    before = counts(runtime)
    tries = [
        (
            f"/participants/{yonas}/appointments",
            {"day": "2026-11-27", "time": "10:00", "location": place_id(runtime), "kind": "intake"},
        ),
        (f"/participants/{yonas}/appointments", {"day": "2026-02-30", "time": "10:00"}),
        (
            f"/participants/{yonas}/appointments/{talk.id}/move",
            {"at": at, "day": "2026-11-27", "time": "10:00"},
        ),
        (f"/participants/{yonas}/appointments/{talk.id}/cancel", {"at": at}),
        ("/today/mark", {"appointment": talk.id, "at": at, "status": "present"}),
    ]
    for url, data in tries:
        answer = client.post(url, data={**data, "csrf": csrf}, headers=ORIGIN)
        assert answer.status_code == 404, url
        assert "Yonas" not in answer.text, url
    assert counts(runtime) == before


def test_a_post_without_the_token_or_from_elsewhere_is_403_and_changes_nothing(
    client, runtime, people
):
    csrf = log_in(client, runtime)
    yonas = people["Yonas"]
    talk = appointment(runtime, yonas, AppointmentKind.COACH_TALK)
    at = int(talk.starts_at.timestamp())
    before = counts(runtime)
    tries = [
        (
            f"/participants/{yonas}/appointments",
            {"day": "2026-11-27", "time": "10:00", "location": place_id(runtime), "kind": "intake"},
        ),
        (
            f"/participants/{yonas}/appointments/{talk.id}/move",
            {"at": at, "day": "2026-11-27", "time": "10:00"},
        ),
        (f"/participants/{yonas}/appointments/{talk.id}/cancel", {"at": at}),
        ("/today/mark", {"appointment": talk.id, "at": at, "status": "present"}),
    ]
    for url, data in tries:
        assert client.post(url, data=data, headers=ORIGIN).status_code == 403, url
        wrong = client.post(url, data={**data, "csrf": "wrong"}, headers=ORIGIN)
        assert wrong.status_code == 403, url
        elsewhere = {"origin": "https://evil.example"}
        assert client.post(url, data={**data, "csrf": csrf}, headers=elsewhere).status_code == 403
    assert counts(runtime) == before


@pytest.fixture
def tuesday(client, runtime, people):
    """Tuesday 24 November 10:00, a workshop day at both places; Fatima is Kees's."""
    runtime.clock.moment = local(2026, 11, 24, 10, 0).astimezone(UTC)
    with runtime.db.write() as session:
        kees = session.scalars(select(StaffMember).where(StaffMember.name == "Kees")).one()
        session.get(Participant, people["Fatima"]).coach_id = kees.id
    return client


def test_today_a_coach_sees_their_people_per_place_and_an_admin_everyone(tuesday, runtime, people):
    client = tuesday
    log_in(client, runtime)
    page = client.get("/today").text
    with use_locale("nl"):
        heading = said(
            "nl", "Attendance on {day}", day=format_day(local(2026, 11, 24).date(), with_year=True)
        )
    assert heading in page and 'aria-current="page">' + said("nl", "Attendance") in page
    north, south = page.index("Wijkatelier Noord"), page.index("Wijkatelier Zuid")
    assert north < page.index("Rami") < page.index("Yonas") < south < page.index("Amina")
    assert "Fatima" not in page  # Kees's
    assert f'href="/participants/{people["Yonas"]}"' in page and ">09:30</time>" in page
    assert said("nl", "🛠 Workshop day") in page and said("nl", "not marked yet") in page
    assert page.count('action="/today/mark"') == 3 and page.count('name="status"') == 3 * 3
    assert 'href="/today?day=2026-11-23"' in page and 'href="/today?day=2026-11-25"' in page
    viewed = {event.participant_id for event in audited(runtime, "attendance_viewed")}
    assert viewed == {people["Yonas"], people["Rami"], people["Amina"]}

    log_in(client, runtime, ADMIN_CHAT)
    everyone = client.get("/today").text
    assert all(name in everyone for name in ("Yonas", "Rami", "Amina", "Fatima"))

    log_in(client, runtime, OTHER_COACH_CHAT)
    kees = client.get("/today").text
    assert "Fatima" in kees and "Yonas" not in kees and "Amina" not in kees


def test_another_day_is_shown_in_full_and_a_day_to_come_cannot_be_marked(tuesday, runtime, people):
    client = tuesday
    log_in(client, runtime)
    thursday = client.get("/today?day=2026-11-26").text
    with use_locale("nl"):
        full = format_day(local(2026, 11, 26).date(), with_year=True)
    assert full in thursday and "Yonas" in thursday
    assert 'action="/today/mark"' not in thursday
    assert said("nl", "You can fill this in on the day itself, not before.") in thursday
    earlier = client.get("/today?day=2026-11-17").text
    with use_locale("nl"):
        nobody = said(
            "nl",
            "Nobody is expected on {day}.",
            day=format_day(local(2026, 11, 17).date(), with_year=True),
        )
    assert nobody in earlier
    assert "dinsdag 24 november 2026" in client.get("/today?day=yesterday").text


def test_marks_are_set_in_place_and_a_changed_mark_is_an_audited_correction(
    tuesday, runtime, people
):
    client = tuesday
    csrf = log_in(client, runtime)
    yonas = people["Yonas"]
    workshop = appointment(runtime, yonas, AppointmentKind.WORKSHOP_DAY)
    at = int(local(2026, 11, 24, 9, 30).timestamp())
    data = {"appointment": workshop.id, "at": at, "csrf": csrf}
    row = client.post("/today/mark", data={**data, "status": "present"}, headers=HTMX)
    assert row.status_code == 200 and row.text.startswith(f'<tr id="row-{workshop.id}-{at}">')
    assert said("nl", "✅ present") in row.text and said("nl", "corrected") not in row.text
    assert audited(runtime, "attendance_corrected") == []
    runtime.clock.advance(minutes=20)
    row = client.post("/today/mark", data={**data, "status": "absent"}, headers=HTMX)
    assert said("nl", "❌ absent") in row.text and said("nl", "corrected") in row.text
    with use_locale("nl"):
        changed = said(
            "nl",
            "{name} changed it on {when}; it was {before}.",
            name="Sanne de Vries",
            when=format_when(runtime.clock.now(), AMS),
            before=said("nl", "✅ present"),
        )
    assert changed in row.text
    (event,) = audited(runtime, "attendance_corrected")
    assert event.actor == "staff" and event.at == runtime.clock.now()
    assert (event.detail["before"], event.detail["after"]) == ("present", "absent")
    with runtime.db.read() as session:
        staff = session.get(StaffMember, event.staff_id)
        record = session.scalars(select(Attendance).where(Attendance.participant_id == yonas)).one()
    assert staff.name == "Sanne de Vries"
    assert (record.status, record.source) == (AttendanceStatus.ABSENT, AttendanceSource.COACH)
    assert changed in client.get("/today").text  # the page says so after a reload too
    plain = client.post(
        "/today/mark", data={**data, "status": "excused"}, headers=ORIGIN, follow_redirects=False
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/today?day=2026-11-24#row-{workshop.id}-{at}"
    assert len(audited(runtime, "attendance_corrected")) == 2
    odd = client.post("/today/mark", data={**data, "status": "late-ish"}, headers=ORIGIN)
    assert odd.status_code == 400


def test_marks_feed_the_disengagement_alert_and_the_heat_map_as_in_telegram(
    tuesday, runtime, people
):
    client = tuesday
    yonas = people["Yonas"]
    workshop = appointment(runtime, yonas, AppointmentKind.WORKSHOP_DAY)
    runtime.clock.moment = local(2026, 11, 26, 13, 0).astimezone(UTC)  # Thursday afternoon
    csrf = log_in(client, runtime)
    for day in (24, 26):
        at = int(local(2026, 11, day, 9, 30).timestamp())
        data = {"appointment": workshop.id, "at": at, "status": "absent", "csrf": csrf}
        assert client.post("/today/mark", data=data, headers=HTMX).status_code == 200
    with runtime.db.read() as session:
        alert = session.scalars(select(Alert).where(Alert.participant_id == yonas)).one()
    assert alert.kind == "disengaged"
    assert "Yonas" in client.get("/").text  # on the coach's board
    table = client.get("/participants").text
    line = table[table.index(f'href="/participants/{yonas}"') :]
    assert line[: line.index("</tr>")].count('class="week missed"') == 1
