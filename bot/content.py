"""Answers are content, not code: every organisation's answers to the questions participants
ask (content/answers/<slug>.yaml over default.yaml), and the amounts of the year they quote
(content/amounts.yaml). Files are checked when loaded, with the file and line of a mistake,
so an organisation's edit cannot break the bot at the moment a participant asks. Texts are
Dutch msgids; their translations live in the "answers" catalogs (no translation at run time:
an answer missing in a language is not given in it, and the coach answers instead)."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import yaml

from bot.i18n import ANSWERS, answer_text, format_money, format_percent, use_locale
from bot.i18n import missing_translations as _missing
from content import CONTENT_DIR
from nlu.data import CONTENT_INTENTS

DEFAULT = "default"
BUTTONS = ("appointments", "ask_coach")
MAX_MESSAGES = 3
MAX_CHARS = 400  # one thing per message, readable on a small phone
# Intents whose answer is content (the others are handled by the bot or the coach).
QUESTION_INTENTS = CONTENT_INTENTS
# Fields that are money; every other number is written as a plain number or a percentage.
_PERCENT = ("share_percent",)


class ContentError(ValueError):
    """A content file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Answer:
    intent: str
    messages: tuple[str, ...]
    buttons: tuple[str, ...]
    checked: date
    source: str
    origin: str  # the file it came from, "path:line"


@dataclass(frozen=True)
class HelpNumber:
    name: str  # a proper name, shown as written
    number: str
    what: str  # msgid: what they help with


@dataclass(frozen=True)
class Amount:
    table: str
    year: int
    values: dict[str, float]
    checked: date
    source: str


@dataclass
class AnswerBook:
    """Everything the bot may answer, per organisation."""

    default: dict[str, Answer]
    own: dict[str, dict[str, Answer]] = field(default_factory=dict)
    help: dict[str, tuple[HelpNumber, ...]] = field(default_factory=dict)
    amounts: dict[str, list[Amount]] = field(default_factory=dict)

    def answer(self, organisation: str | None, intent: str | None) -> Answer | None:
        if intent is None:
            return None
        return self.own.get(organisation or "", {}).get(intent) or self.default.get(intent)

    def intents(self, organisation: str | None) -> list[str]:
        return [i for i in QUESTION_INTENTS if self.answer(organisation, i) is not None]

    def help_numbers(self, organisation: str | None) -> tuple[HelpNumber, ...]:
        return self.help.get(organisation or "", ()) or self.help.get(DEFAULT, ())

    def amount(self, table: str, today: date) -> Amount | None:
        """This year's figures, or None: last year's are never quoted as if current (a wrong
        answer about money is worse than "I asked your coach"), and a year ahead not early."""
        return next((a for a in self.amounts.get(table, []) if a.year == today.year), None)

    def missing_amounts(self, today: date) -> list[str]:
        """The tables that have no figures for this year (answers using them go to the coach)."""
        return sorted(table for table in self.amounts if self.amount(table, today) is None)

    def values(self, today: date, lang: str) -> dict[str, str]:
        """Every placeholder an answer may use, written for `lang`."""
        filled: dict[str, str] = {}
        for table in self.amounts:
            amount = self.amount(table, today)
            if amount is None:
                continue
            filled[f"{table}_year"] = str(amount.year)
            for key, value in amount.values.items():
                name = f"{table}_{key}"
                if key in _PERCENT:
                    filled[name] = format_percent(value, lang)
                elif key.startswith("per_"):
                    filled[name] = format_money(value, lang)
                else:
                    filled[name] = f"{value:g}"
        return filled

    def render(self, answer: Answer, lang: str, today: date) -> list[str] | None:
        """The answer's messages in `lang`, amounts filled in; None when a message has no
        translation in that language or an amount is missing (then the coach answers)."""
        if any(lang in missing_translations(text) for text in answer.messages):
            return None
        values = self.values(today, lang)
        if any(not _placeholders(text) <= set(values) for text in answer.messages):
            return None  # an amount this year does not have: never a raw {placeholder}
        with use_locale(lang):
            try:
                return [answer_text(text, **values) for text in answer.messages]
            except (KeyError, IndexError, ValueError):
                return None

    def all_texts(self) -> Iterator[tuple[str, str]]:
        """(origin, msgid) of every text a translator must translate."""
        for answers in [self.default, *self.own.values()]:
            for answer in answers.values():
                for text in answer.messages:
                    yield answer.origin, text
        for numbers in self.help.values():
            for number in numbers:
                yield number.name, number.what


def missing_translations(msgid: str) -> list[str]:
    return _missing(msgid, ANSWERS)


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping, so a mistake can be pointed at."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: expected a mapping at the top")
    return raw


def _date(value: Any, where: str, name: str) -> date:
    if isinstance(value, date):
        return value
    raise ContentError(f"{where}: '{name}' must be a date such as 2026-11-30")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def load_amounts(path: Path) -> dict[str, list[Amount]]:
    raw = _read(path)
    tables: dict[str, list[Amount]] = {}
    for table, rows in raw.items():
        if table == "__line__":
            continue
        if not isinstance(rows, list) or not rows:
            raise ContentError(f"{path}: '{table}' must be a list of years")
        for row in rows:
            where = f"{path}:{row.get('__line__', '?') if isinstance(row, dict) else '?'}"
            if not isinstance(row, dict) or not isinstance(row.get("year"), int):
                raise ContentError(f"{where}: every entry of '{table}' needs a year")
            values = {
                k: float(v)
                for k, v in row.items()
                if k not in ("year", "checked", "source", "__line__")
            }
            if not values:
                raise ContentError(f"{where}: '{table}' {row['year']} has no amounts")
            tables.setdefault(table, []).append(
                Amount(
                    table,
                    row["year"],
                    values,
                    _date(row.get("checked"), where, "checked"),
                    str(row.get("source") or ""),
                )
            )
            if not tables[table][-1].source:
                raise ContentError(f"{where}: '{table}' {row['year']} needs a source")
    return tables


