"""Changes after an appointment was made: "I can't come" → a proposed new time → one tap;
a coach moves or cancels an occurrence or a series; the participant is told once; no stale
reminder is ever sent; nobody can change another coach's or organisation's appointments."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.appointments import reminders, rescheduling
from bot.services.errors import Refused
from bot.services.people.scope import Scope
from bot.telegram.sender import Sender
from storage.models import (
    Alert,
    AlertState,
    Appointment,
    AppointmentKind,
    Outbox,
    Participant,
    ProposalState,
    Reminder,
    ReminderState,
    TimeProposal,
)
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import Phone, said

AMS = ZoneInfo("Europe/Amsterdam")
QUIET = (time(21), time(8))


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS)


@pytest.fixture
def planned(people, session_factory, clock) -> None:
    """Every appointment of the linked `people` has its reminders planned."""
    with session_factory() as session:
        reminders.extend_all(session, clock.now(), AMS, QUIET)


def appointment_of(session_factory, participant_id: int, kind: AppointmentKind) -> Appointment:
    with session_factory() as session:
        return session.scalars(
            select(Appointment).where(
                Appointment.participant_id == participant_id,
                Appointment.kind == kind,
                Appointment.replaces_id.is_(None),
            )
        ).one()


def organisation_scope(session_factory) -> Scope:
    with session_factory() as session:
        person = session.scalars(select(Participant)).first()
        return Scope(organisation_id=person.organisation_id)


async def cannot_come(app, api, runtime, clock, people, sender) -> Phone:
    """Yonas gets Tuesday evening's reminder of his Wednesday talk and says he is sick."""
    clock.moment = local(2026, 11, 24, 18, 0).astimezone(UTC)
    with runtime.session_factory() as session:
        reminders.tick(session, clock.now(), AMS, QUIET)
    await sender.drain_once()
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    talk_reminder = [
        index
        for index, (label, data) in enumerate(api.buttons(CHATS["Yonas"]), 1)
        if data.endswith(":no")
    ]
    await yonas.tap(talk_reminder[0])
    await yonas.tap(said("ti", "🤒 I am sick"))
    await sender.drain_once()
    return yonas


async def test_i_cannot_come_ends_in_a_confirmed_new_appointment(
    app, api, runtime, people, planned, session_factory, clock
):
    sender = Sender(runtime, app.bot, name="t")
    yonas = await cannot_come(app, api, runtime, clock, people, sender)
    coach = Phone(app, api, COACH_CHAT, "nl")
    assert coach.buttons() == [said("nl", "📅 Propose a new time")]
    asked = await coach.tap(said("nl", "📅 Propose a new time"))
    assert asked == [said("nl", "Which new day and time? Type it like this: 24-11 09:30")]
    preview = await coach.send("26-11 10:00")
    proposal = said(
        "ti",
        "{coach} proposes a new time: {when}, at {place}. Is that good for you?",
        coach="Sanne de Vries",
        when="ሓሙስ፣ 26 ሕዳር 10:00",
        place="Wijkatelier Noord",
    )
    assert preview[0] == said("nl", "{name} will get this message:", name="Yonas") + (
        "\n\n" + proposal
    )
    assert preview[1] == said("nl", "Send this message?")
    sent = await coach.tap(said("nl", "✅ Send"))
    assert sent == [said("nl", "Sent. I will tell you when {name} answers.", name="Yonas")]
    await sender.drain_once()
    assert api.texts(CHATS["Yonas"])[-1] == proposal
    assert yonas.buttons() == [
        said("ti", "✅ Yes, that is good"),
        said("ti", "❌ No, that does not work"),
    ]
    confirmed = await yonas.tap(said("ti", "✅ Yes, that is good"))
    assert confirmed[0].startswith(
        said(
            "ti",
            "Your next talk with your coach is on {when}, at {place}.",
            when="ሓሙስ፣ 26 ሕዳር 10:00",
            place="Wijkatelier Noord",
        )
    )
    await sender.drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl",
        "{name} said yes to the new time: {when}.",
        name="Yonas",
        when="donderdag 26 november, 10:00",
    )
    with session_factory() as session:
        made = session.scalars(
            select(Appointment).where(Appointment.replaces_id.is_not(None))
        ).one()
        assert made.starts_at == local(2026, 11, 26, 10, 0)
        assert made.kind == AppointmentKind.COACH_TALK
        planned = session.scalars(select(Reminder).where(Reminder.appointment_id == made.id))
        assert sorted(r.offset for r in planned) == ["-1d@18:00", "-2h"]
        assert session.scalars(select(Alert.state)).all() == [AlertState.RESOLVED]
        assert session.scalars(select(TimeProposal.state)).all() == [ProposalState.ACCEPTED]
    again = await yonas.deliver(api.callback_update(CHATS["Yonas"], "tp:1:yes"))
    assert again == [said("ti", "You already answered this.")]


