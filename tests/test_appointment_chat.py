"""A coach makes a weekly appointment in Telegram; the participant hears of it once, in Arabic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.i18n import format_when, use_locale
from bot.services.appointments import reminders
from bot.telegram.sender import Sender
from storage.models import Appointment, Outbox, OutboxKind, Reminder
from tests.helpers.people import CHATS, COACH_CHAT, link_demo_people
from tests.helpers.phone import Phone, said


async def test_coach_makes_a_weekly_appointment(
    app, api, runtime, demo_codes, session_factory, clock
):
    link_demo_people(session_factory, clock.now())
    coach = Phone(app, api, COACH_CHAT, "nl", name="Sanne")
    assert await coach.send("/afspraak") == [said("nl", "For whom is the appointment?")]
    assert coach.buttons() == ["Amina", "Fatima", "Rami", "Yonas"]
    await coach.tap("Rami")
    await coach.tap(said("nl", "🏫 School day"))
    bad = await coach.send("woensdag")
    assert bad[0] == said("nl", "Please write the day and time like this: 24-11 09:30")
    await coach.send("25-11 09:00")
    await coach.tap(said("nl", "🔁 Every week on this day"))
    summary = await coach.tap("Wijkatelier Noord")
    expected = said(
        "ar",
        "You have a new appointment: a school day on {when}, at {place}.",
        when="الأربعاء، 25 نوفمبر، 09:00",
        place="Wijkatelier Noord",
    )
    assert summary[0].endswith(expected)
    assert summary[0].startswith(said("nl", "{name} will get this message:", name="Rami"))
    saved = await coach.tap(said("nl", "✅ Save"))
    assert saved == [
        said(
            "nl",
            "Saved. {name} gets a message now, and reminders before the appointment.",
            name="Rami",
        )
    ]
    with session_factory() as session:
        made = session.scalars(
            select(Appointment).where(Appointment.rrule == "FREQ=WEEKLY;BYDAY=WE")
        ).one()
        assert session.scalars(select(Reminder).where(Reminder.appointment_id == made.id)).all()
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(CHATS["Rami"]) == [expected]


async def test_a_participant_cannot_make_appointments(app, api, demo_codes, session_factory, clock):
    link_demo_people(session_factory, clock.now())
    rami = Phone(app, api, CHATS["Rami"], "ar")
    assert await rami.send("/afspraak") == [
        said("ar", "Only staff of an organisation can do this.")
    ]


async def test_a_time_in_the_past_is_refused(app, api, demo_codes, session_factory, clock):
    link_demo_people(session_factory, clock.now())
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/afspraak")
    await coach.tap("Yonas")
    await coach.tap(said("nl", "📝 Intake"))
    await coach.send("23-11 08:00")  # the test clock says Monday 23 November 11:00
    await coach.tap(said("nl", "1️⃣ Only once"))
    seen = await coach.tap("Wijkatelier Zuid")
    assert seen == [said("nl", "That time has already passed. Choose a time in the future.")]


async def test_weekly_reminders_in_arabic_and_somali_keep_local_time_across_the_spring_change(
    app, api, runtime, demo_codes, session_factory, clock
):
    """The issue's "done": made in Telegram, reminded at 18:00 the evening before and at 08:00
    (09:30 minus two hours falls in the night) on both sides of Sunday 28 March 2027."""
    ams = ZoneInfo("Europe/Amsterdam")
    clock.moment = datetime(2027, 3, 18, 12, 0, tzinfo=ams).astimezone(UTC)
    link_demo_people(session_factory, clock.now())
    coach = Phone(app, api, COACH_CHAT, "nl")
    for name in ("Rami", "Amina"):
        await coach.send("/afspraak")
        await coach.tap(name)
        await coach.tap(said("nl", "🏫 School day"))
        await coach.send("23-03 09:30")
        await coach.tap(said("nl", "🔁 Every week on this day"))
        await coach.tap("Wijkatelier Noord")
        await coach.tap(said("nl", "✅ Save"))
    with session_factory() as session, session.begin():
        for old in session.scalars(
            select(Appointment).where(Appointment.rrule != "FREQ=WEEKLY;BYDAY=TU")
        ):
            old.cancelled_at = clock.now()  # only the new school days
    settings = runtime.settings
    end = datetime(2027, 3, 31, 0, 0, tzinfo=ams).astimezone(UTC)
    while clock.now() < end:  # the scheduler's tick, every half hour of simulated time
        with session_factory() as session:
            reminders.tick(session, clock.now(), settings.zone, settings.quiet)
        clock.advance(minutes=30)
    sender = Sender(runtime, app.bot, name="t")
    while await sender.drain_once():
        pass
    with session_factory() as session:
        for name, language in (("Rami", "ar"), ("Amina", "so")):
            rows = session.scalars(
                select(Outbox)
                .where(Outbox.chat_id == CHATS[name], Outbox.kind == OutboxKind.REMINDER)
                .where(Outbox.idempotency_key.startswith("reminder:"))
                .order_by(Outbox.created_at)
            ).all()
            assert [r.created_at.astimezone(ams).strftime("%a %d %H:%M") for r in rows] == [
                "Mon 22 18:00",
                "Tue 23 08:00",
                "Mon 29 18:00",
                "Tue 30 08:00",
            ]
            assert [r.created_at.hour for r in rows] == [17, 7, 16, 6]  # UTC+1, then UTC+2
            after = said(
                language,
                "Your next school day is on {when}, at {place}.",
                when=_when(language, datetime(2027, 3, 30, 9, 30, tzinfo=ams)),
                place="Wijkatelier Noord",
            )
            assert rows[-1].text.startswith(after)
            assert sum(text.startswith(after) for text in api.texts(CHATS[name])) == 2
            assert rows[-1].created_at + timedelta(hours=1, minutes=30) == datetime(
                2027, 3, 30, 9, 30, tzinfo=ams
            )


def _when(language: str, moment: datetime) -> str:
    with use_locale(language):
        return format_when(moment, moment.tzinfo)
