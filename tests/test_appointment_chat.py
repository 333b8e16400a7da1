"""A coach makes a weekly appointment in Telegram; the participant hears of it once, in Arabic."""

from __future__ import annotations

from sqlalchemy import select

from bot.telegram.sender import Sender
from storage.models import Appointment, Reminder
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
        "Your next school day is on {when}, at {place}.",
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
