"""The participant's rights in their own language: see what is stored, take all of it as a file,
and be forgotten, after which no table holds anything of them but anonymous counts; people who
left long ago are erased by the retention job."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.services.appointments import attendance
from bot.services.coaching import digest
from bot.services.people import participants as people_service
from bot.services.people import privacy
from bot.services.people.privacy import LEFT_SERVICE
from bot.services.people.scope import Scope
from bot.telegram.privacy import AS_FILE, ASK, FORGET, NO, YES
from bot.telegram.sender import Sender
from storage.models import (
    AnonymousCount,
    Appointment,
    AttendanceStatus,
    Base,
    ConsentRecord,
    Outflow,
    Participant,
    ParticipantStatus,
    Phase,
    Signal,
)
from tests.helpers.dialog import assert_dialog
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import Phone, said
from tests.test_checkins import MONEY

GONE = (
    "Done. I have forgotten you. Want to use Wegwijzer again later? Ask your coach for a new code."
)

DECLINED = (
    "OK. I keep nothing about you, only your language and this answer. Changed your mind? "
    "Send /start with your code again."
)
UNKNOWN = "I do not know this code. Check the code, or ask your coach for a new one."
WAIT = "Too many wrong codes. Please wait 15 minutes, or ask your coach for your code."
RENEWED = "Thank you! Everything stays as it was."


def traces(session_factory, participant_id: int, chat_id: int, name: str) -> list[str]:
    """Every table, every row: where does this person still show up?"""
    found = []
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    if column == "participant_id" and value == participant_id:
                        found.append(f"{table.name}.{column}")
                    elif table.name == "participant" and column == "id" and value == participant_id:
                        found.append("participant.id")
                    elif isinstance(value, int) and value == chat_id:
                        found.append(f"{table.name}.{column} = chat")
                    elif name in json.dumps(value, default=str, ensure_ascii=False):
                        found.append(f"{table.name}.{column} mentions {name}")
    return found


async def test_rami_sees_exports_and_erases_his_data_in_arabic(
    app, api, runtime, people, session_factory, clock
):
    rami = Phone(app, api, CHATS["Rami"], "ar")
    await rami.send("/hoegaathet")
    await rami.tap(4)
    zone = runtime.settings.zone
    with session_factory() as session, session.begin():  # his first step, and a day he came
        person = session.get(Participant, people["Rami"])
        mine = Scope(organisation_id=person.organisation_id)
        people_service.change_phase(session, mine, person.id, Phase.VRIJWILLIGER, clock.now(), zone)
        workshop = session.scalars(
            select(Appointment).where(Appointment.participant_id == person.id)
        ).first()
    clock.moment = workshop.starts_at + timedelta(hours=1)
    with session_factory() as session:
        attendance.mark(
            session,
            mine,
            workshop.id,
            workshop.starts_at,
            AttendanceStatus.PRESENT,
            clock.now(),
            zone,
        )

    shown = await rami.send("/mijngegevens")
    assert shown[0].startswith(said("ar", "This is what I keep about you:"))
    assert said("ar", "Your name: {name}", name="Rami") in shown[0]
    assert rami.buttons() == [said("ar", AS_FILE), said("ar", FORGET)]

    await rami.tap(said("ar", AS_FILE))
    data = json.loads(api.uploads[-1])
    assert data["participant"]["display_name"] == "Rami"
    assert [(a["domain"], a["level"]) for a in data["checkin_answers"]] == [("financien", 4)]
    assert len(data["appointments"]) == 2 and data["consent"][0]["accepted"] is True
    assert {"reminders", "messages_about_you_to_staff"} <= set(data)
    assert api.sent(CHATS["Rami"])[-1]["caption"] == said(
        "ar", "All your data. Only you received this file."
    )

    assert await rami.send("/vergeetmij") == [said("ar", ASK)]
    assert rami.buttons() == [said("ar", YES), said("ar", NO)]
    assert await rami.tap(said("ar", NO)) == [
        said("ar", "OK. I keep your data. Nothing has changed.")
    ]
    assert traces(session_factory, people["Rami"], CHATS["Rami"], "Rami") != []

    await rami.send("/vergeetmij")
    assert await rami.tap(said("ar", YES)) == [said("ar", GONE)]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", LEFT_SERVICE, name="Rami")
    assert traces(session_factory, people["Rami"], CHATS["Rami"], "Rami") == []
    with session_factory() as session:
        counts = {(c.metric, c.key): c.count for c in session.scalars(select(AnonymousCount))}
    assert counts == {
        ("erased", "asked"): 1,
        ("phase", "activering>vrijwilliger"): 1,
        ("attendance", "present"): 1,
    }
    # Others are untouched, and Rami is now a stranger to the bot.
    assert traces(session_factory, people["Amina"], CHATS["Amina"], "Amina") != []
    assert await rami.send("/mijngegevens") == [
        said("ar", "You are not connected yet. Send /start, a space and your code.")
    ]


def test_who_left_long_ago_is_erased_by_the_retention_job(runtime, people, session_factory, clock):
    zone = runtime.settings.zone
    start = clock.now()
    for name, months_ago in (("Yonas", 13), ("Amina", 2)):
        clock.moment = start - timedelta(days=30 * months_ago)
        with session_factory() as session, session.begin():
            person = session.get(Participant, people[name])
            mine = Scope(organisation_id=person.organisation_id)
            people_service.change_phase(
                session, mine, person.id, None, clock.now(), zone, outflow=Outflow.BETAALD_WERK
            )
    clock.moment = start
    with session_factory() as session:
        assert privacy.retention(session, clock.now(), zone, months=12) == 1
    with session_factory() as session:
        left = {p.display_name for p in session.scalars(select(Participant))}
        counts = {(c.metric, c.key): c.count for c in session.scalars(select(AnonymousCount))}
    assert "Yonas" not in left and {"Amina", "Rami", "Fatima"} <= left
    assert counts == {("erased", "retention"): 1, ("outflow", "betaald_werk"): 1}
    assert traces(session_factory, people["Yonas"], CHATS["Yonas"], "Yonas") == []
    with session_factory() as session:  # running again erases nobody else
        assert privacy.retention(session, clock.now(), zone, months=12) == 0


CHANGED = (
    "Something has changed in how I keep your data. Please read it again and tell me if it is OK."
)
AGREE, DISAGREE = "✅ Yes, that is OK", "❌ No"


async def test_a_changed_consent_text_is_asked_again_before_anything_new_is_stored(
    app, api, runtime, people, session_factory, clock, monkeypatch
):
    from bot.services.people import onboarding

    monkeypatch.setattr(onboarding, "CONSENT_VERSION", "2027-01")
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    seen = await yonas.send("/hoegaathet")
    assert seen[0] == said("ti", CHANGED) and seen[-1] == said("ti", "Is this OK for you?")
    assert yonas.buttons() == [said("ti", AGREE), said("ti", DISAGREE)]
    assert (await yonas.send("/afspraken"))[0] == said("ti", CHANGED)  # nothing else until then
    with session_factory() as session:
        assert session.scalars(select(Signal)).all() == []
    assert await yonas.tap(said("ti", AGREE)) == [
        said("ti", "Thank you! Everything stays as it was.")
    ]
    assert (await yonas.send("/hoegaathet"))[1] == said("ti", MONEY)
    with session_factory() as session:
        versions = [
            c.version
            for c in session.scalars(
                select(ConsentRecord).where(ConsentRecord.participant_id == people["Yonas"])
            )
        ]
    assert versions == ["2026-11", "2027-01"]

    amina = Phone(app, api, CHATS["Amina"], "so")
    await amina.send("hallo")
    assert await amina.tap(said("so", DISAGREE)) == [said("so", DECLINED)]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", LEFT_SERVICE, name="Amina")
    assert traces(session_factory, people["Amina"], CHATS["Amina"], "Amina") == [
        "participant.chat_id = chat"
    ]
    with session_factory() as session:
        left = session.scalars(
            select(Participant).where(Participant.chat_id == CHATS["Amina"])
        ).one()
        assert (left.status, left.language, left.display_name, left.organisation_id) == (
            ParticipantStatus.DECLINED,
            "so",
            None,
            None,
        )


async def test_a_chat_that_keeps_guessing_codes_has_to_wait(app, api, runtime, demo_codes, clock):
    wrong = [(f"/start WRONG{attempt}", [said("nl", UNKNOWN)]) for attempt in range(5)]
    guest = await assert_dialog(
        Phone(app, api, 7345, "nl"),
        [*wrong, ("/start DEMO", [said("nl", WAIT)])],  # even the right one, for now
    )
    clock.advance(minutes=16)
    assert (await guest.send("/start DEMO"))[0] == said("nl", "🌐 Choose your language.")


def test_logs_hold_no_message_text_unless_the_switch_is_on(settings) -> None:
    import logging

    from bot.cli.main import configure_logging

    telegram_log = logging.getLogger("telegram.ext.ExtBot")  # logs whole messages at DEBUG
    root = logging.getLogger().level
    try:
        configure_logging(settings.model_copy(update={"log_level": "DEBUG"}))
        assert not telegram_log.isEnabledFor(logging.DEBUG)
        configure_logging(
            settings.model_copy(update={"log_level": "DEBUG", "log_message_text": True})
        )
        logging.getLogger().setLevel(logging.DEBUG)
        assert telegram_log.isEnabledFor(logging.DEBUG)
    finally:
        logging.getLogger("telegram").setLevel(logging.NOTSET)
        logging.getLogger().setLevel(root)


async def test_what_i_keep_counts_only_real_answers_and_messages_to_me(
    app, api, runtime, people, session_factory
):
    rami = Phone(app, api, CHATS["Rami"], "ar")
    await rami.send("/hoegaathet")
    await rami.tap(6)  # skip: no answer
    await rami.tap(4)
    await rami.send("بدي انتحر")  # the coach's alert about him is no message to him
    await Sender(runtime, app.bot, name="t").drain_once()
    with session_factory() as session:
        counted = privacy.summary(session, CHATS["Rami"])
    assert (counted.answers, counted.messages) == (1, 0)


async def test_erasure_reaches_the_coachs_digest_and_every_message_that_quotes_them(
    app, api, runtime, people, session_factory
):

    words = "بدي انتحر، ما عاد فيني"
    rami = Phone(app, api, CHATS["Rami"], "ar")
    await rami.send(words)  # an urgent alert to the coach quotes his words
    sender = Sender(runtime, app.bot, name="t")
    with session_factory() as session:  # Monday 11:00: the coach's digest names him
        assert digest.send_digests(session, runtime.clock.now(), runtime.settings.zone) == 1
    await sender.drain_once()
    assert any("Rami" in text for text in api.texts(COACH_CHAT))
    with session_factory() as session:
        mine = privacy.export(session, CHATS["Rami"], runtime.clock.now())
    assert [m["kind"] for m in mine["messages_about_you_to_staff"]] == ["alert"]
    assert "chat_id" not in mine["messages_about_you_to_staff"][0]
    await rami.send("/vergeetmij")
    await rami.tap(said("ar", YES))
    await sender.drain_once()
    assert traces(session_factory, people["Rami"], CHATS["Rami"], "Rami") == []
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                dumped = json.dumps(dict(row), default=str, ensure_ascii=False)
                assert "انتحر" not in dumped, (table.name, dumped[:200])
