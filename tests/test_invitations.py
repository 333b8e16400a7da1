"""Check-in invitations: planned as rows off the participant's appointments, sent through the
outbox at the organisation's hour, one reminder the next day, then closed; the monthly one asks
every domain, the weekly one the low ones first; who checked in already or used /stop is not
asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.services.checkins import invitations, planning
from bot.services.checkins.invitations import DEFAULT_PLAN
from bot.services.checkins.planning import INVITE, LATER, REMIND, START
from bot.services.checkins.signals import LOW_WEEKS
from bot.telegram.checkins import CLOSED
from bot.telegram.sender import Sender
from flows.steps.scale import DOMAINS
from storage.models import Alert, CheckinInvitation, Organisation, Participant, Signal
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import Phone, said
from tests.test_checkins import INTRO, MONEY, ask_everything

AMS = ZoneInfo("Europe/Amsterdam")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS).astimezone(UTC)


def plan(runtime, clock) -> int:
    with runtime.session_factory() as session:
        return planning.plan_all(
            session, clock.now(), runtime.settings.zone, runtime.settings.quiet
        )


async def tick(runtime, app, clock, at: datetime) -> int:
    clock.moment = at
    with runtime.session_factory() as session:
        queued = planning.tick(session, clock.now())
    await Sender(runtime, app.bot, name="t").drain_once()
    return queued


def stop(session_factory, name: str, now: datetime) -> None:
    with session_factory() as session, session.begin():
        person = session.scalars(select(Participant).where(Participant.display_name == name)).one()
        person.stopped_at = now


async def test_planned_off_the_workshop_sent_reminded_once_and_then_closed(
    app, api, runtime, people, session_factory, clock
):
    stop(session_factory, "Fatima", clock.now())
    assert plan(runtime, clock) == 3
    assert plan(runtime, clock) == 0  # safe to run again
    with session_factory() as session:
        rows = session.scalars(select(CheckinInvitation)).all()
        # Tuesday 10:00 falls in the workshop (09:30-12:30): a quarter of an hour after it.
        assert {(r.kind, r.due_at) for r in rows} == {("weekly", local(2026, 11, 24, 12, 45))}
    assert await tick(runtime, app, clock, local(2026, 11, 24, 12, 44)) == 0
    assert await tick(runtime, app, clock, local(2026, 11, 24, 12, 45)) == 3
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    assert api.texts(CHATS["Yonas"])[-1] == said("ti", INVITE["weekly"])
    assert yonas.buttons() == [said("ti", START), said("ti", LATER)]
    assert api.texts(CHATS["Fatima"]) == []  # used /stop
    assert await yonas.tap(said("ti", START)) == [said("ti", INTRO), said("ti", MONEY)]
    amina = Phone(app, api, CHATS["Amina"], "so")
    assert await amina.tap(said("so", LATER)) == [said("so", "OK. I will ask you again tomorrow.")]

    assert await tick(runtime, app, clock, local(2026, 11, 25, 12, 45)) == 2  # Amina and Rami
    assert api.texts(CHATS["Amina"])[-1] == said("so", REMIND)
    assert api.texts(CHATS["Yonas"])[-1] == said("ti", MONEY)  # started: no reminder
    assert await tick(runtime, app, clock, local(2026, 11, 26, 12, 45)) == 0  # only one
    await tick(runtime, app, clock, local(2026, 11, 27, 13, 0))
    rami = Phone(app, api, CHATS["Rami"], "ar")
    assert await rami.tap(said("ar", START)) == [said("ar", CLOSED["expired"])]
    with session_factory() as session:
        states = dict(
            session.execute(
                select(Participant.display_name, CheckinInvitation.state).join(
                    Participant, Participant.id == CheckinInvitation.participant_id
                )
            ).all()
        )
    assert states == {"Yonas": "started", "Amina": "expired", "Rami": "expired"}


async def test_the_first_of_the_month_asks_everything_and_who_checked_in_is_not_asked(
    app, api, runtime, people, session_factory, clock
):
    clock.moment = local(2026, 11, 30, 11, 0)  # Monday; Tuesday 1 December is the first
    assert plan(runtime, clock) == 4
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    await yonas.send("/hoegaathet")
    await yonas.tap(4)
    await tick(runtime, app, clock, local(2026, 12, 1, 12, 45))
    assert api.texts(CHATS["Yonas"])[-1] != said("ti", INVITE["monthly"])
    amina = Phone(app, api, CHATS["Amina"], "so")
    assert api.texts(CHATS["Amina"])[-1] == said("so", INVITE["monthly"])
    seen = await amina.tap(said("so", START))
    assert seen[1] == said("so", MONEY)
    with session_factory() as session:
        rows = {r.participant_id: r for r in session.scalars(select(CheckinInvitation))}
        assert rows[people["Yonas"]].state == "cancelled"
        assert rows[people["Amina"]].domains == list(DOMAINS)
    for _question in DOMAINS:
        seen = await amina.tap(4)
    assert "/voortgang" in seen[-1]
    with session_factory() as session:
        assert session.get(CheckinInvitation, rows[people["Amina"]].id).state == "done"
        assert len(session.scalars(select(Signal)).all()) == 1 + len(DOMAINS)
    # The invitation's buttons went with the first tap; an old copy of them is answered kindly.
    closed = await amina.deliver(
        api.callback_update(
            CHATS["Amina"],
            f"ci:go:{rows[people['Amina']].id}",
            api.sent(CHATS["Amina"])[-1],
            amina.user,
        )
    )
    assert closed == [said("so", CLOSED["done"])]


def test_the_weekly_one_asks_low_answers_again_then_what_was_asked_longest_ago(
    runtime, people, session_factory, clock
):
    now = clock.now()
    with session_factory() as session, session.begin():
        person = session.get(Participant, people["Rami"])
        for domain, level, days in (
            ("financien", 2, 7),
            ("huisvesting", 4, 7),
            ("werk_opleiding", 3, 14),
            ("tijdsbesteding", None, 7),  # skipped still counts as asked
        ):
            session.add(
                Signal(
                    organisation_id=person.organisation_id,
                    participant_id=person.id,
                    domain=domain,
                    level=level,
                    source="self",
                    question="",
                    checkin="x",
                    at=now - timedelta(days=days),
                )
            )
    with session_factory() as session:
        chosen = invitations.choose_domains(session, people["Rami"], dict(DEFAULT_PLAN), "weekly")
    assert chosen == [
        "financien",
        "huiselijke_relaties",
        "geestelijke_gezondheid",
        "lichamelijke_gezondheid",
    ]


def test_a_wrong_setting_falls_back_to_the_default(session_factory, runtime, people) -> None:
    with session_factory() as session:
        org = session.scalars(select(Organisation)).one()
        org.checkin_plan = {"weekday": "xx", "size": 3, "domains": ["happiness"], "at": "25:00"}
        plan_ = invitations.plan_of(org)
    assert (plan_["weekday"], plan_["size"], plan_["at"]) == ("tu", 3, "10:00")
    assert plan_["domains"] == list(DOMAINS)


async def test_three_weeks_of_low_answers_alert_the_coach_once(
    app, api, runtime, people, session_factory, clock
):
    ask_everything(session_factory)
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    for week in range(4):
        await fatima.send("/hoegaathet")
        await fatima.tap(2)
        with session_factory() as session:
            found = [a.kind for a in session.scalars(select(Alert))]
        assert found == ([] if week < 2 else ["checkin_low"])
        clock.advance(days=7)
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", LOW_WEEKS, name="Fatima", domain="geld")
