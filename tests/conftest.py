"""Fixtures: a migrated database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
a fixed clock, the real Application on an emulated Bot API, and demo data."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot import demo
from bot.clock import FixedClock
from bot.console.emulator import BotAPIEmulator, EmulatedRequest
from bot.runtime import Runtime, bootstrap
from bot.settings import Settings
from bot.telegram.app import build_application
from storage.db import SessionFactory, make_engine, make_session_factory, upgrade
from storage.models import Base
from tests.helpers.people import add_colleagues, link_demo_people
from tests.helpers.phone import Phone

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite the expected parts of tests/flows/*.test.yaml instead of failing",
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    engine = make_engine(url)
    with engine.begin() as connection:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def session_factory(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def content_with_this_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content, plus figures for NOW's year that copy the newest real ones and say
    so: the tests need a year with amounts; the product must not invent one."""
    import yaml

    from content import CONTENT_DIR

    folder = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(CONTENT_DIR, folder, ignore=shutil.ignore_patterns("*.py"))
    path = folder / "amounts.yaml"
    tables = yaml.safe_load(path.read_text(encoding="utf-8"))
    for rows in tables.values():
        if not any(row["year"] == NOW.year for row in rows):
            newest = max(rows, key=lambda row: row["year"])
            rows.append({**newest, "year": NOW.year, "source": "test figures, not the law"})
    path.write_text(yaml.safe_dump(tables, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture
def settings(database_url: str, content_with_this_year: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        telegram_token=None,
        send_rate=1000,
        content_dir=str(content_with_this_year),
    )


@pytest.fixture
def runtime(settings: Settings, clock: FixedClock, session_factory: SessionFactory) -> Runtime:
    return bootstrap(settings, clock=clock, session_factory=session_factory)


@pytest.fixture
def demo_codes(runtime: Runtime) -> dict[str, str]:
    """Load the demo organisation; map 'DEMO', 'coach' and each first name to its code."""
    with runtime.session_factory() as session:
        codes = demo.load(session, runtime.clock.now(), runtime.settings.zone)
    found: dict[str, str] = {}
    for what, code in codes:
        if what.startswith("personal code for "):
            found[what.removeprefix("personal code for ").split(" (")[0]] = code
        elif what.startswith("coach"):
            found["coach"] = code
        else:
            found[code] = code
    return found


@pytest.fixture
def people(
    runtime: Runtime, demo_codes: dict[str, str], session_factory: SessionFactory, clock: FixedClock
) -> dict[str, int]:
    """The demo participants and coach on their chats, as after onboarding: name → id."""
    return link_demo_people(session_factory, clock.now())


@pytest.fixture
def colleagues(people: dict[str, int], session_factory: SessionFactory, clock: FixedClock) -> None:
    """Beside `people`: a second coach and an admin in the demo organisation, an admin elsewhere."""
    add_colleagues(session_factory, clock.now())


@pytest.fixture
def api() -> BotAPIEmulator:
    return BotAPIEmulator()


@pytest.fixture
async def app(runtime: Runtime, api: BotAPIEmulator) -> AsyncIterator[Application]:
    application = build_application(runtime, request=EmulatedRequest(api))
    async with application:
        yield application


@pytest.fixture
def phone(app: Application, api: BotAPIEmulator) -> Phone:
    return Phone(app, api, chat_id=5001, language_code="nl")


def unique_chat() -> int:
    return 10_000 + uuid.uuid4().int % 1_000_000


__all__ = ["NOW", "make_url", "unique_chat"]