def _answers(path: Path, raw: dict[str, Any], known: set[str]) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for intent, spec in (raw.get("answers") or {}).items():
        if intent == "__line__":
            continue
        line = spec.get("__line__", "?") if isinstance(spec, dict) else "?"
        where = f"{path}:{line}"
        if intent not in QUESTION_INTENTS:
            raise ContentError(
                f"{where}: '{intent}' is not a question intent ({', '.join(QUESTION_INTENTS)})"
            )
        if not isinstance(spec, dict):
            raise ContentError(f"{where}: answer '{intent}' must be a mapping")
        messages = spec.get("messages")
        if (
            not isinstance(messages, list)
            or not 1 <= len(messages) <= MAX_MESSAGES
            or not all(isinstance(m, str) and m.strip() for m in messages)
        ):
            raise ContentError(f"{where}: '{intent}' needs 1 to {MAX_MESSAGES} messages (text)")
        for message in messages:
            if len(message) > MAX_CHARS:
                raise ContentError(
                    f"{where}: a message of '{intent}' is longer than {MAX_CHARS} characters"
                )
            unknown = _placeholders(message) - known
            if unknown:
                raise ContentError(
                    f"{where}: '{intent}' uses {', '.join(sorted(unknown))}, "
                    "which amounts.yaml does not have"
                )
        buttons = spec.get("buttons") or []
        if not isinstance(buttons, list) or any(b not in BUTTONS for b in buttons):
            raise ContentError(f"{where}: buttons of '{intent}' may be {', '.join(BUTTONS)}")
        source = str(spec.get("source") or "").strip()
        if not source:
            raise ContentError(f"{where}: '{intent}' needs a source")
        answers[intent] = Answer(
            intent,
            tuple(m.strip() for m in messages),
            tuple(buttons),
            _date(spec.get("checked"), where, "checked"),
            source,
            where,
        )
    return answers


def _help(path: Path, raw: dict[str, Any]) -> tuple[HelpNumber, ...]:
    numbers = []
    for item in raw.get("help_numbers") or []:
        where = f"{path}:{item.get('__line__', '?') if isinstance(item, dict) else '?'}"
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str | int) and str(item.get(k)).strip()
            for k in ("name", "number", "what")
        ):
            raise ContentError(f"{where}: a help number needs a name, a number and what")
        numbers.append(HelpNumber(str(item["name"]), str(item["number"]), str(item["what"])))
    return tuple(numbers)


def load(directory: Path = CONTENT_DIR) -> AnswerBook:
    """Read and check every content file."""
    amounts = load_amounts(directory / "amounts.yaml")
    known = {f"{table}_{key}" for table, rows in amounts.items() for a in rows for key in a.values}
    known |= {f"{table}_year" for table in amounts}
    book = AnswerBook(default={}, amounts=amounts)
    folder = directory / "answers"
    if not (folder / f"{DEFAULT}.yaml").exists():
        raise ContentError(f"{folder}: {DEFAULT}.yaml is missing")
    for path in sorted(folder.glob("*.yaml")):
        raw = _read(path)
        slug = raw.get("organisation")
        if slug != path.stem:
            raise ContentError(f"{path}: 'organisation' must be {path.stem!r}, the file's name")
        answers = _answers(path, raw, known)
        if slug == DEFAULT:
            book.default = answers
        else:
            book.own[slug] = answers
        numbers = _help(path, raw)
        if numbers:
            book.help[slug] = numbers
    return book


def check(book: AnswerBook, today: date) -> list[str]:
    """What an operator should look at: missing translations, old checks, this year's amounts."""
    problems = []
    for origin, text in book.all_texts():
        missing = missing_translations(text)
        if missing:
            problems.append(f"{origin}: not translated in {', '.join(missing)}: {text[:60]!r}")
    for answers in [book.default, *book.own.values()]:
        for answer in answers.values():
            if (today - answer.checked).days > 365:
                problems.append(
                    f"{answer.origin}: '{answer.intent}' was last checked {answer.checked}"
                )
    for table, rows in book.amounts.items():
        if not any(a.year == today.year for a in rows):
            newest = max(a.year for a in rows)
            problems.append(
                f"amounts.yaml: '{table}' has no figures for {today.year} (newest: {newest})"
            )
    for intent in QUESTION_INTENTS:
        if intent not in book.default:
            problems.append(f"default.yaml: no answer for '{intent}' (the coach answers it)")
    return problems


def extract_answers(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extractor for the "answers" domain: every message and help number's 'what'."""
    raw = yaml.load(fileobj.read().decode("utf-8"), Loader=_LineLoader)
    slug = raw.get("organisation", "?")
    for intent, spec in (raw.get("answers") or {}).items():
        if intent == "__line__" or not isinstance(spec, dict):
            continue
        for message in spec.get("messages") or []:
            comments = [f"answer {intent} ({slug})"]
            names = sorted(_placeholders(message))
            if names:
                comments.append("keep " + " ".join("{" + n + "}" for n in names) + " as they are")
            yield spec["__line__"], "_", message.strip(), comments
    for item in raw.get("help_numbers") or []:
        yield item["__line__"], "_", str(item["what"]), [f"help number {item['name']} ({slug})"]
