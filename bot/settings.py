"""Settings, read once at the entry point from the environment or `.env` and handed down."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "sqlite:///" + str(Path("var") / "wegwijzer.sqlite3")


class Settings(BaseSettings):
    """Every knob of the process; the README lists each one."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    telegram_token: str | None = Field(default=None, description="Bot token from @BotFather.")
    database_url: str = Field(default=DEFAULT_DB)
    telegram_api_base_url: str = Field(default="https://api.telegram.org")
    timezone: str = Field(default="Europe/Amsterdam")
    default_language: str = Field(default="nl")
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: str | None = None
    send_rate: float = Field(default=30.0, gt=0, le=1000)  # messages per second, this process
    sender_concurrency: int = Field(default=4, ge=1, le=64)
    sender_max_attempts: int = Field(default=6, ge=1, le=50)
    outbox_lease_seconds: int = Field(default=60, ge=5)
    quiet_hours: str = Field(default="21:00-08:00")
    log_level: str = "INFO"
    log_message_text: bool = False
    nlu_engine: str = Field(default="builtin", pattern="^(builtin|rasa)$")
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = Field(default=0.5, gt=0, le=10)  # seconds; then the built-in answers
    nlu_threshold: float = Field(default=0.45, ge=0, le=1)  # below: the coach answers
    content_dir: str = ""  # the organisations' answers and amounts; empty: the shipped content/
    nlu_cache: str = "var/nlu"  # where the built-in engine keeps its trained model
    # The bot's @username without the @: deep links and QR codes made outside a chat need it.
    bot_username: str = Field(default="", pattern=r"^$|^[A-Za-z][A-Za-z0-9_]{3,31}$")
    retention_months: int = Field(default=12, ge=1, le=120)  # erase who left this long ago
    web_host: str = "127.0.0.1"  # where `wegwijzer web` listens
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_base_url: str = ""  # how staff reach the web app (login links): https://… in production

    @field_validator("telegram_token", "webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        from bot.i18n import LANGUAGES

        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_chars(cls, value: str | None) -> str | None:
        allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        if value is not None and (not 1 <= len(value) <= 256 or set(value) - allowed):
            raise ValueError("use 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @field_validator("content_dir")
    @classmethod
    def _content_folder(cls, value: str) -> str:
        folder = Path(value)
        if value and not ((folder / "amounts.yaml").is_file() and (folder / "answers").is_dir()):
            raise ValueError(f"{value!r} is not a folder with amounts.yaml and answers/")
        return value

    @field_validator("web_base_url")
    @classmethod
    def _web_app_address(cls, value: str) -> str:
        """Empty: links are made for http://WEB_HOST:WEB_PORT (fine on one machine)."""
        value = value.strip().rstrip("/")
        if value and not (value.startswith(("http://", "https://")) and "://" in value[:8]):
            raise ValueError(
                "must start with http:// or https://, e.g. https://wegwijzer.example.nl"
            )
        if value and (
            urlsplit(value).query or urlsplit(value).fragment or not urlsplit(value).netloc
        ):
            raise ValueError("must be an address such as https://wegwijzer.example.nl")
        return value

    @field_validator("telegram_api_base_url", "rasa_url", "webhook_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        number, _, secret = (value or "").partition(":")
        if value is not None and not (number.isdigit() and secret and " " not in secret):
            raise ValueError("looks like 123456789:ABC-DEF…, as @BotFather gives it")
        return value

    @field_validator("webhook_listen", "nlu_cache", "web_host")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
        except ValueError:
            raise ValueError("write it as HH:MM-HH:MM, e.g. 21:00-08:00") from None
        return f"{start:%H:%M}-{end:%H:%M}"

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        """Without the secret anyone who can reach the URL posts updates in any chat's name."""
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def web_address(self) -> str:
        """Where staff open the web app: WEB_BASE_URL, else this machine's host and port."""
        return self.web_base_url or f"http://{self.web_host}:{self.web_port}"

    @property
    def quiet(self) -> tuple[time, time]:
        """Start and end of the hours without bulk messages, in local time."""
        start, end = self.quiet_hours.split("-")
        return time.fromisoformat(start), time.fromisoformat(end)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line for the person starting us."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:  # a rule across settings names them itself
            raise SettingsError(str(first["msg"]).removeprefix("Value error, ")) from None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{str(first['loc'][0]).upper()}: {message}") from None
