"""From an engine's parse to a decision the bot can act on, the same for every engine: text it
cannot judge (no words, a script or language it has no data for) is not guessed at; a crisis
expression, or crisis ranked high even below the threshold, is a crisis; below the threshold
the question goes to the coach with the engine's best guesses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from nlu import crisis
from nlu.normalise import normalise, scripts

THRESHOLD = 0.45  # chosen from the evaluation (see the README): below it, the coach answers
CRISIS_FLOOR = 0.10  # crisis this likely, in the top three, is a crisis (chosen by CV)
KNOWN_SCRIPTS = {"latin", "arabic", "ethiopic"}
MIN_COVERAGE = 0.45  # share of character 3-grams seen in training, below: a language we lack


class Engine(Protocol):
    name: str

    def parse(self, text: str, lang: str | None = None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Understood:
    intent: str | None  # None: not sure (or cannot judge): ask the coach
    confidence: float
    crisis: bool
    reason: str = ""  # why not sure: no_words, unknown_script, unknown_language, low_confidence
    guesses: tuple[str, ...] = ()  # the engine's best intents, best first
    entities: tuple[dict[str, Any], ...] = field(default=())
    parse: dict[str, Any] = field(default_factory=dict)


def judgeable(text: str, engine: Engine) -> str:
    """Why a text cannot be judged, or "" when it can."""
    found = scripts(text)
    letters = sum(found.values())
    if letters < 2:
        return "no_words"  # digits only, one emoji, punctuation
    if sum(n for s, n in found.items() if s in KNOWN_SCRIPTS) < letters / 2:
        return "unknown_script"
    coverage = getattr(engine, "coverage", None)
    if coverage is not None and coverage(text) < MIN_COVERAGE:
        return "unknown_language"
    return ""


def interpret(
    engine: Engine,
    text: str,
    lang: str | None = None,
    threshold: float = THRESHOLD,
    crisis_floor: float = CRISIS_FLOOR,
) -> Understood:
    clean = normalise(text)
    if crisis.matches(clean):
        return Understood("crisis", 1.0, True, "lexicon", ("crisis",))
    why = judgeable(text, engine)
    if why:
        return Understood(None, 0.0, False, why)
    parsed = engine.parse(text, lang)
    ranking = parsed.get("intent_ranking") or [parsed["intent"]]
    best = parsed["intent"]
    guesses = tuple(r["name"] for r in ranking[:3])
    crisis_rank = next((r["confidence"] for r in ranking[:3] if r["name"] == "crisis"), 0.0)
    in_crisis = best["name"] == "crisis" or crisis_rank >= crisis_floor
    entities = tuple(parsed.get("entities", []))
    if in_crisis:
        return Understood(
            "crisis", max(best["confidence"], crisis_rank), True, "", guesses, entities, parsed
        )
    if best["confidence"] < threshold:
        return Understood(
            None, best["confidence"], False, "low_confidence", guesses, entities, parsed
        )
    return Understood(best["name"], best["confidence"], False, "", guesses, entities, parsed)
