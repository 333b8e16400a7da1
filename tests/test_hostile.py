"""Whatever people send: no handler raises, nothing goes to a chat that did not write."""

from __future__ import annotations

import copy
import logging
import random

from telegram import Update

from bot.console.emulator import user_dict
from tests.helpers.phone import said

TEXTS = [
    "",
    " ",
    "x" * 4096,
    "😀" * 50,
    "🙂",
    "مرحبا hello ሰላም salaan",
    "\u202egnp.exe\u202c",
    "<b>bold</b><script>alert(1)</script>",
    "&amp; &lt;",
    "{organisation} {0} %s %(x)s",
    "\u200f\u200e\u2066\u2069",
    "\x00\x01",
    "ا" * 3000,
    "DROP TABLE participant;",
    "123",
    "/start",
    "/start DEMO",
    "/start " + "A" * 300,
    "/start ../../etc",
    "/start@wegwijzer_bot DEMO",
    "/start DEMO extra words",
    "/taal",
    "/taal nl",
    "/help",
    "/stop",
    "/unknown",
    "/",
    "//",
    "/start \u202eOMED",
    "ja",
    "1",
    "99",
    "nederlands",
    "English",
]
MEDIA = [
    {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    },
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    {"location": {"latitude": 52.09, "longitude": 5.12}},
    {"contact": {"phone_number": "+31600000000", "first_name": "X"}},
    {"document": {"file_id": "d", "file_unique_id": "d"}},
    {"video_note": {"file_id": "n", "file_unique_id": "n", "length": 1, "duration": 1}},
]
CALLBACK_DATA = [
    "fl:abc:language:0",
    "fl:::",
    "fl:x:y:-1",
    "fl:x:consent:999999999999",
    "menu:taal",
    "menu:stop",
    "menu:",
    "a" * 64,
    "💥",
    "fl:a:b:c:d",
]


def generate(api, rng: random.Random, count: int) -> tuple[list[dict], set[int]]:
    """Updates of every kind from a handful of chats; returns them and the chats that wrote."""
    private = [7000 + i for i in range(12)]
    groups = [-100200300 - i for i in range(3)]
    updates: list[dict] = []
    writers: set[int] = set()
    for _ in range(count):
        roll = rng.random()
        chat = rng.choice(private)
        if roll < 0.45:
            text = rng.choice(TEXTS)
            updates.append(
                api.message_update(
                    chat,
                    text,
                    user=user_dict(
                        chat, rng.choice([None, "ar", "ti", "so", "nl", "en", "zz", "ar-SY"])
                    ),
                )
            )
            writers.add(chat)
        elif roll < 0.6:
            updates.append(api.message_update(chat, None, extra=rng.choice(MEDIA)))
            writers.add(chat)
        elif roll < 0.75:
            updates.append(api.callback_update(chat, rng.choice(CALLBACK_DATA)))
            writers.add(chat)
        elif roll < 0.82:
            updates.append(
                api.message_update(chat, rng.choice(TEXTS) or "x", kind="edited_message")
            )
        elif roll < 0.9:
            group = rng.choice(groups)
            updates.append(
                api.message_update(group, rng.choice(TEXTS) or "/help", user=user_dict(chat))
            )
            writers.add(group)
        elif roll < 0.95:
            updates.append(
                api.message_update(
                    rng.choice(groups), "news", kind="channel_post", chat_type="channel"
                )
            )
        elif updates:
            updates.append(copy.deepcopy(rng.choice(updates)))  # Telegram delivering twice
    return updates, writers


async def test_hostile_updates(app, api, demo_codes, caplog) -> None:
    rng = random.Random(20261123)
    updates, writers = generate(api, rng, 400)
    seen_ids: set[int] = set()
    with caplog.at_level(logging.WARNING):
        for data in updates:
            before = len(api.sent())
            await app.process_update(Update.de_json(copy.deepcopy(data), app.bot))
            if data["update_id"] in seen_ids:
                assert len(api.sent()) == before, "a repeated update was handled twice"
            seen_ids.add(data["update_id"])
    assert app.bot_data.get("errors", 0) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert {m["chat"]["id"] for m in api.sent()} <= writers
    assert len(api.sent()) > 100


async def test_long_text_gets_a_short_answer(phone, demo_codes) -> None:
    await phone.send("/start DEMO")
    await phone.tap("English")
    await phone.tap(1)
    seen = await phone.send("ا" * 4096)
    assert len(seen) == 1 and len(seen[0]) < 300


async def test_group_messages_are_ignored_but_commands_get_a_pointer(app, api) -> None:
    group = -100999
    await app.process_update(
        Update.de_json(api.message_update(group, "hallo allemaal", user=user_dict(1)), app.bot)
    )
    assert api.sent(group) == []
    await app.process_update(
        Update.de_json(api.message_update(group, "/start", user=user_dict(1)), app.bot)
    )
    assert len(api.sent(group)) == 1


async def test_edited_messages_are_ignored(app, api) -> None:
    await app.process_update(
        Update.de_json(api.message_update(42, "/help", kind="edited_message"), app.bot)
    )
    assert api.sent(42) == []


async def test_a_button_on_an_inline_message_is_answered_without_a_traceback(
    app, api, caplog
) -> None:
    update = api.callback_update(42, "fl:abc:consent:0")
    update["callback_query"].pop("message")
    update["callback_query"]["inline_message_id"] = "inline-1"
    with caplog.at_level(logging.ERROR):
        await app.process_update(Update.de_json(update, app.bot))
    assert [a.get("text") for a in api.callback_answers] == [
        said("nl", "This button is no longer active.")
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert app.bot_data.get("errors", 0) == 0
