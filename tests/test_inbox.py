"""The coach's inbox and morning: a silent dropout's alert in /meldingen with one tap to act, the
"we miss you" message in the participant's language, the 08:30 digest, and an urgent alert that
nobody picks up passed on to the organisation's staff after four working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import format_day, format_when, use_locale
from bot.services.appointments import attendance
from bot.services.coaching import alerts, disengagement, inbox
from bot.services.coaching import digest as morning
from bot.services.people.scope import Scope
from bot.telegram.sender import Sender
from storage.models import (
    Alert,
    AlertState,
    AttendanceStatus,
    AuditEvent,
    Organisation,
    Outbox,
    Participant,
)
from tests.helpers.people import (
    ADMIN_CHAT,
    CHATS,
    COACH_CHAT,
    OTHER_COACH_CHAT,
    STRANGER_CHAT,
)
from tests.helpers.phone import Phone, said, said_n

AMS = ZoneInfo("Europe/Amsterdam")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS)


def mark_day(session_factory, clock, day: date, absent: set[str]) -> None:
    """The coach fills in the workshop's day list that evening; the detector runs after."""
    clock.moment = local(day.year, day.month, day.day, 18, 30).astimezone(UTC)
    with session_factory() as session:
        with session.begin():
            org = session.scalars(
                select(Organisation.id).where(Organisation.slug != "elders")
            ).one()
        mine = Scope(organisation_id=org)
        for item in attendance.expected_on(session, mine, day, AMS):
            if item.kind == "workshop_day":
                status = (
                    AttendanceStatus.ABSENT if item.name in absent else AttendanceStatus.PRESENT
                )
                attendance.mark(
                    session, mine, item.appointment_id, item.start, status, clock.now(), AMS
                )


def the_alert(session_factory) -> Alert:
    with session_factory() as session:
        return session.scalars(select(Alert).where(Alert.kind == "disengaged")).one()


async def drain(runtime, app) -> None:
    await Sender(runtime, app.bot, name="t").drain_once()


async def test_silent_dropout_to_inbox_digest_and_we_miss_you_in_tigrinya(
    app, api, runtime, people, colleagues, session_factory, clock
):
    mark_day(session_factory, clock, date(2026, 11, 24), set())
    mark_day(session_factory, clock, date(2026, 11, 26), {"Yonas"})
    mark_day(session_factory, clock, date(2026, 12, 1), {"Yonas"})
    alert = the_alert(session_factory)
    reason = said(
        "nl",
        disengagement.REASONS["absences_in_a_row"],
        name="Yonas",
        days="donderdag 26 november en dinsdag 1 december",
    )
    await drain(runtime, app)
    assert api.texts(COACH_CHAT)[-1] == reason  # the alert itself, the same evening

    # Wednesday 08:30: the digest lists the new alert (and nobody is expected on Wednesday).
    clock.moment = local(2026, 12, 2, 8, 30).astimezone(UTC)
    with session_factory() as session:
        assert morning.send_digests(session, clock.now(), AMS) == 1
        assert morning.send_digests(session, clock.now(), AMS) == 0  # once a day
    await drain(runtime, app)
    digest = api.texts(COACH_CHAT)[-1].split("\n")
    assert digest[0] == said(
        "nl",
        "Good morning {name}. Your day: {day}.",
        name="Sanne de Vries",
        day="woensdag 2 december",
    )
    assert digest[1] == said_n(
        "nl", "New since yesterday: {n} alert.", "New since yesterday: {n} alerts.", 1
    )
    assert digest[2] == f"• {reason}"
    assert said("nl", "Open /meldingen to act on the alerts.") in digest

    coach = Phone(app, api, COACH_CHAT, "nl")
    seen = await coach.send("/meldingen")
    with use_locale("nl"):
        since = format_when(alert.created_at, AMS)
    assert seen == [
        said_n(
            "nl",
            "{n} open alert. Urgent ones come first.",
            "{n} open alerts. Urgent ones come first.",
            1,
        ),
        reason + "\n" + said("nl", "Since {when}.", when=since),
    ]
    assert coach.buttons() == [
        said("nl", morning.CALLED),
        said("nl", morning.MISS),
        said("nl", morning.SNOOZE_LABEL),
        said("nl", morning.RESOLVE),
    ]
    seen = await coach.tap(said("nl", morning.MISS))
    assert said("nl", inbox.MISS_YOU["1"], name="Yonas") in seen[0]
    assert coach.buttons() == ["1", "2", "3"]
    seen = await coach.tap("1")
    assert seen == [said("nl", "Sent to {name}, in their own language.", name="Yonas")]

    await drain(runtime, app)
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    assert api.texts(CHATS["Yonas"])[-1] == said("ti", inbox.MISS_YOU["1"], name="Yonas")
    assert yonas.buttons() == [
        said("ti", inbox.MISS_YOU_ANSWERS["back"]),
        said("ti", inbox.MISS_YOU_ANSWERS["call"]),
    ]
    assert said("ti", inbox.MISS_YOU["1"], name="Yonas") != said(
        "nl", inbox.MISS_YOU["1"], name="Yonas"
    )
    seen = await yonas.tap(said("ti", inbox.MISS_YOU_ANSWERS["back"]))
    assert seen == [said("ti", "Good to hear! See you soon.")]
    await drain(runtime, app)
    assert api.texts(COACH_CHAT)[-1] == said("nl", inbox.MISS_YOU_TOLD["back"], name="Yonas")
    alert = the_alert(session_factory)
    assert alert.state == AlertState.ACKNOWLEDGED and alert.acknowledged_at is not None
    assert [entry.get("action") or entry.get("answer") for entry in alert.detail["log"]] == [
        "miss_you",
        "back",
    ]

    # A second tap on the same text the same day sends nothing twice.
    with session_factory() as session, session.begin():
        mine = Scope(organisation_id=alert.organisation_id, coach_id=alert.coach_id)
        inbox.miss_you(session, mine, alert.id, "1", clock.now())
    with session_factory() as session:
        sent = session.scalars(select(Outbox).where(Outbox.chat_id == CHATS["Yonas"])).all()
        assert len([row for row in sent if row.idempotency_key.startswith("missyou:")]) == 1


