"""The real Application over real HTTP, polling a fake Bot API that can misbehave."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from telegram.ext import Application

from bot.console.emulator import user_dict
from bot.runtime import Runtime
from bot.telegram.app import build_application
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.phone import said

CHAT = 8101


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def live_app(server: FakeBotAPI, runtime: Runtime) -> AsyncIterator[Application]:
    runtime.settings = runtime.settings.model_copy(
        update={"telegram_api_base_url": server.base_url, "telegram_token": "123456:TEST"}
    )
    application = build_application(runtime)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def until(check: Callable[[], bool], seconds: float = 8.0) -> None:
    for _ in range(int(seconds * 50)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


def send(server: FakeBotAPI, text: str) -> None:
    server.push(server.api.message_update(CHAT, text, user=user_dict(CHAT, "en")))


def tap(server: FakeBotAPI, label: str) -> None:
    buttons = dict(server.api.buttons(CHAT))
    message = server.api.message_with_buttons(CHAT)
    server.push(server.api.callback_update(CHAT, buttons[label], message, user_dict(CHAT, "en")))


async def test_onboarding_over_http(server, live_app, demo_codes) -> None:
    send(server, "/start DEMO")
    await until(lambda: bool(server.api.buttons(CHAT)))
    tap(server, "English")
    await until(lambda: "✅ Yes, that is OK" in dict(server.api.buttons(CHAT)))
    tap(server, "✅ Yes, that is OK")
    await until(lambda: any("Sanne de Vries" in t for t in server.api.texts(CHAT)))
    assert "answerCallbackQuery" in {r.method for r in server.records}


async def test_retry_after_is_waited_out_exactly(server, live_app) -> None:
    server.fail_next("sendMessage", "429", retry_after=1)
    send(server, "/help")
    await until(lambda: len(server.api.texts(CHAT)) == 1)
    sends = [r for r in server.records if r.method == "sendMessage"]
    assert [r.status for r in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 1.0


async def test_network_errors_are_retried(server, live_app) -> None:
    server.fail_next("sendMessage", "network")
    server.fail_next("sendMessage", "500")
    send(server, "/help")
    await until(lambda: len(server.api.texts(CHAT)) == 1)
    assert server.statuses("sendMessage") == [0, 500, 200]
    assert server.api.texts(CHAT) == [
        said(
            "en",
            "Wegwijzer helps people in a trajectory with "
            "their appointments and questions. To start, you "
            "need a code from your coach. Send /start, a space "
            "and your code.",
        )
    ]


async def test_a_blocked_bot_does_not_stop_the_others(server, live_app) -> None:
    server.fail_next("sendMessage", "403")
    send(server, "/help")
    await until(lambda: server.statuses("sendMessage") == [403])
    server.push(server.api.message_update(CHAT + 1, "/help", user=user_dict(CHAT + 1, "en")))
    await until(lambda: len(server.api.texts(CHAT + 1)) == 1)
    assert server.api.texts(CHAT) == []
    assert live_app.bot_data.get("errors", 0) == 0
