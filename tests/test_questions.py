"""Questions in their own words through the real Application: answers from the organisation's
content in the participant's language; a crisis gets the safety answer first and the coach an
urgent alert; what the bot cannot answer goes to the coach with the participant's words, and
the coach's reply, or an answer the coach picks, reaches the participant in their chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import answer_text, format_money, use_locale
from bot.services.coaching import questions, replies, unanswered
from bot.services.coaching.questions import (
    ANSWERED,
    ASKED,
    ASKED_AGAIN,
    PICKED,
    QUESTION_ALERT,
    STILL_ASKING,
    STILL_OPEN,
    TOPICS,
)
from bot.services.coaching.safety import CRISIS_ALERT, CRISIS_HELP
from bot.telegram.questions import OUT_OF_SCOPE, SMALL_TALK, TYPE_IT
from bot.telegram.safety import HELP_LINE, HELP_NEARBY
from bot.telegram.sender import Sender
from storage.models import Alert, AlertState, AuditEvent, Outbox, Question
from tests.helpers.dialog import assert_dialog
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import Phone, said

AMS = ZoneInfo("Europe/Amsterdam")
QUESTION = "ኮች ብዛዕባ uitkering ክሓትት እደሊ"  # "coach, I want to ask about the benefit"
# "Do I get money for volunteering?" as participants write it, in four languages.
MONEY = {
    "Fatima": ("nl", "krijg ik geld voor vrijwilligerswerk?"),
    "Rami": ("ar", "هل أحصل على مال مقابل العمل التطوعي؟"),
    "Yonas": ("ti", "ንወለንታዊ ስራሕ ገንዘብ ይወሃበኒ ዶ?"),
    "Amina": ("so", "Lacag ma la i siinayaa shaqada tabarruca?"),
}


def answer_in(runtime, lang: str, intent: str, organisation: str = "demo") -> list[str]:
    book = runtime.answers
    rendered = book.render(book.answer(organisation, intent), lang, runtime.clock.now().date())
    assert rendered, f"no {intent} answer in {lang}"
    return rendered


@pytest.mark.parametrize("name", list(MONEY))
async def test_money_for_volunteering_is_answered_in_their_own_language(
    app, api, runtime, people, session_factory, name
):
    lang, words = MONEY[name]
    person = Phone(app, api, CHATS[name], lang)
    seen = await person.send(words)
    assert seen == answer_in(runtime, lang, "volunteer_allowance")
    assert format_money(210, lang) in seen[0]  # the amount of the year, written the CLDR way
    book = runtime.answers
    first = book.answer("demo", "volunteer_allowance").messages[0]
    if lang != "nl":  # from the catalog, not the Dutch source
        assert seen[0] != answer_text(first, **book.values(runtime.clock.now().date(), "nl"))
    assert person.buttons() == [said(lang, "💬 Ask my coach")]
    with session_factory() as session:
        row = session.scalars(select(Question)).one()
        assert (row.handled, row.answered_by, row.intent) == ("bot", "bot", "volunteer_allowance")
        assert session.scalars(select(Alert)).all() == []  # the coach is not bothered


async def test_an_organisation_answers_with_its_own_content(app, api, runtime, people):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    seen = await fatima.send("op welke dagen moet ik komen?")
    assert seen == answer_in(runtime, "nl", "trajectory_schedule")
    assert "dinsdag en donderdag" in seen[0]  # Wijkatelier De Brug's week, not the default
    assert "demo.yaml" in runtime.answers.answer("demo", "trajectory_schedule").origin
    assert "default.yaml" in runtime.answers.answer("demo", "debt_help").origin
    assert fatima.buttons() == [said("nl", "📅 My appointments"), said("nl", "💬 Ask my coach")]
    listed = await fatima.tap(1)
    assert listed and listed != [said("nl", "You have no appointments in the coming four weeks.")]


async def test_ask_my_coach_after_an_answer_sends_the_question_once(
    app, api, runtime, people, session_factory
):
    lang, words = MONEY["Yonas"]
    yonas = Phone(app, api, CHATS["Yonas"], lang)
    await yonas.send(words)
    assert await yonas.tap(said(lang, "💬 Ask my coach")) == [
        said(lang, ASKED_AGAIN, coach="Sanne de Vries")
    ]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl",
        STILL_ASKING,
        name="Yonas",
        topic=said("nl", TOPICS["volunteer_allowance"]),
        question=words,
    )
    with session_factory() as session:
        row = session.scalars(select(Question)).one()
        assert row.handled == "coach" and row.alert_id is not None
    # The same button again (an old message): the coach already has it.
    message = {"message_id": 1, "chat": {"id": CHATS["Yonas"], "type": "private"}, "date": 0}
    again = await yonas.deliver(
        api.callback_update(CHATS["Yonas"], f"an:coach:{row.id}", message, yonas.user)
    )
    assert again == [said(lang, "Your coach already has this question. They will answer you here.")]
    with session_factory() as session:
        assert len(session.scalars(select(Alert)).all()) == 1


async def test_not_our_topic_is_said_and_the_coach_offered(
    app, api, runtime, people, session_factory
):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    assert await fatima.send("wat is de hoofdstad van peru") == [said("nl", OUT_OF_SCOPE)]
    assert fatima.buttons() == [said("nl", "💬 Ask my coach")]
    await fatima.tap(1)
    await Sender(runtime, app.bot, name="t").drain_once()
    assert "hoofdstad van peru" in api.texts(COACH_CHAT)[-1]


async def test_an_unsure_question_goes_to_the_coach_and_the_reply_comes_back(
    app, api, runtime, people, session_factory
):
    runtime.settings.nlu_threshold = 0.999  # nothing is sure enough: everything to the coach
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    assert await yonas.send(QUESTION) == [said("ti", ASKED, coach="Sanne de Vries")]
    sender = Sender(runtime, app.bot, name="t")
    await sender.drain_once()
    alert_message = api.sent(COACH_CHAT)[-1]
    with session_factory() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.kind, alert.detail["question"]) == ("question", QUESTION)
        assert "benefit_keep" in alert.detail["guesses"]
    guesses = ", ".join(said("nl", TOPICS[g]) for g in alert.detail["guesses"])
    assert alert_message["text"] == said(
        "nl", QUESTION_ALERT, name="Yonas", question=QUESTION, guesses=guesses
    )
    labels = [b[0]["text"] for b in alert_message["reply_markup"]["inline_keyboard"]]
    assert said("nl", questions.PICK, topic=said("nl", TOPICS["benefit_keep"])) in labels
    assert labels[-1] == said("nl", questions.OTHER_TOPIC)
    coach = Phone(app, api, COACH_CHAT, "nl")
    reply = {"reply_to_message": alert_message}
    answer = "Ja, je houdt je uitkering. Ik bel je morgen."
    seen = await coach.deliver(api.message_update(COACH_CHAT, answer, user=coach.user, extra=reply))
    assert seen == [said("nl", "Sent to {name}, in their chat.", name="Yonas")]
    await sender.drain_once()
    assert api.texts(CHATS["Yonas"])[-1] == said(
        "ti", ANSWERED, coach="Sanne de Vries", answer=answer
    )
    with session_factory() as session:
        assert session.get(Alert, alert.id).state == AlertState.RESOLVED
        assert session.scalars(select(Question.answered_by)).one() == "coach_words"
    # Then the coach notes the topic, for the training data.
    assert coach.buttons() == [said("nl", questions.NOTE_TOPIC)]
    await coach.tap(1)
    topics = coach.buttons()
    assert topics[0] == said("nl", questions.PICK, topic=said("nl", TOPICS["trajectory_phases"]))
    assert said("nl", TOPICS["crisis"]) in topics and len(topics) == len(TOPICS)
    noted = await coach.tap(said("nl", TOPICS["crisis"]))
    assert noted == [said("nl", questions.NOTED, topic=said("nl", TOPICS["crisis"]))]
    with session_factory() as session:
        assert session.scalars(select(Question.marked_intent)).one() == "crisis"
        assert "question_marked" in session.scalars(select(AuditEvent.action)).all()


async def test_the_coach_picks_an_answer_and_it_arrives_in_their_language(
    app, api, runtime, people, session_factory
):
    runtime.settings.nlu_threshold = 0.999
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    await yonas.send(QUESTION)
    sender = Sender(runtime, app.bot, name="t")
    await sender.drain_once()
    coach = Phone(app, api, COACH_CHAT, "nl")
    pick = said("nl", questions.PICK, topic=said("nl", TOPICS["benefit_keep"]))
    assert await coach.tap(pick) == [
        said(
            "nl",
            questions.ANSWER_SENT,
            name="Yonas",
            topic=said("nl", TOPICS["benefit_keep"]),
        )
    ]
    await sender.drain_once()
    expected = answer_in(runtime, "ti", "benefit_keep")
    with use_locale("ti"):
        expected[0] = said("ti", PICKED, coach="Sanne de Vries", answer=expected[0])
    assert api.texts(CHATS["Yonas"])[-len(expected) :] == expected
    with session_factory() as session:
        row = session.scalars(select(Question)).one()
        assert (row.answered_by, row.answer_intent, row.marked_intent) == (
            "coach_answer",
            "benefit_keep",
            "benefit_keep",
        )
        assert session.get(Alert, row.alert_id).state == AlertState.RESOLVED
    # A second tap on the same answer (the alert's old message) sends nothing more.
    message = {"message_id": 1, "chat": {"id": COACH_CHAT, "type": "private"}, "date": 0}
    await coach.deliver(
        api.callback_update(COACH_CHAT, f"qa:benefit_keep:{row.alert_id}", message, coach.user)
    )
    await sender.drain_once()
    assert len(api.texts(CHATS["Yonas"])) == 1 + len(expected)


async def test_a_question_nobody_answered_reminds_the_coach_the_next_working_morning(
    app, api, runtime, people, session_factory, clock
):
    runtime.settings.nlu_threshold = 0.999
    clock.moment = datetime(2026, 11, 27, 15, 0, tzinfo=AMS).astimezone(UTC)  # a Friday
    await Phone(app, api, CHATS["Yonas"], "ti").send(QUESTION)
    asked_at = clock.now()
    with session_factory() as session:
        saturday = datetime(2026, 11, 28, 9, 0, tzinfo=AMS).astimezone(UTC)
        assert unanswered.remind_unanswered(session, saturday, AMS, runtime.answers) == 0
    monday_early = datetime(2026, 11, 30, 8, 0, tzinfo=AMS).astimezone(UTC)
    monday = datetime(2026, 11, 30, 8, 30, tzinfo=AMS).astimezone(UTC)
    with session_factory() as session:
        assert unanswered.remind_unanswered(session, monday_early, AMS, runtime.answers) == 0
        assert unanswered.remind_unanswered(session, monday, AMS, runtime.answers) == 1
        assert unanswered.remind_unanswered(session, monday, AMS, runtime.answers) == 0  # once
    with session_factory() as session:
        reminder = session.scalars(
            select(Outbox).where(Outbox.idempotency_key.like("alert:%:still_open"))
        ).one()
        assert reminder.text == said(
            "nl",
            STILL_OPEN,
            when="vrijdag 27 november, 15:00",
            name="Yonas",
            question=QUESTION,
        )
        assert asked_at < monday
    # A reply to the reminder answers the question, like a reply to the alert.
    clock.moment = monday + timedelta(minutes=5)
    sender = Sender(runtime, app.bot, name="t")
    await sender.drain_once()
    coach = Phone(app, api, COACH_CHAT, "nl")
    reminded = api.sent(COACH_CHAT)[-1]
    reply = {"reply_to_message": reminded}
    await coach.deliver(api.message_update(COACH_CHAT, "Ik bel je.", user=coach.user, extra=reply))
    await sender.drain_once()
    assert api.texts(CHATS["Yonas"])[-1] == said(
        "ti", ANSWERED, coach="Sanne de Vries", answer="Ik bel je."
    )


async def test_a_crisis_gets_the_safety_answer_first_and_an_urgent_alert(
    app, api, runtime, people, session_factory
):
    rami = Phone(app, api, CHATS["Rami"], "ar")
    words = "رح انهي حياتي"  # from the held-out set: the lexicon does not have it
    seen = await rami.send(words)
    numbers = runtime.answers.help_numbers("demo")
    with use_locale("ar"):
        lines = [
            said("ar", HELP_LINE, name=n.name, number=n.number, what=answer_text(n.what))
            for n in numbers
        ]
    assert seen == [said("ar", CRISIS_HELP), said("ar", HELP_NEARBY, numbers="\n".join(lines))]
    assert "0800-8115" in seen[1]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", CRISIS_ALERT, name="Rami", question=words)
    with session_factory() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.kind, alert.urgent) == ("crisis", True)
        assert session.scalars(select(Question.handled)).one() == "crisis"
    amina = Phone(app, api, CHATS["Amina"], "so")
    assert (await amina.send("waxaan rabaa inaan is dilo"))[0] == said("so", CRISIS_HELP)


async def test_small_talk_and_what_cannot_be_read(app, api, runtime, people, session_factory):
    await assert_dialog(
        Phone(app, api, CHATS["Fatima"], "nl"),
        [
            ("hoi", [said("nl", SMALL_TALK["greet"])]),
            ("dank je wel!", [said("nl", SMALL_TALK["thanks"])]),
            ("12345", [said("nl", TYPE_IT)]),
        ],
    )
    with session_factory() as session:
        assert session.scalars(select(Alert)).all() == []


async def test_a_reply_to_something_else_is_explained(app, api, runtime, people, session_factory):
    coach = Phone(app, api, COACH_CHAT, "nl")
    shown = await coach.send("/help")
    assert shown
    message = api.sent(COACH_CHAT)[-1]
    seen = await coach.deliver(
        api.message_update(COACH_CHAT, "ok", user=coach.user, extra={"reply_to_message": message})
    )
    assert seen == [said("nl", "To answer a question, reply to the message with the question.")]
    with session_factory() as session:
        assert session.scalars(select(Outbox)).all() == []


async def test_marked_questions_become_training_data_to_review(
    app, api, runtime, people, session_factory, tmp_path, monkeypatch
):
    import argparse

    from bot.cli.nlu import review_command
    from nlu import data

    runtime.settings.nlu_threshold = 0.999
    words = "mag ik mijn fiets in de gang zetten"
    await Phone(app, api, CHATS["Fatima"], "nl").send(words)
    await Phone(app, api, CHATS["Fatima"], "nl").send("hoi")  # small talk: not a question
    with session_factory() as session:
        alert_id = session.scalars(select(Question.alert_id)).one()
    with session_factory() as session:
        replies.mark(session, COACH_CHAT, alert_id, "out_of_scope", runtime.clock.now())
    out = tmp_path / "review"
    args = argparse.Namespace(org="demo", out=str(out), merge=False)
    assert review_command(runtime, args) == 0
    examples = data.read(out / "nl.yml", "nl")
    assert [(e.text, e.intent) for e in examples] == [(words, "out_of_scope")]
    assert "Read every line before merging" in (out / "nl.yml").read_text(encoding="utf-8")
    # Merged, it is training data (the engine and Rasa read every file of the language).
    monkeypatch.setattr(data, "DATA", tmp_path / "data")
    args = argparse.Namespace(org=None, out=str(out), merge=True)
    assert review_command(runtime, args) == 0
    assert review_command(runtime, args) == 0  # twice: not added twice
    merged = tmp_path / "data" / "nl" / "review.yml"
    assert [e.text for e in data.read(merged, "nl")] == [words]
    assert merged in data.files(tmp_path / "data")
    # Another organisation's name filters everything out.
    assert review_command(runtime, argparse.Namespace(org="nope", out=str(out), merge=False)) == 2
    # Once Fatima is erased, her words are never exported again.
    from bot.services.people import privacy

    with session_factory() as session:
        privacy.forget_me(session, CHATS["Fatima"], runtime.clock.now(), runtime.settings.zone)
    (out / "nl.yml").unlink()
    assert review_command(runtime, argparse.Namespace(org="demo", out=str(out), merge=False)) == 0
    assert not (out / "nl.yml").exists()


async def test_a_reply_to_the_question_in_the_inbox_answers_it(
    app, api, runtime, people, session_factory
):
    runtime.settings.nlu_threshold = 0.999
    with session_factory() as session, session.begin():  # the coach connects only later
        from storage.models import StaffMember

        session.scalars(select(StaffMember).order_by(StaffMember.id)).first().chat_id = None
    await Phone(app, api, CHATS["Amina"], "so").send("ma iman karaa eyga?")
    with session_factory() as session, session.begin():
        session.scalars(select(StaffMember).order_by(StaffMember.id)).first().chat_id = COACH_CHAT
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/meldingen")
    shown = api.sent(COACH_CHAT)[-1]
    assert "ma iman karaa eyga?" in shown["text"]
    reply = {"reply_to_message": shown}
    seen = await coach.deliver(api.message_update(COACH_CHAT, "Nee.", user=coach.user, extra=reply))
    assert seen == [said("nl", "Sent to {name}, in their chat.", name="Amina")]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(CHATS["Amina"])[-1] == said(
        "so", ANSWERED, coach="Sanne de Vries", answer="Nee."
    )
    # Someone else replying to that message is refused.
    other = Phone(app, api, 2002, "nl")
    from tests.helpers.people import add_colleagues

    add_colleagues(session_factory, runtime.clock.now())
    theirs = await other.deliver(api.message_update(2002, "Ja!", user=other.user, extra=reply))
    assert theirs == [said("nl", "To answer a question, reply to the message with the question.")]


async def test_questions_one_after_the_other_are_one_alert_and_one_message(
    app, api, runtime, people, session_factory, clock
):
    runtime.settings.nlu_threshold = 0.999  # every question goes to the coach
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    sender = Sender(runtime, app.bot, name="t")
    asked = ["mag ik mijn fiets binnen zetten", "en mijn zoon ook meenemen", "hoe laat is de lunch"]
    await fatima.send(asked[0])
    await sender.drain_once()
    before = len(api.sent(COACH_CHAT))
    for question in asked[1:]:
        clock.advance(minutes=5)
        await fatima.send(question)
        await sender.drain_once()
    coach_messages = api.sent(COACH_CHAT)
    assert len(coach_messages) == before  # no new message: the same one, edited
    text = coach_messages[-1]["text"]
    assert all(question in text for question in asked)
    assert text == said(
        "nl",
        questions.THREAD_ALERT,
        name="Fatima",
        questions="\n".join(f"• {q}" for q in asked),
    )
    with session_factory() as session:
        assert len(session.scalars(select(Alert)).all()) == 1
        assert {q.alert_id for q in session.scalars(select(Question))} == {
            session.scalars(select(Alert.id)).one()
        }
    clock.advance(minutes=45)  # later on: a new thread
    await fatima.send("waar kan ik mijn jas laten")
    await sender.drain_once()
    assert len(api.sent(COACH_CHAT)) == before + 1
    coach = Phone(app, api, COACH_CHAT, "nl")  # a reply to the edited message answers them
    reply = {"reply_to_message": coach_messages[before - 1]}
    await coach.deliver(api.message_update(COACH_CHAT, "Ja hoor.", user=coach.user, extra=reply))
    await sender.drain_once()
    assert api.texts(CHATS["Fatima"])[-1] == said(
        "nl", ANSWERED, coach="Sanne de Vries", answer="Ja hoor."
    )
