"""Reminders: on time in local time (DST too), never at night, never stale, answered in a tap."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.appointments import reminders
from bot.telegram.sender import Sender
from storage.models import (
    Alert,
    Appointment,
    AppointmentAnswer,
    AppointmentKind,
    Outbox,
    Participant,
    Reminder,
    ReminderState,
)
from tests.helpers.people import CHATS, COACH_CHAT, link_demo_people
from tests.helpers.phone import Phone, said

AMS = ZoneInfo("Europe/Amsterdam")
QUIET = (time(21), time(8))


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS)


def test_the_day_before_at_six_stays_six_across_the_spring_change() -> None:
    start = local(2026, 3, 30, 9, 30)  # Monday after the clocks went forward
    due = reminders.due_for(start.astimezone(UTC), "-1d@18:00", AMS)
    assert due.astimezone(AMS) == local(2026, 3, 29, 18, 0)
    assert due.astimezone(UTC).hour == 16  # summer time: UTC+2
    assert reminders.due_for(start.astimezone(UTC), "-2h", AMS).astimezone(AMS).hour == 7


def test_autumn_change_keeps_wall_clock_times() -> None:
    weekly = Appointment(
        id=1,
        participant_id=1,
        organisation_id=1,
        kind=AppointmentKind.SCHOOL_DAY,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        starts_at=local(2026, 10, 19, 9, 30).astimezone(UTC),
    )
    starts = reminders.occurrences(
        weekly, local(2026, 10, 19).astimezone(UTC), local(2026, 11, 3).astimezone(UTC), AMS
    )
    assert [s.astimezone(AMS).strftime("%d %H:%M") for s in starts] == [
        "19 09:30",
        "26 09:30",
        "02 09:30",
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [7, 8, 8]
    plan = reminders.plan(weekly, None, local(2026, 10, 19, 12).astimezone(UTC), AMS, QUIET)
    evenings = [r["due_at"].astimezone(AMS) for r in plan if r["offset"] == "-1d@18:00"]
    assert [d.strftime("%a %d %H:%M") for d in evenings] == ["Sun 25 18:00", "Sun 01 18:00"]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (local(2026, 11, 24, 8, 30), local(2026, 11, 24, 8, 0)),  # due 06:30 → moved to 08:00
        (local(2026, 11, 24, 7, 30), None),  # 08:00 would be too late → dropped
        (local(2026, 11, 24, 12, 0), local(2026, 11, 24, 10, 0)),  # daytime: unchanged
    ],
)
def test_never_at_night(start: datetime, expected: datetime | None) -> None:
    due = reminders.due_for(start, "-2h", AMS)
    assert reminders.place(due, start, AMS, QUIET) == expected


def test_offsets_come_from_the_organisation() -> None:
    from storage.models import Organisation

    org = Organisation(reminder_offsets={"school_day": ["-3h"], "*": ["-1d@19:00"]})
    assert reminders.offsets_for(org, "school_day") == ["-3h"]
    assert reminders.offsets_for(org, "exam") == ["-1d@19:00"]
    assert reminders.offsets_for(None, "exam") == ["-1d@18:00", "-2h"]
    with pytest.raises(ValueError, match="bad reminder offset"):
        reminders.due_for(datetime(2026, 1, 1, tzinfo=UTC), "tomorrow", AMS)


@pytest.fixture
def yonas(runtime, demo_codes, session_factory, clock):
    """Yonas linked, with only a coach talk on Wednesday 25 November at 14:00 (demo data)."""
    ids = link_demo_people(session_factory, clock.now())
    with session_factory() as session, session.begin():
        for appointment in session.scalars(
            select(Appointment).where(
                Appointment.participant_id == ids["Yonas"],
                Appointment.kind == AppointmentKind.WORKSHOP_DAY,
            )
        ):
            appointment.cancelled_at = clock.now()
        talk = session.scalars(
            select(Appointment).where(
                Appointment.participant_id == ids["Yonas"],
                Appointment.kind == AppointmentKind.COACH_TALK,
            )
        ).one()
        return {"participant": ids["Yonas"], "talk": talk.id}


def sync(runtime, appointment_id):
    settings = runtime.settings
    with runtime.session_factory() as session, session.begin():
        appointment = session.get(Appointment, appointment_id)
        return reminders.sync(
            session, appointment, runtime.clock.now(), settings.zone, settings.quiet
        )


def tick(runtime, at):
    with runtime.session_factory() as session:
        return reminders.tick(session, at, runtime.settings.zone, runtime.settings.quiet)


def states(session_factory) -> dict[str, ReminderState]:
    with session_factory() as session:
        return {r.offset: r.state for r in session.scalars(select(Reminder))}


def test_moving_an_appointment_replaces_its_pending_reminders(runtime, yonas, session_factory):
    assert sync(runtime, yonas["talk"]) == 2
    with session_factory() as session, session.begin():
        session.get(Appointment, yonas["talk"]).starts_at += timedelta(days=1)
    sync(runtime, yonas["talk"])
    with session_factory() as session:
        due = sorted(r.due_at.astimezone(AMS) for r in session.scalars(select(Reminder)))
    assert [d.strftime("%a %H:%M") for d in due] == ["Wed 18:00", "Thu 12:00"]
    with session_factory() as session, session.begin():
        session.get(Appointment, yonas["talk"]).cancelled_at = runtime.clock.now()
    sync(runtime, yonas["talk"])
    with session_factory() as session:
        assert session.scalars(select(Reminder)).all() == []


def test_tick_sends_due_ones_in_the_participants_language(runtime, yonas, session_factory):
    sync(runtime, yonas["talk"])
    evening = local(2026, 11, 24, 18, 0).astimezone(UTC)
    assert tick(runtime, evening - timedelta(minutes=1)) == 0
    assert tick(runtime, evening) == 1
    with session_factory() as session:
        row = session.scalars(select(Outbox)).one()
    expected = said(
        "ti",
        "Your next talk with your coach is on {when}, at {place}.",
        when="ረቡዕ፣ 25 ሕዳር 14:00",
        place="Wijkatelier Noord",
    )
    assert row.text.startswith(expected)
    assert said("ti", "{coach} has kept a place for you.", coach="Sanne de Vries") in row.text
    assert [b[0]["data"].split(":")[-1] for b in row.buttons] == ["yes", "no", "late"]
    assert states(session_factory) == {
        "-1d@18:00": ReminderState.QUEUED,
        "-2h": ReminderState.PENDING,
    }


def test_after_downtime_useful_ones_go_and_stale_ones_are_dropped(runtime, yonas, session_factory):
    sync(runtime, yonas["talk"])
    noon = local(2026, 11, 25, 13, 0).astimezone(UTC)  # the bot was down since Tuesday
    assert tick(runtime, noon) == 2  # both still before 14:00
    sync(runtime, yonas["talk"])
    with session_factory() as session, session.begin():
        for reminder in session.scalars(select(Reminder)):
            reminder.state = ReminderState.PENDING
    assert tick(runtime, local(2026, 11, 25, 14, 5).astimezone(UTC)) == 0
    assert set(states(session_factory).values()) == {ReminderState.DROPPED}


def test_a_stopped_participant_gets_no_reminders(runtime, yonas, session_factory):
    sync(runtime, yonas["talk"])
    with session_factory() as session, session.begin():
        session.get(Participant, yonas["participant"]).stopped_at = runtime.clock.now()
    assert tick(runtime, local(2026, 11, 24, 18, 0).astimezone(UTC)) == 0
    assert states(session_factory)["-1d@18:00"] == ReminderState.CANCELLED


async def test_answers_in_a_tap_and_the_coach_hears(
    app, api, runtime, yonas, session_factory, clock
):
    sync(runtime, yonas["talk"])
    clock.moment = local(2026, 11, 24, 18, 0).astimezone(UTC)
    tick(runtime, clock.now())
    sender = Sender(runtime, app.bot, name="t")
    await sender.drain_once()
    phone = Phone(app, api, CHATS["Yonas"], "ti")
    assert phone.buttons() == [
        said("ti", "✅ I will come"),
        said("ti", "❌ I cannot come"),
        said("ti", "⏰ I will be late"),
    ]
    asked = await phone.tap(2)
    assert asked == [said("ti", "That is a pity. Why can't you come?")]
    thanked = await phone.tap(said("ti", "🤒 I am sick"))
    assert thanked == [
        said(
            "ti",
            "Thank you for telling us. {coach} will contact you about a new time.",
            coach="Sanne de Vries",
        )
    ]
    await sender.drain_once()
    told = api.texts(COACH_CHAT)
    assert told == [
        said(
            "nl",
            "{name} cannot come on {when}: they are sick.",
            name="Yonas",
            when="woensdag 25 november, 14:00",
        )
    ]
    with session_factory() as session:
        answer = session.scalars(select(AppointmentAnswer)).one()
        assert (answer.answer, answer.reason) == ("not_coming", "sick")
        assert session.scalars(select(Alert.kind)).all() == ["not_coming"]


async def reminded(app, api, runtime, yonas, clock) -> tuple[Phone, Sender]:
    """Yonas got Tuesday evening's reminder of Wednesday's talk."""
    sync(runtime, yonas["talk"])
    clock.moment = local(2026, 11, 24, 18, 0).astimezone(UTC)
    tick(runtime, clock.now())
    sender = Sender(runtime, app.bot, name="t")
    await sender.drain_once()
    return Phone(app, api, CHATS["Yonas"], "ti"), sender


def stored(session_factory) -> list[tuple[str, str | None, int | None]]:
    with session_factory() as session:
        return [
            (a.answer, a.reason, a.minutes_late) for a in session.scalars(select(AppointmentAnswer))
        ]


async def test_words_answer_the_open_reminder(app, api, runtime, yonas, session_factory, clock):
    phone, _sender = await reminded(app, api, runtime, yonas, clock)
    assert await phone.send("ሕራይ") == [said("ti", "Thank you! See you then.")]  # "OK"
    assert stored(session_factory) == [("coming", None, None)]
    assert await phone.send("ሕራይ") == [said("ti", "OK!")]  # answered: now it is just "OK"


async def test_i_cannot_come_in_words_asks_why(app, api, runtime, yonas, session_factory, clock):
    phone, sender = await reminded(app, api, runtime, yonas, clock)
    seen = await phone.send("ክመጽእ ኣይክእልን እየ")  # "I cannot come"
    assert seen == [said("ti", "That is a pity. Why can't you come?")]
    await phone.tap(said("ti", "👪 My child or family"))
    assert stored(session_factory) == [("not_coming", "family", None)]
    await sender.drain_once()
    assert "Yonas" in api.texts(COACH_CHAT)[-1]


async def test_sick_and_late_in_words(app, api, runtime, yonas, session_factory, clock):
    phone, _sender = await reminded(app, api, runtime, yonas, clock)
    assert await phone.send("10 ደቒቕ ክድንጉይ እየ") == [  # "I will be 10 minutes late"
        said("ti", "Thank you. I will tell {coach}.", coach="Sanne de Vries")
    ]
    assert stored(session_factory) == [("late", None, 15)]
    assert await phone.send("ik ben ziek") == [  # a later answer replaces it, in any language
        said(
            "ti",
            "Thank you for telling us. {coach} will contact you about a new time.",
            coach="Sanne de Vries",
        )
    ]
    assert stored(session_factory) == [("not_coming", "sick", None)]


async def test_without_an_open_reminder_ok_is_just_ok(app, api, runtime, yonas, session_factory):
    phone = Phone(app, api, CHATS["Yonas"], "ti")
    assert await phone.send("ok") == [said("ti", "OK!")]
    assert stored(session_factory) == []


async def test_someone_elses_or_a_past_reminder_cannot_be_answered(
    app, api, runtime, yonas, session_factory, clock
):
    sync(runtime, yonas["talk"])
    with session_factory() as session:
        reminder_id = session.scalars(select(Reminder.id)).first()
    rami = Phone(app, api, CHATS["Rami"], "ar")
    seen = await rami.deliver(api.callback_update(CHATS["Rami"], f"rsvp:{reminder_id}:yes"))
    assert seen == [] and rami.last_toast == said("ar", "This appointment has already passed.")
    clock.advance(days=3)
    yonas_phone = Phone(app, api, CHATS["Yonas"], "ti")
    await yonas_phone.deliver(api.callback_update(CHATS["Yonas"], f"rsvp:{reminder_id}:yes"))
    assert yonas_phone.last_toast == said("ti", "This appointment has already passed.")
    with session_factory() as session:
        assert session.scalars(select(AppointmentAnswer)).all() == []


async def test_afspraken_lists_the_coming_appointments(
    app, api, runtime, demo_codes, session_factory, clock
):
    link_demo_people(session_factory, clock.now())
    phone = Phone(app, api, CHATS["Amina"], "so")
    seen = await phone.send("/afspraken")
    assert len(seen) == 1
    assert (
        said(
            "so",
            "Your next talk with your coach is on {when}, at {place}.",
            when="Arbaco, Noofeembar 25 14:00",
            place="Wijkatelier Zuid",
        )
        in seen[0]
    )
