"""From an engine's parse to a decision the bot can act on, the same for every engine: text it
cannot judge (no words, a script or language it has no data for) is not guessed at; a crisis
expression from the lexicon is a crisis; the crisis model is trusted only with evidence (words
it knows, a probability above its language's threshold), and just below that the bot asks
whether they are safe instead of raising an alarm; below the threshold (per intent, where
cross-validation chose one) the question goes to the coach with the engine's best guesses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from nlu import crisis
from nlu.data import CONTENT_INTENTS
from nlu.normalise import normalise, scripts

THRESHOLD = 0.45  # chosen from the evaluation (see the README): below it, the coach answers
CHOICE_SUM = 0.80  # two content answers this likely together: "did you mean A or B?"
CHOICE_LEAST = 0.25  # ... each at least this likely
CHOICE_MARGIN = 0.15  # ... and the first ahead by less than this: a coin flip, even when sure
KNOWN_SCRIPTS = {"latin", "arabic", "ethiopic"}
MIN_COVERAGE = 0.45  # share of character 3-grams seen in training, below: a language we lack
AGREE_AT_LEAST = 0.2  # the intent classifier's own crisis probability, for the model to be sure
MIN_KNOWN_WORDS = 2  # the crisis model alone needs this many words it knows ("eid mubarak")


# Words that turn a statement around ("not safe", "ما انا بأمان", "ammaan ma ihi"). A bag of
# n-grams reads "I am not safe" much like "I am safe", so a typed yes to "are you safe?" counts
# only without one of these (normalised; Tigrinya negates with the prefix ኣይ).
NEGATIONS = frozenset(
    {
        "niet", "geen", "nee", "nooit", "not", "no", "dont", "don't", "never", "cant", "can't",
        "ما", "مو", "مش", "لا", "ليس", "لست", "مانيش", "ماني", "mish", "mesh", "mu", "mo",
        "ma", "maya", "aan", "ኣይፋል",
    }
)


def negated(text: str) -> bool:
    """Whether a message contains a negation (NEGATIONS) in any of the five languages."""
    words = normalise(text).replace(",", " ").replace(".", " ").split()
    return any(word in NEGATIONS or word.startswith("ኣይ") for word in words)


class Engine(Protocol):
    name: str

    def parse(self, text: str, lang: str | None = None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Understood:
    intent: str | None  # None: not sure (or cannot judge): ask the coach
    confidence: float
    crisis: bool
    reason: str = (
        ""  # why not: no_words, unknown_script, unknown_language, low_confidence, close_choice
    )
    guesses: tuple[str, ...] = ()  # the engine's best intents, best first
    entities: tuple[dict[str, Any], ...] = field(default=())
    parse: dict[str, Any] = field(default_factory=dict)
    maybe_crisis: bool = False  # not sure enough to alarm anyone: ask whether they are safe
    choices: tuple[str, ...] = ()  # two content answers close together: ask which one


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


def crisis_reading(engine: Engine, text: str, lang: str | None) -> tuple[bool, bool]:
    """(sure, maybe) from the engine's crisis model; a text without a word the model knows is
    never a crisis (a flat ranking of unknown words is no evidence), and one known word is at
    most a reason to ask."""
    probability_of = getattr(engine, "crisis_probability", None)
    model = getattr(engine, "crisis", None) or getattr(
        getattr(engine, "fallback", None), "crisis", None
    )
    if probability_of is None or model is None:
        return False, False
    probability, known = probability_of(text)
    if known < 1:
        return False, False
    ask, sure = model.thresholds(lang)
    return probability >= sure and known >= MIN_KNOWN_WORDS, probability >= ask


def interpret(
    engine: Engine,
    text: str,
    lang: str | None = None,
    threshold: float = THRESHOLD,
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
    guesses = tuple(r["name"] for r in ranking[:3] if r["name"] != "crisis")
    entities = tuple(parsed.get("entities", []))
    sure, maybe = crisis_reading(engine, text, lang)
    agree = next((r["confidence"] for r in ranking if r["name"] == "crisis"), 0.0)
    if agree < AGREE_AT_LEAST and (sure or maybe):  # the intents see something else
        # "tot snel" is a goodbye the intents are sure of: neither alarm nor ask; unsure: ask.
        sure, maybe = False, best["confidence"] < threshold
    if sure:
        return Understood("crisis", best["confidence"], True, "", ("crisis",), entities, parsed)
    own = getattr(engine, "thresholds", None) or {}
    needed = max(threshold, own.get(best["name"], threshold))
    if best["name"] in CONTENT_INTENTS and not (
        _knows_a_word(engine, text) and _second_opinion(engine, text, best["name"], threshold)
    ):
        needed = 1.01  # never on character shapes alone ("bril"), nor against the built-in
    if best["name"] == "crisis" or best["confidence"] < needed:
        return Understood(
            None,
            best["confidence"],
            False,
            "low_confidence",
            guesses,
            entities,
            parsed,
            maybe,
            close_choices(ranking),
        )
    close = close_choices(ranking)
    if close and best["confidence"] - ranking[1]["confidence"] < CHOICE_MARGIN:
        # "question about my benefit": keeping it, or what work does to it? Let them pick.
        return Understood(
            None, best["confidence"], False, "close_choice", guesses, entities, parsed, maybe, close
        )
    return Understood(best["name"], best["confidence"], False, "", guesses, entities, parsed, maybe)


def _second_opinion(engine: Engine, text: str, intent: str, threshold: float) -> bool:
    check = getattr(engine, "second_opinion", None)
    return check is None or check(text, intent, threshold)


def _knows_a_word(engine: Engine, text: str) -> bool:
    count = getattr(engine, "known_words", None)
    return count is None or count(text) >= 1


def close_choices(ranking: list[dict[str, Any]]) -> tuple[str, ...]:
    """The two best intents when both have a content answer and together they are likely."""
    if len(ranking) < 2:
        return ()
    first, second = ranking[0], ranking[1]
    names = (first["name"], second["name"])
    if not set(names) <= set(CONTENT_INTENTS) or second["confidence"] < CHOICE_LEAST:
        return ()
    return names if first["confidence"] + second["confidence"] >= CHOICE_SUM else ()
