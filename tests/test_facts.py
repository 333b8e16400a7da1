"""Facts carry their year: in a year without amounts a money question goes to the coach (never
last year's figures, never a raw placeholder), the admins hear it once on a working day, and
`wegwijzer answers check` fails."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import content
from bot.cli import main as cli
from bot.services import facts
from bot.services.coaching.questions import ASKED_AGAIN
from content import CONTENT_DIR
from storage.models import Outbox, Question
from tests.helpers.people import ADMIN_CHAT, CHATS
from tests.helpers.phone import Phone, said

AMS = "Europe/Amsterdam"


@pytest.fixture
def without_this_year(runtime):
    """The shipped content as it is: no figures for NOW's year."""
    runtime.answers = content.load()
    return runtime.answers


async def test_a_money_question_goes_to_the_coach_in_a_year_without_figures(
    app, api, runtime, people, colleagues, session_factory, without_this_year
):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    seen = await fatima.send("krijg ik geld voor vrijwilligerswerk?")
    assert seen == [said("nl", ASKED_AGAIN, coach="Sanne de Vries")]
    assert not any("{" in text for text in seen)
    with session_factory() as session:
        assert session.scalars(select(Question.handled)).one() == "coach"


def admin_notices(session_factory) -> list[str]:
    with session_factory() as session:
        return [
            row.text
            for row in session.scalars(select(Outbox).where(Outbox.chat_id == ADMIN_CHAT))
            if "content/amounts.yaml" in row.text
        ]


def test_the_admins_are_told_once_on_a_working_day(
    runtime, people, colleagues, session_factory, without_this_year
):
    zone = runtime.settings.zone
    saturday = datetime(2026, 1, 3, 9, 0, tzinfo=UTC)
    monday = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with session_factory() as session:
        assert facts.tell_admins_of_missing_amounts(session, saturday, zone, without_this_year) == 0
    for _ in range(2):
        with session_factory() as session:
            facts.tell_admins_of_missing_amounts(session, monday, zone, without_this_year)
    assert admin_notices(session_factory) == [
        said("nl", facts.MISSING_AMOUNTS, year=2026)
    ]  # once, and only to the admin of an organisation (not to coaches)


def test_a_year_with_figures_tells_nobody(runtime, people, colleagues, session_factory):
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with session_factory() as session:
        assert not facts.tell_admins_of_missing_amounts(
            session, monday, runtime.settings.zone, runtime.answers
        )
    assert admin_notices(session_factory) == []


def test_answers_check_fails_without_this_years_figures(tmp_path: Path, settings, capsys):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder, ignore=shutil.ignore_patterns("*.py"))
    amounts = folder / "amounts.yaml"
    amounts.write_text(
        amounts.read_text(encoding="utf-8").replace("year: 2025", "year: 2019"), encoding="utf-8"
    )
    settings.content_dir = str(folder)
    assert cli._check_answers(settings) == 1
    assert "has no figures for" in capsys.readouterr().out
