"""Questions in their own words through the real Application: a crisis gets the safety answer
first and the coach an urgent alert; what the bot cannot answer goes to the coach with the
participant's words, and the coach's reply reaches the participant in their chat."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services.questions import (
    ANSWERED,
    ASKED,
    CRISIS_ALERT,
    CRISIS_HELP,
    QUESTION_ALERT,
    TOPICS,
)
from bot.telegram.questions import SMALL_TALK, TYPE_IT
from bot.telegram.sender import Sender
from storage.models import Alert, AlertState, Outbox
from tests.helpers.people import CHATS, COACH_CHAT, link_demo_people
from tests.helpers.phone import Phone, said

QUESTION = "ወለንታዊ ስራሕ ክጅምር እደሊ ግን uitkering ከይቋረጽ እፈርሕ"  # volunteering: do I lose my benefit?


@pytest.fixture
def people(runtime, demo_codes, session_factory, clock):
    return link_demo_people(session_factory, clock.now())


async def test_a_question_goes_to_the_coach_and_the_reply_comes_back_in_the_chat(
    app, api, runtime, people, session_factory
):
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


async def test_a_crisis_gets_the_safety_answer_first_and_an_urgent_alert(
    app, api, runtime, people, session_factory
):
    rami = Phone(app, api, CHATS["Rami"], "ar")
    words = "رح انهي حياتي"  # from the held-out set: the lexicon does not have it
    seen = await rami.send(words)
    assert seen == [said("ar", CRISIS_HELP)]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", CRISIS_ALERT, name="Rami", question=words)
    with session_factory() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.kind, alert.urgent) == ("crisis", True)
    amina = Phone(app, api, CHATS["Amina"], "so")
    assert (await amina.send("waxaan rabaa inaan is dilo"))[0] == said("so", CRISIS_HELP)


async def test_small_talk_and_what_cannot_be_read(app, api, runtime, people, session_factory):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    assert await fatima.send("hoi") == [said("nl", SMALL_TALK["greet"])]
    assert await fatima.send("dank je wel!") == [said("nl", SMALL_TALK["thanks"])]
    assert await fatima.send("12345") == [said("nl", TYPE_IT)]
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
