"""A coordinator composes a broadcast in Telegram; participants get it in their language."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import format_when
from bot.services.messaging import broadcasts
from bot.telegram.sender import Sender
from storage.models import Broadcast, Outbox
from tests.helpers.people import CHATS, COACH_CHAT, link_demo_people
from tests.helpers.phone import Phone, said, said_n


async def test_compose_preview_send_and_acknowledge(
    app, api, runtime, demo_codes, session_factory, clock
):
    link_demo_people(session_factory, clock.now())
    staff = Phone(app, api, COACH_CHAT, "nl", name="Sanne")
    seen = await staff.send("/bericht")
    assert seen == [said("nl", "Who should get this message?")]
    assert staff.buttons() == ["Groep Noord", "Groep Zuid", said("nl", "👥 Everyone")]
    await staff.tap("Groep Noord")
    await staff.tap(said("nl", "✍️ No, write the message"))
    too_long = await staff.send("x" * 3900)
    assert too_long[0] == said(
        "nl", "That is too long: {length} characters. The most is {limit}.", length=3900, limit=3800
    )
    await staff.send("Morgen is het atelier dicht.")
    await staff.tap("العربية")
    await staff.send("الورشة مغلقة غدًا.")
    preview = await staff.tap(said("nl", "👀 No, show the preview"))
    assert len(preview) == 5 + 1 + 1  # one per language, the count, then "when?"
    assert "الورشة مغلقة غدًا." in preview[1] and "Morgen is het atelier dicht." in preview[2]
    assert preview[5] == said_n("nl", "It goes to {n} person.", "It goes to {n} people.", 2)
    await staff.tap(said("nl", "▶️ Now"))
    await staff.tap(said("nl", "👍 Yes, add it"))
    done = await staff.tap(said("nl", "✅ Send"))
    when = format_when(clock.now(), runtime.settings.zone, "nl")
    assert done[0].startswith(said("nl", "Message {id} will be sent on {when}.", id=1, when=when))
    assert done[0].endswith(said("nl", "Tap /berichten to follow it, or to stop it."))

    sender = Sender(runtime, app.bot, name="t")
    for _ in range(3):
        await sender.drain_once()
    rami = Phone(app, api, CHATS["Rami"], "ar")
    assert api.texts(CHATS["Rami"]) == ["الورشة مغلقة غدًا."]
    assert api.texts(CHATS["Yonas"])[0].endswith("Morgen is het atelier dicht.")
    assert api.texts(CHATS["Amina"]) == []  # Zuid was not chosen
    await rami.tap(1)
    assert rami.last_toast == said("ar", "Thank you! 👍")
    with session_factory() as session:
        broadcast = session.scalars(select(Broadcast)).one()
        acked = session.scalars(
            select(Outbox.acked_at).where(Outbox.chat_id == CHATS["Rami"])
        ).one()
    with session_factory() as session:
        report = broadcasts.report(session, broadcast.id, broadcast.organisation_id)
    assert acked is not None and report.by_language["ar"]["understood"] == 1

    follow = await staff.send("/berichten")
    assert follow[0].startswith(said("nl", "Message {id} is being sent.", id=1))
    assert (
        said(
            "nl",
            "{language}: {sent} of {total} sent, {understood} pressed 👍.",
            language="العربية",
            sent=1,
            total=1,
            understood=1,
        )
        in follow[0]
    )
    assert staff.buttons() == [said("nl", "🔄 Refresh"), said("nl", "⏹ Stop")]


async def test_participants_cannot_broadcast_or_press_staff_buttons(
    app, api, runtime, demo_codes, session_factory, clock
):
    link_demo_people(session_factory, clock.now())
    person = Phone(app, api, CHATS["Rami"], "ar")
    refused = said("ar", "Only staff of an organisation can do this.")
    assert await person.send("/bericht") == [refused]
    assert await person.send("/berichten") == [refused]
    seen = await person.deliver(api.callback_update(CHATS["Rami"], "bc:stop:1"))
    assert seen == [refused]
    with session_factory() as session:
        assert session.scalars(select(Broadcast)).all() == []


async def test_a_staff_member_connects_a_telegram_group(
    app, api, demo_codes, session_factory, clock
):
    link_demo_people(session_factory, clock.now())
    from telegram import Update

    from bot.console.emulator import user_dict

    await app.process_update(
        Update.de_json(api.message_update(-100555, "/groep", user=user_dict(COACH_CHAT)), app.bot)
    )
    assert "Wijkatelier De Brug" in api.texts(-100555)[0]
    await app.process_update(
        Update.de_json(
            api.message_update(-100666, "/groep", user=user_dict(CHATS["Rami"])), app.bot
        )
    )
    assert api.texts(-100666) == [said("nl", "Only staff of an organisation can do this.")]
