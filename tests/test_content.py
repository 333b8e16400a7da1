"""Answers are content: the files are checked when loaded (with the file and line of a
mistake), the amounts of the right year are quoted, and an answer missing in a language is
not given in it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot import content
from bot.content import QUESTION_INTENTS, ContentError
from bot.i18n import format_money
from content import CONTENT_DIR


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT_DIR, tmp_path / "content", ignore=shutil.ignore_patterns("*.py"))
    return tmp_path / "content"


def write(folder: Path, name: str, text: str) -> None:
    (folder / "answers" / name).write_text(text, encoding="utf-8")


ONE = """organisation: {slug}
answers:
  {intent}:
    checked: 2026-11-30
    source: {source}
    messages:
      - "{text}"
    buttons: [{buttons}]
"""


def one(slug="elders", intent="paid_work", source="werk.nl", text="Kijk op werk.nl.", buttons=""):
    return ONE.format(slug=slug, intent=intent, source=source, text=text, buttons=buttons)


def test_the_shipped_content_answers_every_question_intent_and_is_translated() -> None:
    book = content.load()
    assert set(book.default) == set(QUESTION_INTENTS)
    today = date(2025, 12, 3)  # the newest year with figures
    for answer in book.default.values():
        for lang in ("nl", "ar", "ti", "so", "en"):
            assert book.render(answer, lang, today), (answer.intent, lang)
    problems = content.check(book, today)
    assert not [p for p in problems if "not translated" in p]


def test_an_organisation_replaces_answers_by_intent_and_keeps_the_rest(folder: Path) -> None:
    write(folder, "elders.yaml", one())
    book = content.load(folder)
    assert book.answer("elders", "paid_work").messages == ("Kijk op werk.nl.",)
    assert book.answer("elders", "debt_help") is book.answer("default", "debt_help")
    assert book.answer("nobody", "paid_work") is book.default["paid_work"]
    assert book.help_numbers("elders") == book.help_numbers("default")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (one(intent="weather"), "elders.yaml:4: 'weather' is not a question intent"),
        (one(source=""), "elders.yaml:4: 'paid_work' needs a source"),
        (one(text="Je krijgt {bonus_per_month}."), "uses bonus_per_month"),
        (one(buttons="call_mum"), "buttons of 'paid_work' may be appointments, ask_coach"),
        (one(slug="other"), "'organisation' must be 'elders'"),
        (one(text="x" * 401), "longer than 400 characters"),
        ("organisation: elders\nanswers:\n  paid_work:\n    source: x\n", "needs 1 to 3 messages"),
        ("- just a list", "expected a mapping"),
        ("organisation: [unclosed", "not valid YAML"),
    ],
)
def test_a_mistake_is_named_with_its_file_and_line(folder: Path, text: str, error: str) -> None:
    write(folder, "elders.yaml", text)
    with pytest.raises(ContentError, match=error.replace("[", r"\[").replace("(", r"\(")):
        content.load(folder)


def test_only_this_years_figures_are_quoted(folder: Path) -> None:
    amounts = folder / "amounts.yaml"
    amounts.write_text(
        amounts.read_text(encoding="utf-8").replace(
            "volunteer_allowance:\n",
            "volunteer_allowance:\n  - year: 2027\n    per_month: 230\n    per_year: 2300\n"
            "    per_hour: 5.5\n    per_hour_under_21: 3\n    checked: 2026-12-01\n"
            "    source: test\n",
        ),
        encoding="utf-8",
    )
    book = content.load(folder)
    assert book.values(date(2025, 12, 31), "nl")["volunteer_allowance_per_month"] == format_money(
        210, "nl"
    )
    # 2026 has no figures: last year's are not quoted as if they were this year's.
    assert "volunteer_allowance_per_month" not in book.values(date(2026, 12, 31), "nl")
    allowance = book.answer("demo", "volunteer_allowance")
    assert book.render(allowance, "nl", date(2026, 12, 31)) is None  # the coach answers
    assert book.render(allowance, "nl", date(2025, 6, 1))
    assert book.values(date(2027, 1, 1), "nl")["volunteer_allowance_per_month"] == format_money(
        230, "nl"
    )
    assert book.values(date(2027, 1, 1), "nl")["volunteer_allowance_year"] == "2027"
    assert book.values(date(2025, 6, 1), "ar")["work_exemption_share_percent"].endswith("%")
    assert book.missing_amounts(date(2026, 12, 3)) == ["volunteer_allowance", "work_exemption"]
    assert book.values(date(2026, 12, 3), "nl")["travel_per_km"] == format_money(0.25, "nl")
    checked = content.check(book, date(2026, 12, 3))
    assert any("'volunteer_allowance' has no figures for 2026" in p for p in checked)
    assert not any("'travel'" in p for p in checked)


def test_an_answer_without_a_translation_is_not_given(folder: Path) -> None:
    write(folder, "elders.yaml", one(text="Een tekst die niemand vertaalde."))
    book = content.load(folder)
    answer = book.answer("elders", "paid_work")
    assert book.render(answer, "ti", date(2026, 12, 3)) is None
    assert any("not translated in" in p for p in content.check(book, date(2026, 12, 3)))


def test_the_2025_volunteer_maxima_are_the_published_ones() -> None:
    # A regression: the hourly maxima were 2023's (€ 5,00 / € 2,75). Belastingdienst's 2025
    # figures: € 5,60 an hour (€ 3,30 under 21), € 210 a month, € 2.100 a year.
    amounts = content.load_amounts(CONTENT_DIR / "amounts.yaml")
    year = next(a for a in amounts["volunteer_allowance"] if a.year == 2025)
    assert year.values == {
        "per_hour": 5.60,
        "per_hour_under_21": 3.30,
        "per_month": 210,
        "per_year": 2100,
    }
