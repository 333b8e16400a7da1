"""Crisis first, everywhere: words that sound like a crisis get the safety answer at once in
every state of a chat (a flow's button question, consent, language choice, re-consent, a
reminder's "why?", a caption, an edited message) and from every kind of chat (no code, said no,
left); where the chat belongs to someone with a coach, exactly one urgent alert. The flow then
goes on where it was."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select

from bot.console.emulator import EmulatedRequest
from bot.services.coaching.questions import ASKED, TOPICS
from bot.services.coaching.safety import (
    CRISIS_ALERT,
    CRISIS_ALERT_NEW,
    CRISIS_HELP,
    CRISIS_HELP_ALONE,
    SAFETY_UNANSWERED,
    tell_coaches_of_silence,
)
from bot.services.people import onboarding
from bot.telegram.app import build_application
from bot.telegram.questions import SOMETHING_ELSE, WHICH_ONE
from bot.telegram.safety import ARE_YOU_SAFE, GLAD, I_AM_SAFE, NEED_HELP
from bot.telegram.sender import Sender
from flows.steps.scale import YES_NO
from storage.models import (
    Alert,
    Appointment,
    AppointmentKind,
    Participant,
    ParticipantStatus,
    Question,
    StaffMember,
)
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import Phone, said
from tests.test_checkins import MONEY, WORK
from tests.test_reminders import local, sync, tick

DECLINED = (
    "OK. I keep nothing about you, only your language and this answer. Changed your mind? "
    "Send /start with your code again."
)
# Words the lexicon knows, so these tests judge the plumbing and not the model.
WORDS = {
    "nl": "ik wil niet meer leven",
    "ar": "بدي انتحر",
    "ti": "ክሞት እደሊ",
    "so": "waxaan rabaa inaan is dilo",
    "en": "I do not want to live anymore",
}


@pytest.fixture
def coach(demo_codes, session_factory) -> None:
    """Only the coach has a chat; the participants have not signed up yet."""
    with session_factory() as session, session.begin():
        session.scalars(select(StaffMember).order_by(StaffMember.id)).first().chat_id = COACH_CHAT


def urgent_alerts(session_factory) -> list[tuple[str, bool, int]]:
    with session_factory() as session:
        return [(a.kind, a.urgent, a.participant_id) for a in session.scalars(select(Alert))]


def safety_answer(seen: list[str], lang: str, alone: bool = False) -> None:
    """The safety answer first, then the help numbers; nothing else."""
    assert seen[0] == said(lang, CRISIS_HELP_ALONE if alone else CRISIS_HELP)
    assert len(seen) == 2 and "088-0767000" in seen[1]
    assert seen[1].index("088-0767000") < seen[1].index("0800-8115")  # listening before debts


@pytest.mark.parametrize(("name", "lang"), [("Yonas", "ti"), ("Fatima", "nl")])
async def test_inside_a_check_in_then_the_check_in_goes_on(
    app, api, runtime, people, session_factory, name, lang
):
    person = Phone(app, api, CHATS[name], lang)
    assert (await person.send("/hoegaathet"))[-1] == said(lang, MONEY)
    safety_answer(await person.send(WORDS[lang]), lang)
    assert urgent_alerts(session_factory) == [("crisis", True, people[name])]
    assert await person.tap(4) == [said(lang, WORK)]  # where it was
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", CRISIS_ALERT, name=name, question=WORDS[lang])


async def test_again_while_the_alert_is_open_makes_no_second_alert(
    app, api, people, session_factory
):
    rami = Phone(app, api, CHATS["Rami"], "ar")
    safety_answer(await rami.send(WORDS["ar"]), "ar")
    safety_answer(await rami.send("انا بدي موت"), "ar")
    assert len(urgent_alerts(session_factory)) == 1


@pytest.mark.parametrize("lang", ["so", "ar"])
async def test_before_consent_with_a_personal_code(
    app, api, runtime, demo_codes, coach, session_factory, lang
):
    stranger = Phone(app, api, 7001, lang, name="Hodan")
    await stranger.send(f"/start {demo_codes['Amina']}")
    safety_answer(await stranger.send(WORDS[lang]), lang)  # on the language question
    with session_factory() as session:
        amina = session.scalars(select(Participant).where(Participant.display_name == "Amina"))
        amina_id = amina.one().id
    assert urgent_alerts(session_factory) == [("crisis", True, amina_id)]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl", CRISIS_ALERT_NEW, name="Amina", question=WORDS[lang]
    )
    seen = await stranger.tap(5)  # English: the onboarding goes on where it was
    assert seen[-1] == said("en", "Is this OK for you?")
    safety_answer(await stranger.send(WORDS["en"]), "en")  # on the consent question
    assert len(urgent_alerts(session_factory)) == 1
    assert "Welcome" in (await stranger.tap(1))[0]


async def test_before_consent_with_a_group_code_keeps_only_what_the_alert_needs(
    app, api, runtime, demo_codes, coach, session_factory
):
    newcomer = Phone(app, api, 7002, "nl", name="Sara")
    await newcomer.send("/start DEMO")
    await newcomer.tap(1)
    safety_answer(await newcomer.send(WORDS["nl"]), "nl")
    with session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 7002)).one()
        assert person.status == ParticipantStatus.NEW and person.display_name == "Sara"
        assert person.coach is not None and person.organisation is not None
        assert urgent_alerts(session_factory) == [("crisis", True, person.id)]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl", CRISIS_ALERT_NEW, name="Sara", question=WORDS["nl"]
    )
    assert await newcomer.tap(2) == [said("nl", DECLINED)]
    with session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 7002)).one()
        assert (person.display_name, person.coach_id) == (None, None)  # no means no


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_a_chat_without_a_code_gets_help_and_no_promise(app, api, session_factory, lang):
    stranger = Phone(app, api, 7003, lang)
    safety_answer(await stranger.send(WORDS[lang]), lang, alone=True)
    assert urgent_alerts(session_factory) == []
    with session_factory() as session:
        assert session.scalars(select(Participant)).all() == []  # nothing kept


@pytest.mark.parametrize("lang", ["nl", "ti"])
async def test_someone_who_said_no(app, api, demo_codes, session_factory, lang):
    person = Phone(app, api, 7004, lang)
    await person.send("/start DEMO")
    await person.tap(("nl", "ar", "ti", "so", "en").index(lang) + 1)
    await person.tap(2)  # no
    safety_answer(await person.send(WORDS[lang]), lang, alone=True)
    assert urgent_alerts(session_factory) == []


@pytest.mark.parametrize(("name", "lang"), [("Rami", "ar"), ("Amina", "so")])
async def test_someone_who_left_still_reaches_their_coach(
    app, api, people, session_factory, name, lang
):
    with session_factory() as session, session.begin():
        session.get(Participant, people[name]).status = ParticipantStatus.LEFT
    person = Phone(app, api, CHATS[name], lang)
    safety_answer(await person.send(WORDS[lang]), lang)
    assert urgent_alerts(session_factory) == [("crisis", True, people[name])]


@pytest.mark.parametrize(("name", "lang"), [("Amina", "so"), ("Fatima", "nl")])
async def test_as_a_caption_and_as_an_edited_message(app, api, people, session_factory, name, lang):
    person = Phone(app, api, CHATS[name], lang)
    photo = {"photo": [{"file_id": "x", "file_unique_id": "x", "width": 9, "height": 9}]}
    update = api.message_update(
        CHATS[name], user=person.user, extra={**photo, "caption": WORDS[lang]}
    )
    safety_answer(await person.deliver(update), lang)
    edited = api.message_update(CHATS[name], WORDS[lang], user=person.user, kind="edited_message")
    safety_answer(await person.deliver(edited), lang)
    assert len(urgent_alerts(session_factory)) == 1


async def test_during_re_consent_and_then_the_question_again(
    app, api, people, session_factory, monkeypatch
):
    monkeypatch.setattr(onboarding, "CONSENT_VERSION", "2027-01")
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    assert (await yonas.send("/hoegaathet"))[-1] == said("ti", "Is this OK for you?")
    safety_answer(await yonas.send(WORDS["ti"]), "ti")
    assert urgent_alerts(session_factory) == [("crisis", True, people["Yonas"])]
    assert await yonas.tap(1) == [said("ti", "Thank you! Everything stays as it was.")]


async def test_on_a_reminders_why(app, api, runtime, people, session_factory, clock):
    with session_factory() as session:
        talk = session.scalars(
            select(Appointment).where(
                Appointment.participant_id == people["Yonas"],
                Appointment.kind == AppointmentKind.COACH_TALK,
            )
        ).one()
    sync(runtime, talk.id)
    clock.moment = local(2026, 11, 24, 18, 0).astimezone(UTC)
    tick(runtime, clock.now())
    await Sender(runtime, app.bot, name="t").drain_once()
    yonas = Phone(app, api, CHATS["Yonas"], "nl")
    assert await yonas.tap(2) == [said("ti", "That is a pity. Why can't you come?")]
    safety_answer(await yonas.send(WORDS["nl"]), "ti")
    assert urgent_alerts(session_factory) == [("crisis", True, people["Yonas"])]
    assert len(await yonas.tap(said("ti", "🤒 I am sick"))) == 1  # the question still waits


async def test_staff_quoting_a_crisis_are_not_answered_as_one(app, api, people, session_factory):
    coach = Phone(app, api, COACH_CHAT, "nl")
    seen = await coach.send("Bel 113 als je denkt: ik wil niet meer leven.")
    assert said("nl", CRISIS_HELP) not in seen
    assert urgent_alerts(session_factory) == []


UNSURE = "ik wil morgen niet meer wakker worden"  # the model's, not the lexicon's


@pytest.fixture
def unsure(runtime, monkeypatch):
    """The crisis model sure of nothing in Dutch: its crises become "are you safe?"."""
    model = runtime.nlu().crisis
    monkeypatch.setitem(model.sure, "nl", 1.0)
    return model


async def test_unsure_words_ask_whether_they_are_safe_and_help_comes_at_once(
    app, api, runtime, people, session_factory, unsure
):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    assert await fatima.send(UNSURE) == [said("nl", ARE_YOU_SAFE)]
    for lang in ("nl", "ar", "ti", "so", "en"):  # the numbers come with the question, unasked
        assert "112" in said(lang, ARE_YOU_SAFE) and "113" in said(lang, ARE_YOU_SAFE), lang
    assert fatima.buttons() == [said("nl", NEED_HELP), said("nl", I_AM_SAFE)]
    assert urgent_alerts(session_factory) == []  # nobody alarmed yet
    safety_answer(await fatima.tap(said("nl", NEED_HELP)), "nl")
    assert urgent_alerts(session_factory) == [("crisis", True, people["Fatima"])]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", CRISIS_ALERT, name="Fatima", question=UNSURE)
    asked = api.sent(CHATS["Fatima"])[-3]  # the question keeps what was tapped
    assert asked["text"].endswith("✓ " + said("nl", NEED_HELP)) and "reply_markup" not in asked


async def test_safe_after_all_and_their_words_go_on_as_a_question(
    app, api, runtime, people, session_factory, unsure
):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    await fatima.send(UNSURE)
    seen = await fatima.tap(said("nl", I_AM_SAFE))
    assert seen == [said("nl", GLAD), said("nl", ASKED, coach="Sanne de Vries")]
    assert urgent_alerts(session_factory) == [("question", False, people["Fatima"])]


async def test_silence_after_are_you_safe_reaches_the_coach_once_and_without_urgency(
    app, api, runtime, people, session_factory, unsure, clock
):
    """Someone in danger may not tap at all: two hours of silence and the coach hears of it,
    with the words that made the bot ask; once, however often the job runs."""
    assert "unanswered_safety" in {job.name for job in app.job_queue.jobs()}  # every 10 min
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    await fatima.send(UNSURE)
    clock.advance(hours=1, minutes=59)
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 0  # not yet
    clock.advance(minutes=2)
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 1
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 0
    assert urgent_alerts(session_factory) == [("unsure", False, people["Fatima"])]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl", SAFETY_UNANSWERED, name="Fatima", question=UNSURE
    )


@pytest.mark.parametrize("button", [NEED_HELP, I_AM_SAFE])
async def test_a_tap_on_are_you_safe_leaves_no_silence_to_report(
    app, api, runtime, people, session_factory, unsure, clock, button
):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    await fatima.send(UNSURE)
    await fatima.tap(said("nl", button))
    before = urgent_alerts(session_factory)
    clock.advance(hours=3)
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 0
    assert urgent_alerts(session_factory) == before


UNSURE_AR = "ما بدي اصحى بكرا الصبح"


@pytest.mark.parametrize(("name", "lang", "words", "no"), [
    ("Fatima", "nl", UNSURE, "nee"), ("Rami", "ar", UNSURE_AR, "لا")
])
async def test_a_typed_no_to_are_you_safe_is_the_help_button(
    app, api, runtime, people, session_factory, unsure, clock, monkeypatch, name, lang, words, no
):
    """People who cannot find the buttons type their answer: "no" gets the safety answer and
    one urgent alert with both messages, and no silence to report afterwards."""
    monkeypatch.setitem(unsure.sure, lang, 1.0)
    phone = Phone(app, api, CHATS[name], lang)
    assert await phone.send(words) == [said(lang, ARE_YOU_SAFE)]
    safety_answer(await phone.send(no), lang)
    assert urgent_alerts(session_factory) == [("crisis", True, people[name])]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl", CRISIS_ALERT, name=name, question=f"{words} — {no}"
    )
    clock.advance(hours=3)
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 0


async def test_a_typed_no_from_a_chat_without_a_code_gets_help_from_memory(
    app, api, runtime, session_factory, unsure, coach
):
    """Nothing is kept for a chat without a code, so the question waits in memory only; a
    typed "nee" still brings the help, without promising a coach."""
    stranger = Phone(app, api, 777_002, "nl")
    assert await stranger.send(UNSURE) == [said("nl", ARE_YOU_SAFE)]
    safety_answer(await stranger.send("nee"), "nl", alone=True)
    assert urgent_alerts(session_factory) == []


async def test_a_typed_yes_to_are_you_safe_is_the_safe_button(
    app, api, runtime, people, session_factory, unsure
):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    await fatima.send(UNSURE)
    assert await fatima.send("ja") == [said("nl", GLAD), said("nl", ASKED, coach="Sanne de Vries")]
    assert urgent_alerts(session_factory) == [("question", False, people["Fatima"])]


@pytest.mark.parametrize(
    ("name", "lang", "words", "reply"),
    [
        ("Fatima", "nl", UNSURE, "nee hoor, alles goed"),
        ("Rami", "ar", UNSURE_AR, "ما انا بأمان"),
        ("Fatima", "nl", UNSURE, "geen zorgen, ik ben veilig"),
    ],
)
async def test_a_yes_and_a_no_in_one_reply_asks_again(
    app, api, runtime, people, session_factory, unsure, clock, monkeypatch, name, lang, words, reply
):
    """Word counts read "not safe" much like "safe": a reply with both a yes and a no (or a
    negation) is not guessed at; the question comes again, buttons and numbers included."""
    monkeypatch.setitem(unsure.sure, lang, 1.0)
    phone = Phone(app, api, CHATS[name], lang)
    await phone.send(words)
    assert await phone.send(reply) == [said(lang, ARE_YOU_SAFE)]
    assert phone.buttons() == [said(lang, NEED_HELP), said(lang, I_AM_SAFE)]
    assert urgent_alerts(session_factory) == []
    clock.advance(hours=2, minutes=1)
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 1  # still waiting for a tap


async def test_another_question_leaves_are_you_safe_waiting_and_a_restart_forgets_nothing(
    api, runtime, people, session_factory, unsure, clock
):
    """A new question is answered as usual and the safety question keeps waiting; after a
    restart (the process's memory gone) a typed "nee" still counts, from the database."""
    first = build_application(runtime, request=EmulatedRequest(api))
    async with first:
        fatima = Phone(first, api, CHATS["Fatima"], "nl")
        await fatima.send(UNSURE)
        seen = await fatima.send("wanneer is mijn volgende afspraak")
        assert said("nl", ARE_YOU_SAFE) not in seen and urgent_alerts(session_factory) == []
    second = build_application(runtime, request=EmulatedRequest(api))
    async with second:
        fatima = Phone(second, api, CHATS["Fatima"], "nl")
        safety_answer(await fatima.send("nee"), "nl")
    assert urgent_alerts(session_factory) == [("crisis", True, people["Fatima"])]


async def test_a_typed_no_long_after_the_question_is_only_a_no(
    app, api, runtime, people, session_factory, unsure, clock
):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    await fatima.send(UNSURE)
    clock.advance(hours=2, minutes=1)
    tell_coaches_of_silence(runtime.db, clock.now())  # the coach already knows of the silence
    seen = await fatima.send("nee")
    assert said("nl", CRISIS_HELP) not in seen
    assert not any(urgent for _, urgent, _ in urgent_alerts(session_factory))


async def test_one_word_is_asked_about_but_its_silence_troubles_no_coach(
    app, api, runtime, people, session_factory, unsure, clock, monkeypatch
):
    monkeypatch.setitem(unsure.ask, "nl", 0.0)  # every word she knows makes the bot ask
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    assert await fatima.send("mama") == [said("nl", ARE_YOU_SAFE)]
    clock.advance(hours=3)
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 0


async def test_are_you_safe_from_a_chat_without_a_coach_keeps_nothing(
    app, api, runtime, session_factory, unsure, clock, coach
):
    stranger = Phone(app, api, 777_001, "nl")
    assert await stranger.send(UNSURE) == [said("nl", ARE_YOU_SAFE)]
    with session_factory() as session:
        assert session.scalars(select(Question)).all() == []
    clock.advance(hours=3)
    assert tell_coaches_of_silence(runtime.db, clock.now()) == 0


async def test_two_close_answers_are_offered_as_a_choice(
    app, api, runtime, people, session_factory
):
    yonas = Phone(app, api, CHATS["Yonas"], "en")
    await yonas.send("/taal")
    await yonas.tap("English")
    assert await yonas.send("question about my benefit") == [said("en", WHICH_ONE)]
    offered = yonas.buttons()
    assert said("en", TOPICS["benefit_keep"]) in offered
    assert offered[-1] == said("en", SOMETHING_ELSE) and len(offered) == 3
    seen = await yonas.tap(said("en", TOPICS["benefit_keep"]))
    book = runtime.answers
    today = runtime.clock.now().date()
    assert seen == book.render(book.answer("demo", "benefit_keep"), "en", today)
    with session_factory() as session:
        row = session.scalars(select(Question)).one()
        assert (row.handled, row.answer_intent) == ("bot", "benefit_keep")
        assert session.scalars(select(Alert)).all() == []


async def test_a_check_in_answer_stays_visible(app, api, people):
    amina = Phone(app, api, CHATS["Amina"], "so")
    await amina.send("/hoegaathet")
    await amina.tap(4)
    answered = next(m for m in api.sent(CHATS["Amina"]) if m["text"].startswith(said("so", MONEY)))
    assert answered["text"] == said("so", MONEY) + "\n\n✓ " + said("so", YES_NO[3])


async def test_a_crisis_with_a_nul_byte_is_kept_and_alerted(app, api, people, session_factory):
    """PostgreSQL refuses NUL in text: a crisis message with one must not be lost."""
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    safety_answer(await fatima.send(WORDS["nl"] + "\x00\x1b[2J"), "nl")
    assert urgent_alerts(session_factory) == [("crisis", True, people["Fatima"])]
    with session_factory() as session:
        assert session.scalars(select(Question.text)).one() == WORDS["nl"] + "[2J"


def member_update(api, chat_id: int, status: str) -> dict:
    """Telegram's my_chat_member update for a private chat: the bot's new status there."""
    bot = {"id": 7000000001, "is_bot": True, "first_name": "Wegwijzer"}
    before = "member" if status == "kicked" else "kicked"
    return {
        "update_id": api.next_update_id(),
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private", "first_name": "X"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "X"},
            "date": 0,
            "old_chat_member": {"user": bot, "status": before, "until_date": 0},
            "new_chat_member": {"user": bot, "status": status, "until_date": 0},
        },
    }


async def test_blocking_the_bot_is_believed_at_once_and_the_coach_told_once(
    app, api, runtime, people, session_factory
):
    from telegram import Update

    from bot.services.coaching.alerts import TEXTS

    rami = CHATS["Rami"]
    for _ in range(2):
        await app.process_update(Update.de_json(member_update(api, rami, "kicked"), app.bot))
    with session_factory() as session:
        assert session.get(Participant, people["Rami"]).unreachable_at is not None
        kinds = [(a.kind, a.state.value) for a in session.scalars(select(Alert))]
    assert kinds == [("unreachable", "open")]
    await Sender(runtime, app.bot, name="t").drain_once()
    told = [t for t in api.texts(COACH_CHAT) if t == said("nl", TEXTS["unreachable"], name="Rami")]
    assert len(told) == 1
    await app.process_update(Update.de_json(member_update(api, rami, "member"), app.bot))
    with session_factory() as session:
        assert session.get(Participant, people["Rami"]).unreachable_at is None
        assert [a.state.value for a in session.scalars(select(Alert))] == ["resolved"]
