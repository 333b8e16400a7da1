"""Webhook mode really starts (`wegwijzer run` with WEBHOOK_URL, as in docker-compose), only
with a secret, and an update without Telegram's secret header is refused and never handled."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.settings import SettingsError, load_settings
from storage.db import upgrade
from tests.helpers.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Token_1"
CHAT = 4242


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(tmp_path: Path, base_url: str, port: int, secret: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "TELEGRAM_"))}
    database = f"sqlite:///{tmp_path / 'hook.sqlite3'}"
    upgrade(database)
    env.update(
        TELEGRAM_TOKEN="123:test",
        TELEGRAM_API_BASE_URL=base_url,
        DATABASE_URL=database,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        NLU_CACHE=str(tmp_path / "nlu"),
        LOG_LEVEL="WARNING",
    )
    if secret is not None:
        env["WEBHOOK_SECRET"] = secret
    return env


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


def test_a_webhook_url_without_a_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"^WEBHOOK_SECRET: required when WEBHOOK_URL is set$"):
        load_settings(_env_file=None, webhook_url="https://bot.example.org/hook")
    assert load_settings(_env_file=None, webhook_url="https://x.org/hook", webhook_secret="ab")


def test_run_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = environment(tmp_path, "http://127.0.0.1:9", free_port(), None)
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "wegwijzer: WEBHOOK_SECRET: required when WEBHOOK_URL is set"
    ]


async def test_webhook_mode_starts_and_handles_only_updates_with_the_secret(
    tmp_path: Path, fake: FakeBotAPI
) -> None:
    port = free_port()
    env = environment(tmp_path, fake.base_url, port, SECRET)
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/hook"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(200):  # up to 20 s for the process to listen
                try:
                    await client.post(url, content=b"{}")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            assert "setWebhook" in [r.method for r in fake.records]
            forged = fake.api.message_update(CHAT, "/start")
            refused = await client.post(url, content=json.dumps(forged))
            assert refused.status_code == 403
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            assert (
                await client.post(url, content=json.dumps(forged), headers=wrong)
            ).status_code == 403
            await asyncio.sleep(1.0)
            assert [
                r for r in fake.delivered() if r.params.get("chat_id") in (CHAT, str(CHAT))
            ] == []
            real = fake.api.message_update(CHAT, "/start")
            headers = {
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
                "Content-Type": "application/json",
            }
            accepted = await client.post(url, content=json.dumps(real), headers=headers)
            assert accepted.status_code == 200
            for _ in range(100):
                if any(str(r.params.get("chat_id")) == str(CHAT) for r in fake.delivered()):
                    break
                await asyncio.sleep(0.1)
            assert any(str(r.params.get("chat_id")) == str(CHAT) for r in fake.delivered())
    finally:
        bot.terminate()
        _, errors = await asyncio.wait_for(bot.communicate(), 30)
    assert b"Traceback" not in errors, errors.decode()[-2000:]