async def test_called_snooze_and_resolve(
    app, api, runtime, people, colleagues, session_factory, clock
):
    mark_day(session_factory, clock, date(2026, 11, 24), set())
    mark_day(session_factory, clock, date(2026, 11, 26), {"Amina"})
    mark_day(session_factory, clock, date(2026, 12, 1), {"Amina"})
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/meldingen")
    seen = await coach.deliver(
        api.callback_update(
            COACH_CHAT,
            f"al:called:{the_alert(session_factory).id}",
            api.message_with_buttons(COACH_CHAT),
            coach.user,
        )
    )
    assert seen == []  # the message is redrawn in place
    edited = api.message_with_buttons(COACH_CHAT)
    assert said("nl", "📞 Picked up.") in edited["text"]
    assert said("nl", morning.CALLED) not in coach.buttons()
    assert the_alert(session_factory).state == AlertState.ACKNOWLEDGED

    await coach.tap(said("nl", morning.SNOOZE_LABEL))
    assert await coach.send("/meldingen") == [said("nl", "No open alerts. Well done!")]
    clock.advance(days=2, minutes=1)
    assert len(await coach.send("/meldingen")) == 2  # back after two days

    await coach.tap(said("nl", morning.RESOLVE))
    assert the_alert(session_factory).state == AlertState.RESOLVED
    assert await coach.send("/meldingen") == [said("nl", "No open alerts. Well done!")]
    with session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("alert_%"))
        ).all()
    assert [a for a in actions if a != "alert_viewed"] == [
        "alert_called",
        "alert_snooze",
        "alert_resolve",
    ]
    assert actions.count("alert_viewed") == 2  # /meldingen showed it twice (then it was snoozed)


async def test_nobody_acts_on_someone_elses_alert(
    app, api, runtime, people, colleagues, session_factory, clock
):
    mark_day(session_factory, clock, date(2026, 11, 24), set())
    mark_day(session_factory, clock, date(2026, 11, 26), {"Rami"})
    mark_day(session_factory, clock, date(2026, 12, 1), {"Rami"})
    alert_id = the_alert(session_factory).id
    other = Phone(app, api, OTHER_COACH_CHAT, "nl")
    assert await other.send("/meldingen") == [said("nl", "No open alerts. Well done!")]
    stranger = Phone(app, api, STRANGER_CHAT, "nl")
    for phone, reason in (
        (other, "This participant is not one of yours."),
        (stranger, "This alert does not exist, or it is not about one of yours."),
    ):
        for data in (f"al:resolve:{alert_id}", f"al:miss:{alert_id}", f"alm:{alert_id}:1"):
            seen = await phone.deliver(api.callback_update(phone.chat_id, data, None, phone.user))
            assert seen == [said("nl", reason)]
    rami = Phone(app, api, CHATS["Rami"], "ar")
    seen = await rami.deliver(api.callback_update(rami.chat_id, "al:resolve:1", None, rami.user))
    assert seen == [said("ar", "Only staff of an organisation can do this.")]
    # Amina cannot answer a "we miss you" that was meant for Rami.
    amina = Phone(app, api, CHATS["Amina"], "so")
    await amina.deliver(api.callback_update(amina.chat_id, f"mu:{alert_id}:call", None, amina.user))
    assert amina.last_toast == said("so", "This button is no longer active.")
    alert = the_alert(session_factory)
    assert alert.state == AlertState.OPEN and "log" not in alert.detail
    with session_factory() as session:
        assert not session.scalars(select(Outbox).where(Outbox.chat_id == CHATS["Rami"])).all()


