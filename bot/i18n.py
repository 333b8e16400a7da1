"""Translation and CLDR formatting; the locale of the update being handled lives in a ContextVar."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_date_format, get_datetime_format
from babel.lists import format_list
from babel.support import NullTranslations, Translations

from locales import LOCALE_DIR

# Adding a language: a catalog, an NLU file, and one entry here.
LANGUAGES: tuple[str, ...] = ("nl", "ar", "ti", "so", "en")
DOMAIN = "messages"
ANSWERS = "answers"  # organisations' answers to questions (content/answers), translated alike

_current: ContextVar[str] = ContextVar("wegwijzer_locale", default="nl")

FSI, PDI = "\u2068", "\u2069"
_YEAR = re.compile(r"[\s,،፣]*y+")


@cache
def translations(lang: str, domain: str = DOMAIN) -> NullTranslations:
    """Load one compiled catalog; cached because catalogs only change on deploy."""
    return Translations.load(str(LOCALE_DIR), [lang], domain)


def current_locale() -> str:
    return _current.get()


def set_locale(lang: str) -> None:
    """Switch the locale for the rest of this update (called by the edge and after /taal)."""
    _current.set(lang if lang in LANGUAGES else LANGUAGES[0])


@contextmanager
def use_locale(lang: str) -> Iterator[None]:
    """Render in another language for a block, e.g. a message to someone else."""
    token = _current.set(lang if lang in LANGUAGES else LANGUAGES[0])
    try:
        yield
    finally:
        _current.reset(token)


def is_rtl(lang: str) -> bool:
    return _locale(lang).character_order == "right-to-left"


# Embeddings, overrides and isolates: one left open in a participant's text would reverse the
# rest of the line it is put into (a coach's Dutch alert), so inserted values never carry them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolate(value: object, lang: str | None = None) -> str:
    """An inserted value without bidi controls of its own, wrapped in FSI…PDI when the
    sentence or the value is right-to-left, so names, numbers and words keep their order."""
    text = _BIDI_CONTROLS.sub("", str(value))
    if is_rtl(lang or current_locale()) or _right_to_left(text):
        return f"{FSI}{text}{PDI}"
    return text


def _fill(text: str, params: dict[str, object]) -> str:
    if not params:
        return text
    lang = current_locale()
    return text.format(**{key: isolate(value, lang) for key, value in params.items()})


def _(msgid: str, **params: object) -> str:
    """Translate a whole sentence into the current locale and fill its named placeholders."""
    return _fill(translations(current_locale()).ugettext(msgid), params)


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Plural-aware translation; `n` is also available to the sentence as {n}."""
    text = translations(current_locale()).ungettext(singular, plural, n)
    return _fill(text, {"n": format_number(n), **params})


def answer_text(msgid: str, **params: object) -> str:
    """Translate an organisation's answer (the "answers" catalogs) into the current locale."""
    return _fill(translations(current_locale(), ANSWERS).ugettext(msgid), params)


def N_(msgid: str) -> str:  # gettext's name for gettext_noop
    """Mark a module-level text for extraction; translate it with `_()` where it is shown."""
    return msgid


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def resolve_locale(preferred: str | None, telegram_code: str | None, default: str) -> str:
    """The participant's choice, else what their Telegram app says, else the default."""
    if preferred in LANGUAGES:
        return preferred
    if telegram_code:
        try:
            language = Locale.parse(telegram_code.replace("_", "-"), sep="-").language
        except (ValueError, UnknownLocaleError):
            language = None
        if language in LANGUAGES:
            return language
    return default


def language_name(lang: str) -> str:
    """A language named in its own script (CLDR), e.g. ትግርኛ for Tigrinya."""
    name = _locale(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def format_number(value: float, lang: str | None = None) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(lang or current_locale()))


def format_money(value: float, lang: str | None = None) -> str:
    """An amount in euros as the language writes it (CLDR), e.g. € 210,00 or 210.00 €."""
    from decimal import Decimal

    from babel.numbers import format_currency

    return format_currency(Decimal(str(value)), "EUR", locale=_locale(lang or current_locale()))


def format_percent(value: float, lang: str | None = None) -> str:
    """A share as the language writes it (CLDR); `value` is in percent, e.g. 25 → 25%."""
    from babel.numbers import format_percent as percent

    return percent(value / 100, locale=_locale(lang or current_locale()))


def format_day(day: date, lang: str | None = None, with_year: bool = False) -> str:
    """Weekday, day and month name in words (CLDR's full pattern, year only when asked)."""
    return _day(day, lang or current_locale(), with_year)


@lru_cache(maxsize=8192)
def _day(day: date, lang: str, with_year: bool) -> str:
    """Cached: a table of a hundred people formats the same few days hundreds of times."""
    loc = _locale(lang)
    pattern = get_date_format("full", locale=loc).pattern
    if not with_year:
        pattern = _YEAR.sub("", pattern).strip()
    return format_date(day, pattern, locale=loc)


def format_days(days: list[date], lang: str | None = None) -> str:
    """ "dinsdag 24 november en donderdag 26 november": CLDR's list pattern of the language."""
    lang = lang or current_locale()
    return format_list([format_day(day, lang) for day in days], locale=_locale(lang))


def format_when(
    moment: datetime, zone: ZoneInfo, lang: str | None = None, with_year: bool = False
) -> str:
    """A moment in full words and 24-hour time in `zone`, never a short numeric date."""
    if moment.tzinfo is None:
        raise ValueError("format_when needs an aware datetime")
    return _when(moment, zone, lang or current_locale(), with_year)


@lru_cache(maxsize=8192)
def _when(moment: datetime, zone: ZoneInfo, lang: str, with_year: bool) -> str:
    """Cached: a reminder burst formats the same few moments thousands of times."""
    local = moment.astimezone(zone)
    loc = _locale(lang)
    day = format_day(local.date(), loc.language, with_year)
    clock = format_time(local, "HH:mm", locale=loc)
    glue = str(get_datetime_format("long", locale=loc))
    return glue.replace("'", "").replace("{0}", clock).replace("{1}", day)


def missing_translations(msgid: str, domain: str = DOMAIN) -> list[str]:
    """The languages whose catalog has no translation for `msgid`."""
    missing = []
    for lang in LANGUAGES:
        catalog = getattr(translations(lang, domain), "_catalog", {})
        if not catalog.get(msgid):
            missing.append(lang)
    return missing