async def test_no_to_a_proposal_asks_the_coach_again_and_only_the_newest_counts(
    app, api, runtime, people, planned, session_factory, clock
):
    sender = Sender(runtime, app.bot, name="t")
    yonas = await cannot_come(app, api, runtime, clock, people, sender)
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.tap(said("nl", "📅 Propose a new time"))
    await coach.send("26-11 10:00")
    await coach.tap(said("nl", "✅ Send"))
    await sender.drain_once()
    declined = await yonas.tap(said("ti", "❌ No, that does not work"))
    assert declined == [
        said(
            "ti",
            "OK. I will tell {coach}. You will get another time.",
            coach="Sanne de Vries",
        )
    ]
    await sender.drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl",
        "{name} cannot come at the new time you proposed ({when}).",
        name="Yonas",
        when="donderdag 26 november, 10:00",
    )
    assert coach.buttons() == [said("nl", "📅 Propose another time")]
    await coach.tap(said("nl", "📅 Propose another time"))
    await coach.send("27-11 09:00")
    await coach.tap(said("nl", "✅ Send"))
    # a third proposal replaces the second before Yonas answers
    with session_factory() as session:
        alert_id = session.scalars(select(Alert.id)).one()
    await coach.deliver(api.callback_update(COACH_CHAT, f"newtime:{alert_id}"))
    await coach.send("30-11 13:00")
    await coach.tap(said("nl", "✅ Send"))
    withdrawn = await yonas.deliver(api.callback_update(CHATS["Yonas"], "tp:2:yes"))
    assert withdrawn == [
        said("ti", "This proposal is no longer valid. Look at the newest message from your coach.")
    ]
    with session_factory() as session:
        assert session.scalars(select(TimeProposal.state).order_by(TimeProposal.id)).all() == [
            ProposalState.DECLINED,
            ProposalState.WITHDRAWN,
            ProposalState.PROPOSED,
        ]
        assert (
            session.scalars(select(Appointment).where(Appointment.replaces_id.is_not(None))).all()
            == []
        )


async def test_a_proposal_cannot_be_answered_by_someone_else_or_after_its_time(
    app, api, runtime, people, planned, session_factory, clock
):
    sender = Sender(runtime, app.bot, name="t")
    await cannot_come(app, api, runtime, clock, people, sender)
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.tap(said("nl", "📅 Propose a new time"))
    await coach.send("25-11 09:00")
    await coach.tap(said("nl", "✅ Send"))
    rami = Phone(app, api, CHATS["Rami"], "ar")
    assert await rami.deliver(api.callback_update(CHATS["Rami"], "tp:1:yes")) == [
        said("ar", "This button is no longer active.")
    ]
    clock.moment = local(2026, 11, 25, 9, 30).astimezone(UTC)
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    assert await yonas.deliver(api.callback_update(CHATS["Yonas"], "tp:1:yes")) == [
        said("ti", "This time has already passed. Your coach will contact you.")
    ]
    with session_factory() as session:
        assert session.scalars(select(TimeProposal.state)).all() == [ProposalState.PROPOSED]


