"""Every setting that is wrong stops the program with one line naming it, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
WRONG = {
    "bot_username": "@wegwijzer_bot",
    "telegram_token": "not a token",
    "database_url": "mysql://x",
    "telegram_api_base_url": "api.telegram.org",
    "timezone": "Mars/Olympus",
    "default_language": "fr",
    "webhook_url": "telegram.example.org/hook",
    "webhook_listen": " ",
    "webhook_port": "70000",
    "webhook_secret": "no spaces allowed",
    "send_rate": "0",
    "sender_concurrency": "0",
    "sender_max_attempts": "0",
    "outbox_lease_seconds": "1",
    "quiet_hours": "late",
    "log_level": "LOUD",
    "log_message_text": "perhaps",
    "nlu_engine": "gpt",
    "rasa_url": "localhost:5005",
    "rasa_timeout": "0",
    "nlu_threshold": "1.5",
    "content_dir": "/nonexistent",
    "nlu_cache": " ",
    "retention_months": "0",
    "web_host": " ",
    "web_port": "0",
    "web_base_url": "wegwijzer.example.nl",
}


def test_every_setting_has_a_wrong_value_in_this_table() -> None:
    assert set(WRONG) == set(Settings.model_fields)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_setting_is_named_in_one_line(name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **{name: WRONG[name]})
    message = str(caught.value)
    assert message.startswith(f"{name.upper()}: ") and "\n" not in message, message


@pytest.mark.parametrize("name", ["log_level", "content_dir", "timezone"])
def test_the_program_stops_with_that_line(name: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.isupper() and k.lower() not in WRONG}
    env[name.upper()] = WRONG[name]
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "current"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"wegwijzer: {name.upper()}: " + run.stderr.split(f"{name.upper()}: ", 1)[1].strip()
    ]
    assert "Traceback" not in run.stderr
