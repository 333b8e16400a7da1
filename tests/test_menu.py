"""/help, /taal and /stop, and the chat's own command menu."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEvent, Participant
from tests.helpers.phone import said


async def onboard(phone, language: str = "English") -> None:
    await phone.send("/start DEMO")
    await phone.tap(language)
    await phone.tap(1)


async def test_help_lists_commands_and_sets_the_chat_menu(phone, demo_codes, api) -> None:
    await onboard(phone)
    seen = await phone.send("/help")
    assert "/taal" in seen[0] and "/stop" in seen[0]
    assert phone.buttons() == ["🌐 Choose your language", "⏸ Stop my messages"]
    menu = api.commands["chat:5001:"]
    assert [(c["command"], c["description"]) for c in menu] == [
        ("help", "What I can do"),
        ("afspraken", "My appointments"),
        ("hoegaathet", "How are you doing? (a short check-in)"),
        ("voortgang", "My answers over time"),
        ("taal", "Choose your language"),
        ("mijngegevens", "What I keep about you"),
        ("stop", "Stop my messages"),
    ]


async def test_guest_menu_in_every_language_at_start(app, api) -> None:
    await app.post_init(app)
    assert {key.split(":")[-1] for key in api.commands} == {"nl", "ar", "ti", "so", "en"}
    assert [c["command"] for c in api.commands["default::ar"]] == ["start", "taal", "help"]


async def test_taal_changes_language_and_is_audited(phone, demo_codes, runtime) -> None:
    await onboard(phone)
    await phone.send("/taal")
    seen = await phone.tap("Soomaali")
    assert seen and "From now on" not in seen[0]
    with runtime.session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 5001)).one()
        assert person.language == "so"
        changes = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "language_changed")
        ).all()
        assert [(c.detail["old"], c.detail["new"]) for c in changes] == [(None, "en"), ("en", "so")]


async def test_taal_before_onboarding_stores_only_the_language(phone, runtime) -> None:
    await phone.send("/taal")
    await phone.tap("العربية")
    with runtime.session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 5001)).one()
        assert (person.language, person.organisation_id, person.display_name) == ("ar", None, None)


async def test_stop_until_they_write_again(phone, demo_codes, runtime) -> None:
    await onboard(phone)
    seen = await phone.send("/stop")
    assert "not send you messages" in seen[0]
    with runtime.session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 5001)).one()
        assert person.stopped_at is not None
    seen = await phone.send("hello")
    assert "Welcome back" in seen[0]
    with runtime.session_factory() as session:
        person = session.scalars(select(Participant).where(Participant.chat_id == 5001)).one()
        assert person.stopped_at is None


async def test_stop_button_from_help(phone, demo_codes) -> None:
    await onboard(phone)
    await phone.send("/help")
    seen = await phone.tap("⏸ Stop my messages")
    assert "not send you messages" in seen[0]


async def test_stop_for_someone_not_connected(phone) -> None:
    expected = said("nl", "You are not connected yet, so I send you no messages.")
    assert await phone.send("/stop") == [expected]
