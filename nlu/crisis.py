"""The crisis safety net beside the classifier: a curated lexicon per language
(`nlu/crisis/<lang>.yml`, reviewed by people who speak it). Missing a crisis is the worst error
the engine can make, so a message that contains one of these expressions is a crisis whatever
the classifier thinks."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from nlu.normalise import normalise

LEXICON = Path(__file__).resolve().parent / "crisis"


@cache
def expressions(directory: Path = LEXICON) -> tuple[str, ...]:
    """Every language's expressions together: people mix languages in one message."""
    found: list[str] = []
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("expressions", []):
            text = normalise(str(entry.get("match", "")))
            if len(text) >= 4:
                found.append(text)
    return tuple(sorted(set(found), key=len, reverse=True))


def matches(text: str) -> str | None:
    """The expression a normalised message contains, if any."""
    return next((expression for expression in expressions() if expression in text), None)
