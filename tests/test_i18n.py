"""Catalogs are complete and consistent; dates are written in full in every language."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import (
    FSI,
    LANGUAGES,
    PDI,
    _,
    format_when,
    isolate,
    language_name,
    ngettext,
    resolve_locale,
    use_locale,
)
from locales import LOCALE_DIR

AMS = ZoneInfo("Europe/Amsterdam")
PLACEHOLDER = re.compile(r"\{(\w*)\}")


DOMAINS = ("messages", "answers")  # the code's texts; the organisations' answers (content/)


def catalog(lang: str, domain: str = "messages"):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
        return read_po(handle)


def template(domain: str = "messages"):
    with open(LOCALE_DIR / f"{domain}.pot", "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str, domain: str) -> None:
    po = catalog(lang, domain)
    wanted = [m.id for m in template(domain) if m.id]
    missing = [
        mid
        for mid in wanted
        if mid not in po
        or not all(po[mid].string if isinstance(po[mid].string, tuple) else (po[mid].string,))
    ]
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert not missing, f"{lang}: untranslated: {missing}"
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_its_header_and_is_not_fuzzy(lang: str, domain: str) -> None:
    """Without a header Babel treats a whole catalog as fuzzy and will not compile it."""
    po = catalog(lang, domain)
    assert not po.fuzzy, f"{lang}: catalog header missing or marked fuzzy"
    assert po.locale is not None and str(po.locale) == lang
    assert po.plural_forms.startswith("nplurals=")


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_msgid(lang: str, domain: str) -> None:
    for message in catalog(lang, domain):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, f"{lang}: {message.id!r}"


def test_template_is_up_to_date_with_the_code_and_flows(tmp_path) -> None:
    from babel.messages.frontend import CommandLineInterface

    out = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(LOCALE_DIR / "babel.cfg"),
            "-o",
            str(out),
            str(LOCALE_DIR.parent),
        ]
    )
    with open(out, "rb") as handle:
        fresh = {m.id for m in read_po(handle) if m.id}
    assert fresh == {m.id for m in template() if m.id}, "run `make messages`"


def test_answers_template_is_up_to_date_with_the_content(tmp_path) -> None:
    from babel.messages.frontend import CommandLineInterface

    out = tmp_path / "answers.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(LOCALE_DIR / "answers.cfg"),
            "-o",
            str(out),
            str(LOCALE_DIR.parent),
        ]
    )
    with open(out, "rb") as handle:
        fresh = {m.id for m in read_po(handle) if m.id}
    assert fresh and fresh == {m.id for m in template("answers") if m.id}, "run `make messages`"


def test_compiled_catalogs_answer_in_their_language() -> None:
    with use_locale("ar"):
        assert _("Please tap one of the buttons.") != "Please tap one of the buttons."
    with use_locale("en"):
        assert _("Please tap one of the buttons.") == "Please tap one of the buttons."


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "dinsdag 24 november, 09:30"),
        ("en", "Tuesday, November 24, 09:30"),
        ("ar", "الثلاثاء، 24 نوفمبر، 09:30"),
        ("ti", "ሰሉስ፣ 24 ሕዳር 09:30"),
        ("so", "Talaado, Noofeembar 24 09:30"),
    ],
)
def test_dates_in_full_with_24_hour_time(lang: str, expected: str) -> None:
    moment = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    assert format_when(moment, AMS, lang) == expected


def test_dates_follow_the_configured_zone_across_dst() -> None:
    summer = datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # day after the spring change
    winter = datetime(2026, 3, 28, 8, 30, tzinfo=UTC)
    assert format_when(summer, AMS, "nl").endswith("09:30")
    assert format_when(winter, AMS, "nl").endswith("09:30")
    assert format_when(summer, AMS, "nl", with_year=True) == "maandag 30 maart 2026, 09:30"


def test_no_short_numeric_dates() -> None:
    for lang in LANGUAGES:
        text = format_when(datetime(2026, 5, 4, 10, tzinfo=UTC), AMS, lang)
        assert not re.search(r"\d+[/.-]\d+[/.-]\d+", text), text


def test_values_in_arabic_are_isolated() -> None:
    assert isolate("Sanne", "ar") == f"{FSI}Sanne{PDI}"
    assert isolate("Sanne", "nl") == "Sanne"
    with use_locale("ar"):
        text = _(
            "Welcome {name}. You are now connected as staff of {organisation}.",
            name="Sanne",
            organisation="De Brug 2",
        )
    assert f"{FSI}Sanne{PDI}" in text and f"{FSI}De Brug 2{PDI}" in text


def test_plural_forms_pick_by_number() -> None:
    with use_locale("en"):
        assert ngettext("{n} day", "{n} days", 1) == "1 day"
        assert ngettext("{n} day", "{n} days", 3) == "3 days"


@pytest.mark.parametrize(
    ("preferred", "app", "expected"),
    [
        ("so", "ar", "so"),
        (None, "ar-SY", "ar"),
        (None, "ti_ER", "ti"),
        (None, "de", "nl"),
        (None, None, "nl"),
        (None, "garbage!!", "nl"),
        ("xx", "en-GB", "en"),
    ],
)
def test_locale_resolution(preferred, app, expected) -> None:
    assert resolve_locale(preferred, app, "nl") == expected


def test_language_names_are_endonyms() -> None:
    assert [language_name(lang) for lang in LANGUAGES] == [
        "Nederlands",
        "العربية",
        "ትግርኛ",
        "Soomaali",
        "English",
    ]


def test_arabic_counts_from_eleven_take_the_accusative_singular() -> None:
    """11–99 things: "١١ شخصًا" (accusative, with tanwin); 100–102 take the genitive "شخص".
    Two messages once had these forms the other way round."""
    from babel.messages.pofile import read_po

    with open(LOCALE_DIR / "ar" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale="ar")
    for message in catalog:
        if isinstance(message.id, tuple) and message.string and message.string[5]:
            eleven, hundred = message.string[5], message.string[4]
            assert "\u064b" in eleven, message.id[0]  # ً tanwin fath
            assert eleven != hundred, message.id[0]


def test_a_participants_unclosed_override_stays_inside_its_place() -> None:
    from bot.i18n import FSI, PDI, _, use_locale
    from bot.services.coaching.safety import CRISIS_ALERT

    question = "ما بدي \u202eكمل abc"  # an override the participant never closed
    with use_locale("nl"):
        line = _(CRISIS_ALERT, name="Rami\u202e", question=question)
    assert "\u202e" not in line
    assert f"{FSI}ما بدي كمل abc{PDI}" in line  # right-to-left words isolated, Dutch or not
    assert line.startswith("Rami ")  # a left-to-right name needs no marks