def test_moving_one_occurrence_of_a_series_keeps_the_rest(
    runtime, people, planned, session_factory, clock
):
    workshop = appointment_of(session_factory, people["Amina"], AppointmentKind.WORKSHOP_DAY)
    thursday = local(2026, 11, 26, 9, 30).astimezone(UTC)
    friday = local(2026, 11, 27, 13, 0).astimezone(UTC)
    mine = organisation_scope(session_factory)
    for _twice in range(2):
        with session_factory() as session:
            if _twice:
                with pytest.raises(Refused, match="unknown_appointment"):
                    rescheduling.move(
                        session, mine, workshop.id, thursday, friday, clock.now(), AMS, QUIET
                    )
            else:
                rescheduling.move(
                    session, mine, workshop.id, thursday, friday, clock.now(), AMS, QUIET
                )
    with session_factory() as session:
        series = session.get(Appointment, workshop.id)
        starts = reminders.occurrences(
            series, clock.now(), local(2026, 12, 4, 0, 0).astimezone(UTC), AMS
        )
        assert [s.astimezone(AMS).strftime("%a %d %H:%M") for s in starts] == [
            "Tue 24 09:30",
            "Tue 01 09:30",
            "Thu 03 09:30",
        ]
        pending = session.scalars(
            select(Reminder).where(
                Reminder.appointment_id == workshop.id,
                Reminder.occurrence_start == thursday,
                Reminder.state == ReminderState.PENDING,
            )
        ).all()
        assert pending == []
        moved = session.scalars(
            select(Appointment).where(Appointment.replaces_id == workshop.id)
        ).one()
        assert (moved.starts_at, moved.ends_at - moved.starts_at) == (
            friday,
            series.ends_at - series.starts_at,
        )
        assert session.scalars(
            select(Reminder.offset).where(Reminder.appointment_id == moved.id)
        ).all()
        told = session.scalars(select(Outbox).where(Outbox.chat_id == CHATS["Amina"])).all()
    assert [row.text for row in told] == [
        said(
            "so",
            "Your appointment of {old} has moved. The new time is {when}, at {place}.",
            old=_when("so", thursday),
            when=_when("so", friday),
            place="Wijkatelier Zuid",
        )
    ]


def _when(language: str, moment: datetime) -> str:
    from bot.i18n import format_when, use_locale

    with use_locale(language):
        return format_when(moment, AMS)


def test_a_stopped_participant_is_not_told_and_gets_no_reminders(
    runtime, people, planned, session_factory, clock
):
    talk = appointment_of(session_factory, people["Fatima"], AppointmentKind.COACH_TALK)
    with session_factory() as session, session.begin():
        session.get(Participant, people["Fatima"]).stopped_at = clock.now()
    with session_factory() as session:
        done = rescheduling.move(
            session,
            organisation_scope(session_factory),
            talk.id,
            talk.starts_at,
            local(2026, 11, 26, 15, 0).astimezone(UTC),
            clock.now(),
            AMS,
            QUIET,
        )
    assert done.told is False
    with session_factory() as session:
        assert session.scalars(select(Outbox)).all() == []
    with session_factory() as session:
        reminders.tick(session, local(2026, 11, 26, 14, 0).astimezone(UTC), AMS, QUIET)
        assert session.scalars(select(Outbox).where(Outbox.chat_id == CHATS["Fatima"])).all() == []


def test_nobody_changes_another_coachs_or_organisations_appointments(
    runtime, people, planned, session_factory, clock
):
    talk = appointment_of(session_factory, people["Rami"], AppointmentKind.COACH_TALK)
    own = organisation_scope(session_factory)
    later = local(2026, 11, 26, 15, 0).astimezone(UTC)
    for stranger, reason in (
        (Scope(organisation_id=own.organisation_id + 1), "unknown_appointment"),
        (Scope(organisation_id=own.organisation_id, coach_id=999), "not_yours"),
    ):
        with session_factory() as session:
            with pytest.raises(Refused, match=reason):
                rescheduling.move(
                    session, stranger, talk.id, talk.starts_at, later, clock.now(), AMS, QUIET
                )
            with pytest.raises(Refused, match=reason):
                rescheduling.cancel(session, stranger, talk.id, None, clock.now(), AMS, QUIET)
            with pytest.raises(Refused):
                rescheduling.coming_for(session, stranger, people["Rami"], clock.now(), AMS)
    with session_factory() as session:
        assert session.get(Appointment, talk.id).starts_at == talk.starts_at
        assert session.scalars(select(Outbox)).all() == []