async def test_unreachable_people_are_in_the_inbox(
    app, api, runtime, people, colleagues, session_factory, clock
):
    alerts.participant_blocked(session_factory(), CHATS["Fatima"], clock.now())
    coach = Phone(app, api, COACH_CHAT, "nl")
    seen = await coach.send("/meldingen")
    assert seen[-1] == said(
        "nl",
        "Not reachable in Telegram (they blocked the bot): {names}. "
        "Please contact them in another way.",
        names="Fatima",
    )
    assert said("nl", morning.MISS) not in coach.buttons()  # no "we miss you" to a blocked chat


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (local(2026, 11, 23, 10, 0), local(2026, 11, 23, 14, 0)),  # Monday morning
        (local(2026, 11, 23, 8, 0), local(2026, 11, 23, 13, 0)),  # before opening
        (local(2026, 11, 23, 15, 0), local(2026, 11, 24, 11, 0)),  # over the evening
        (local(2026, 11, 27, 16, 0), local(2026, 11, 30, 12, 0)),  # Friday: over the weekend
        (local(2026, 11, 28, 10, 0), local(2026, 11, 30, 13, 0)),  # Saturday
    ],
)
def test_four_working_hours(start: datetime, deadline: datetime) -> None:
    assert morning.working_deadline(start.astimezone(UTC), 4, AMS) == deadline


def test_an_urgent_alert_nobody_picked_up_goes_to_staff(
    runtime, people, colleagues, session_factory, clock
):
    clock.moment = local(2026, 11, 27, 16, 0).astimezone(UTC)  # Friday afternoon
    with session_factory() as session, session.begin():
        rami = session.scalars(select(Participant).where(Participant.display_name == "Rami")).one()
        alerts.raise_alert(session, clock.now(), rami, "unreachable", urgent=True)
    with session_factory() as session:
        clock.moment = local(2026, 11, 30, 11, 59).astimezone(UTC)
        assert morning.escalate(session, clock.now(), AMS) == 0
        clock.moment = local(2026, 11, 30, 12, 0).astimezone(UTC)
        assert morning.escalate(session, clock.now(), AMS) == 1
        assert morning.escalate(session, clock.now(), AMS) == 0  # once
        told = session.scalars(select(Outbox).where(Outbox.chat_id == ADMIN_CHAT)).all()
        assert [row.idempotency_key.split(":")[0] for row in told] == ["escalate"]
        assert "Sanne de Vries" in told[0].text
        assert not session.scalars(select(Outbox).where(Outbox.chat_id == STRANGER_CHAT)).all()


def test_a_picked_up_urgent_alert_is_not_passed_on(
    runtime, people, colleagues, session_factory, clock
):
    clock.moment = local(2026, 11, 23, 10, 0).astimezone(UTC)
    with session_factory() as session, session.begin():
        amina = session.scalars(
            select(Participant).where(Participant.display_name == "Amina")
        ).one()
        alert = alerts.raise_alert(session, clock.now(), amina, "unreachable", urgent=True)
        mine = Scope(organisation_id=amina.organisation_id, coach_id=amina.coach_id)
        inbox.act(session, mine, alert.id, "called", clock.now())
    clock.moment = local(2026, 11, 24, 10, 0).astimezone(UTC)
    with session_factory() as session:
        assert morning.escalate(session, clock.now(), AMS) == 0


def test_the_digest_comes_on_working_days_from_half_past_eight(
    runtime, people, colleagues, session_factory, clock
):
    with session_factory() as session:
        clock.moment = local(2026, 11, 28, 8, 30).astimezone(UTC)  # Saturday
        assert morning.send_digests(session, clock.now(), AMS) == 0
        clock.moment = local(2026, 11, 24, 8, 29).astimezone(UTC)  # Tuesday, too early
        assert morning.send_digests(session, clock.now(), AMS) == 0
        clock.moment = local(2026, 11, 24, 9, 45).astimezone(UTC)  # a late start still sends
        assert morning.send_digests(session, clock.now(), AMS) == 1
        text = session.scalars(select(Outbox.text).where(Outbox.chat_id == COACH_CHAT)).one()
    with use_locale("nl"):
        day = format_day(date(2026, 11, 24))
    lines = text.split("\n")
    assert day in lines[0]
    assert lines[1] == said_n("nl", "Expected today: {n} person.", "Expected today: {n} people.", 4)
    assert any("Yonas" in line and "Rami" in line for line in lines[2:])
