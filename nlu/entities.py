"""Entities an answer needs: how many minutes late, which weekday. Patterns, not a model: the
forms are few and fixed, and a wrong guess costs more than none."""

from __future__ import annotations

import re
from typing import Any

# Weekday (ISO number 1–7) by the words participants use, in each language (normalised; the
# Arabic ones after alef and ta-marbuta folding).
DAYS = {
    1: (
        "maandag",
        "monday",
        "الاثنين",
        "الإثنين",
        "اثنين",
        "tnen",
        "ሰኑይ",
        "isniin",
        "isnin",
        "isniinta",
    ),
    2: (
        "dinsdag",
        "tuesday",
        "الثلاثاء",
        "ثلاثاء",
        "talata",
        "التلاتا",
        "تلاتا",
        "tlata",
        "ሰሉስ",
        "talaado",
        "talaadada",
        "salaasa",
    ),
    3: (
        "woensdag",
        "wednesday",
        "الاربعاء",
        "اربعاء",
        "arba3a",
        "الاربعا",
        "اربعا",
        "arb3a",
        "ረቡዕ",
        "arbaco",
        "arbaca",
        "arbacada",
    ),
    4: (
        "donderdag",
        "thursday",
        "الخميس",
        "خميس",
        "5amis",
        "khamis",
        "ሓሙስ",
        "khamiis",
        "khamiista",
    ),
    5: (
        "vrijdag",
        "friday",
        "الجمعه",
        "جمعه",
        "jum3a",
        "ዓርቢ",
        "jimco",
        "jimce",
        "jimcaha",
        "jimcada",
    ),
    6: ("zaterdag", "saturday", "السبت", "سبت", "sabt", "ቀዳም", "sabti", "sabtida"),
    7: ("zondag", "sunday", "الاحد", "احد", "a7ad", "ሰንበት", "axad", "axadda"),
}
# Today and tomorrow, said as often as a weekday ("morgen" is also "morning": it still mostly
# means tomorrow in these messages).
RELATIVE = {
    "today": ("vandaag", "today", "اليوم", "lyom", "elyom", "ሎሚ", "lomi", "maanta"),
    "tomorrow": (
        "morgen",
        "tomorrow",
        "tomorow",
        "بكرا",
        "بكره",
        "bukra",
        "bokra",
        "ጽባሕ",
        "tsbah",
        "berri",
    ),
}
_DAY_WORDS = sorted(
    [(word, number) for number, words in DAYS.items() for word in words]
    + [(word, name) for name, words in RELATIVE.items() for word in words],
    key=lambda pair: -len(str(pair[0])),
)
_DAY_VALUE = dict(_DAY_WORDS)
_DAY = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w, _v in _DAY_WORDS) + r")(?!\w)")
_MINUTES = re.compile(
    r"(\d{1,3})\s*(?:min|minuten|minuut|minutes|minute|mins|دقيقه|دقايق|دقائق|د|daqiiqo|"
    r"daqiiqadood|daqiiqadaha|ደቒቕ|ደቓይቕ|ደቒቓ)",
)
_NUMBER = re.compile(r"\b(\d{1,3})\b")


def extract(text: str, intent: str) -> list[dict[str, Any]]:
    """Rasa-shaped entities found in a normalised text."""
    found: list[dict[str, Any]] = []
    match = _MINUTES.search(text)
    if match is None and intent == "running_late":
        match = _NUMBER.search(text)
    if match is not None and 0 < int(match.group(1)) <= 240:
        found.append(_entity("minutes", int(match.group(1)), match.start(1), match.end(1)))
    day = _DAY.search(text)
    if day is not None:
        found.append(_entity("day", _DAY_VALUE[day.group(0)], day.start(), day.end()))
    return found


def _entity(name: str, value: object, start: int, end: int) -> dict[str, Any]:
    return {
        "entity": name,
        "value": value,
        "start": start,
        "end": end,
        "extractor": "wegwijzer_patterns",
    }