async def test_coach_cancels_one_workshop_day_then_the_series_in_telegram(
    app, api, runtime, people, planned, session_factory, clock
):
    coach = Phone(app, api, COACH_CHAT, "nl")
    assert await coach.send("/afspraken") == [said("nl", "Whose appointments do you want to see?")]
    listed = await coach.tap("Amina")
    assert listed == [
        said("nl", "The coming appointments of {name}. Tap one to move or cancel it.", name="Amina")
    ]
    tuesday = local(2026, 11, 24, 9, 30)
    label = said(
        "nl",
        "{when} · {kind}",
        when="dinsdag 24 november, 09:30",
        kind=said("nl", "🛠 Workshop day"),
    )
    assert coach.buttons()[0] == label
    assert len(coach.buttons()) == 9  # 8 workshop days in four weeks and the talk
    await coach.tap(label)
    assert coach.buttons() == [
        said("nl", "🕒 Move this one"),
        said("nl", "🗑 Cancel this one"),
        said("nl", "🗑 Stop the whole series"),
    ]
    await coach.tap(said("nl", "🗑 Cancel this one"))
    yes = dict(api.buttons(COACH_CHAT))[said("nl", "✅ Yes, cancel")]
    done = await coach.tap(said("nl", "✅ Yes, cancel"))
    assert done == [said("nl", "Cancelled. {name} gets a message now.", name="Amina")]
    stale = await coach.deliver(api.callback_update(COACH_CHAT, yes))
    assert stale == [said("nl", "This appointment does not exist, or it is already over.")]
    await coach.send("/afspraken")
    await coach.tap("Amina")
    assert (
        said(
            "nl",
            "{when} · {kind}",
            when="dinsdag 24 november, 09:30",
            kind=said("nl", "🛠 Workshop day"),
        )
        not in coach.buttons()
    )
    await coach.tap(1)  # Wednesday's talk is now first
    assert len(coach.buttons()) == 2  # a one-off: no series to stop
    await coach.send("/afspraken")
    await coach.tap("Amina")
    await coach.tap(2)
    await coach.tap(said("nl", "🗑 Stop the whole series"))
    await coach.tap(said("nl", "✅ Yes, cancel"))
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(CHATS["Amina"]) == [
        said(
            "so",
            "Your appointment of {when} is cancelled. You do not need to come.",
            when=_when("so", tuesday),
        ),
        said(
            "so",
            "Your repeating appointment at {place} is cancelled. You do not need to come any "
            "more. Your coach will tell you what comes next.",
            place="Wijkatelier Zuid",
        ),
    ]
    with session_factory() as session:
        workshop = session.scalars(
            select(Appointment).where(
                Appointment.participant_id == people["Amina"],
                Appointment.kind == AppointmentKind.WORKSHOP_DAY,
            )
        ).one()
        assert workshop.cancelled_at is not None
        assert (
            session.scalars(
                select(Reminder).where(
                    Reminder.appointment_id == workshop.id, Reminder.state == ReminderState.PENDING
                )
            ).all()
            == []
        )


async def test_coach_moves_a_talk_in_telegram(
    app, api, runtime, people, planned, session_factory, clock
):
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/afspraken")
    await coach.tap("Rami")
    await coach.tap(2)  # Tue, Wed (the talk), Thu
    await coach.tap(said("nl", "🕒 Move this one"))
    assert await coach.send("gisteren") == [
        said("nl", "Please write the day and time like this: 24-11 09:30"),
        said("nl", "Which new day and time? Type it like this: 24-11 09:30"),
    ]
    preview = await coach.send("25-11 16:00")
    assert preview[0].endswith(
        said(
            "ar",
            "Your appointment of {old} has moved. The new time is {when}, at {place}.",
            old=_when("ar", local(2026, 11, 25, 14, 0)),
            when=_when("ar", local(2026, 11, 25, 16, 0)),
            place="Wijkatelier Noord",
        )
    )
    assert await coach.tap(said("nl", "✅ Send")) == [
        said("nl", "Moved. {name} gets a message now.", name="Rami")
    ]
    with session_factory() as session:
        talk = appointment_of(session_factory, people["Rami"], AppointmentKind.COACH_TALK)
        assert talk.starts_at == local(2026, 11, 25, 16, 0)
        due = sorted(
            r.due_at.astimezone(AMS).strftime("%a %H:%M")
            for r in session.scalars(
                select(Reminder).where(
                    Reminder.appointment_id == talk.id, Reminder.state == ReminderState.PENDING
                )
            )
        )
        assert due == ["Tue 18:00", "Wed 14:00"]


async def test_a_participant_cannot_use_coach_buttons(
    app, api, runtime, people, planned, session_factory
):
    talk = appointment_of(session_factory, people["Rami"], AppointmentKind.COACH_TALK)
    rami = Phone(app, api, CHATS["Rami"], "ar")
    seen = await rami.deliver(
        api.callback_update(CHATS["Rami"], f"ap:cy:{talk.id}:{int(talk.starts_at.timestamp())}")
    )
    assert seen == [said("ar", "Only staff of an organisation can do this.")]
    assert await rami.deliver(api.callback_update(CHATS["Rami"], "newtime:1")) == [
        said("ar", "Only staff of an organisation can do this.")
    ]
    with session_factory() as session:
        assert session.get(Appointment, talk.id).cancelled_at is None
