"""Onboarding as a participant sees it: code → language → explanation → consent → linked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.console.emulator import EmulatedRequest
from bot.i18n import _, language_name, use_locale
from bot.telegram.app import build_application
from storage.models import AuditEvent, ConsentRecord, Participant, ParticipantStatus
from tests.helpers.dialog import Containing, assert_dialog
from tests.helpers.phone import Phone, said

UNKNOWN = "I do not know this code. Check the code, or ask your coach for a new one."
ALREADY = "You are already connected to {organisation}. Tap /help to see what I can do."
EXPIRED = "This code is no longer valid. Ask your coach for a new one."

LANGS = ["Nederlands", "العربية", "ትግርኛ", "Soomaali", "English"]


async def test_start_with_code_onboards_in_english(phone, demo_codes, runtime) -> None:
    await assert_dialog(
        phone,
        [
            ("/start DEMO", [said("nl", "🌐 Choose your language.")]),
            (
                5,
                [
                    Containing("Wegwijzer"),
                    Containing("appointments"),
                    Containing("keep your name"),
                    Containing("OK for you"),
                ],
            ),
            (
                1,
                [
                    Containing("connected to Wijkatelier De Brug. Your coach is Sanne de Vries."),
                    Containing("/help"),
                    Containing("welcome at Wijkatelier Noord on Tuesday, November 24, 09:30."),
                ],
            ),
        ],
    )
    with runtime.session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 5001)).one()
        assert person.status == ParticipantStatus.ACTIVE
        assert person.language == "en"
        assert person.coach.name == "Sanne de Vries"
        assert person.location.name == "Wijkatelier Noord"
        consent = session.scalars(select(ConsentRecord)).one()
        assert consent.accepted and consent.participant_id == person.id
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["language_changed", "consent_given", "linked"]


async def test_language_buttons_name_each_language_in_its_own_script(phone, demo_codes) -> None:
    await phone.send("/start DEMO")
    assert phone.buttons() == LANGS
    assert [language_name(code) for code in ("nl", "ar", "ti", "so", "en")] == LANGS


async def test_onboarding_in_tigrinya_shows_tigrinya(phone, demo_codes) -> None:
    await phone.send("/start DEMO")
    seen = await phone.tap("ትግርኛ")
    with use_locale("ti"):
        hello = _(
            "Hello! I am Wegwijzer, the chat helper of {organisation}.",
            organisation="Wijkatelier De Brug",
        )
    assert seen[0] == hello
    assert any("\u1200" <= ch <= "\u137f" for ch in seen[3]), "consent question is in Ge'ez"
    assert len(phone.buttons()) == 2
    welcome = await phone.tap(1)
    assert "Sanne de Vries" in welcome[0] and "Wijkatelier De Brug" in welcome[0]


async def test_arabic_values_are_isolated_from_the_text_direction(phone, demo_codes) -> None:
    await phone.send("/start DEMO")
    seen = await phone.tap("العربية")
    assert "\u2068Wijkatelier De Brug\u2069" in seen[0]


async def test_declining_keeps_only_language_and_the_answer(phone, demo_codes, runtime) -> None:
    await phone.send("/start DEMO")
    await phone.tap("English")
    seen = await phone.tap(2)
    assert "only your language and this answer" in seen[0]
    with runtime.session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 5001)).one()
        assert person.status == ParticipantStatus.DECLINED
        assert (person.display_name, person.organisation_id, person.coach_id) == (None, None, None)
        assert person.language == "en"
        assert not session.scalars(select(ConsentRecord)).one().accepted


async def test_start_without_code_explains_how_to_get_one(phone) -> None:
    seen = await phone.send("/start")
    assert "code" in seen[0] and "/start" in seen[0]


async def test_unknown_and_expired_codes_get_a_kind_answer(
    phone, demo_codes, runtime, clock
) -> None:
    assert await phone.send("/start NOPE123") == [said("nl", UNKNOWN)]
    code = demo_codes["Yonas"]
    clock.advance(days=31)  # personal codes are valid for 30 days
    assert await phone.send(f"/start {code}") == [said("nl", EXPIRED)]


async def test_personal_code_links_the_person_the_coach_registered(
    phone, demo_codes, runtime
) -> None:
    await phone.send(f"/start {demo_codes['Amina'].lower()}")
    await phone.tap("Soomaali")
    await phone.tap(1)
    with runtime.session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 5001)).one()
        assert person.display_name == "Amina"
        assert person.language == "so"
        assert (
            session.scalars(select(Participant).where(Participant.display_name == "Amal")).first()
            is None
        )
    again = await phone.send(f"/start {demo_codes['Amina']}")
    assert again == [said("so", ALREADY, organisation="Wijkatelier De Brug")]


async def test_a_used_personal_code_cannot_link_a_second_chat(app, api, demo_codes) -> None:
    first, second = Phone(app, api, 6001), Phone(app, api, 6002)
    await first.send(f"/start {demo_codes['Rami']}")
    await first.tap("English")
    await first.tap(1)
    assert await second.send(f"/start {demo_codes['Rami']}") == [said("nl", EXPIRED)]


async def test_restart_in_the_middle_continues_at_the_next_tap(
    phone, demo_codes, runtime, api
) -> None:
    await phone.send("/start DEMO")
    await phone.tap("English")
    await phone.app.shutdown()
    fresh = build_application(runtime, request=EmulatedRequest(api))
    async with fresh:
        after = Phone(fresh, api, 5001, "nl")
        seen = await after.tap(1)  # the consent button sent before the restart
    assert "connected to Wijkatelier De Brug" in seen[0]


async def test_typed_answer_instead_of_a_tap(phone, demo_codes) -> None:
    await phone.send("/start DEMO")
    assert "Nederlands" in phone.buttons()
    seen = await phone.send("hallo")
    assert seen[0] == said("nl", "Please tap one of the buttons.")
    assert seen[1] == said("nl", "🌐 Choose your language.")
    seen = await phone.send("nederlands")
    assert "Wegwijzer" in seen[0]
    seen = await phone.send(said("nl", "✅ Yes, that is OK").lstrip("✅ "))
    assert "Wijkatelier De Brug" in seen[0] and "Sanne de Vries" in seen[0]


@pytest.mark.parametrize(("language", "words"), [(1, "ja hoor"), (4, "haa, waan ogolahay")])
async def test_yes_in_words_to_a_yes_no_question(phone, demo_codes, language, words) -> None:
    """ "ja hoor" is not a button's words, but it means yes: the consent is given."""
    await phone.send("/start DEMO")
    await phone.tap(language)
    seen = await phone.send(words)
    assert "Wijkatelier De Brug" in seen[0] and "Sanne de Vries" in seen[0]


async def test_no_in_words_declines(phone, demo_codes, runtime) -> None:
    await phone.send("/start DEMO")
    await phone.tap(1)
    await phone.send("nee liever niet")
    with runtime.session_factory() as session:
        consent = session.scalars(select(ConsentRecord)).one()
        assert not consent.accepted


async def test_old_buttons_get_a_kind_answer(phone, demo_codes, api) -> None:
    await phone.send("/start DEMO")
    old = api.message_with_buttons(5001)
    old_data = api.buttons(5001)[0][1]
    await phone.tap("English")
    await phone.tap(1)
    seen = await phone.deliver(api.callback_update(5001, old_data, old, phone.user))
    assert seen == ["This button is no longer active."]


async def test_already_linked_participant_is_not_moved(phone, demo_codes) -> None:
    await phone.send("/start DEMO")
    await phone.tap("English")
    await phone.tap(1)
    seen = await phone.send("/start ZUID")
    assert "already connected to Wijkatelier De Brug" in seen[0]


async def test_staff_code_links_the_coach(app, api, demo_codes) -> None:
    coach = Phone(app, api, 2001, "nl", name="Sanne")
    seen = await coach.send(f"/start {demo_codes['coach']}")
    assert "Sanne de Vries" in seen[0] and "Wijkatelier De Brug" in seen[0]
    menu = api.commands["chat:2001:"]
    assert [c["command"] for c in menu] == [
        "help",
        "meldingen",
        "deelnemers",
        "uitnodigen",
        "vandaag",
        "qr",
        "afspraak",
        "afspraken",
        "bericht",
        "berichten",
        "web",
        "taal",
    ]


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "０１２３４５６７８９"])
async def test_a_code_typed_in_other_digits_is_the_same_code(
    api, app, demo_codes, runtime, digits
) -> None:
    people = ("Yonas", "Amina", "Rami", "Fatima")  # random personal codes: one has a digit
    code = next(c for name, c in demo_codes.items() if name in people and any(map(str.isdigit, c)))
    typed = "".join(digits[int(c)] if c.isdigit() else c.lower() for c in code)
    phone = Phone(app, api, 7070, "ar")
    seen = await phone.send(f"/start {typed}")
    assert seen == [said("ar", "🌐 Choose your language.")]
    with runtime.session_factory() as session:
        from storage.models import FailedStart

        assert session.scalars(select(FailedStart)).all() == []  # not a wrong try
