"""The crisis safety net beside the intent classifier: a curated lexicon per language
(`nlu/crisis/<lang>.yml`, reviewed by people who speak it), and a binary crisis model. Missing a
crisis is the worst error the engine can make, so a message that contains one of these
expressions is a crisis whatever the classifier thinks; crying wolf is the second worst, so the
model alone needs evidence: words it knows and a probability above its language's threshold."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
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


SURE_FALSE_RATE = 0.005  # at most this share of ordinary messages (cross-validated) is "sure"
ASK_RECALL = 0.95  # the "are you safe?" question catches this share of crises the model sees
ASK_FALSE_RATE = 0.03  # ... but asks at most this share of ordinary messages
FLOOR = 0.5  # never sure below this probability, whatever the data says
# The weight of the intent classifier's own crisis probability in the crisis reading. Chosen by
# cross-validated recall at `sure` (0.5 % false alarms) on the December 2026 data: 0.5 → 0.797,
# 0.7 → 0.812, 0.8 → 0.814, 1.0 → 0.820; 0.8 keeps the binary model's say for a small price.
BLEND = 0.8


@dataclass
class CrisisModel:
    """A binary crisis classifier beside the intents (crisis against everything else), on the
    same features, with Platt-scaled probabilities. Its reading of a message is a weighted mean
    (BLEND) of that probability and the intent classifier's own (temperature-scaled) crisis
    probability: two models trained differently (one against all, one among 28 intents). The
    intents weigh most, since among 28 intents they tell crises from look-alikes best
    (cross-validated); the binary model keeps a say. Two thresholds per language on that
    reading, chosen by cross-validation: `sure` (the safety answer and an urgent alert) keeps
    false alarms under SURE_FALSE_RATE;
    between `ask` and `sure` the bot asks whether they are safe."""

    coef: np.ndarray  # one weight per feature column
    intercept: float
    slope: float
    offset: float
    sure: dict[str, float]
    ask: dict[str, float]
    blend: float = BLEND  # weight of the intent classifier's crisis probability

    def probability(self, indices: np.ndarray, weights: np.ndarray, intents: float = 0.0) -> float:
        """The crisis reading: the binary model's probability blended with `intents`, the
        intent classifier's crisis probability for the same message."""
        score = float(weights @ self.coef[indices]) if len(indices) else 0.0
        own = 1.0 / (1.0 + np.exp(-(self.slope * (score + self.intercept) + self.offset)))
        return float((1.0 - self.blend) * own + self.blend * intents)

    def thresholds(self, lang: str | None) -> tuple[float, float]:
        """(ask, sure) for a language; for an unknown one the most careful of each."""
        if lang in self.sure:
            return self.ask[lang], self.sure[lang]
        return min(self.ask.values(), default=FLOOR), min(self.sure.values(), default=FLOOR)


def platt(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Slope and offset of the logistic curve that makes held-out scores probabilities."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), truth)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def choose_thresholds(
    probabilities: np.ndarray, truth: np.ndarray, langs: np.ndarray
) -> tuple[dict[str, float], dict[str, float]]:
    """Per language, from held-out probabilities: the lowest `sure` whose false-alarm rate is
    at most SURE_FALSE_RATE (never below FLOOR), and the highest `ask` that still reaches
    ASK_RECALL, raised until it asks at most ASK_FALSE_RATE of ordinary messages."""
    sure: dict[str, float] = {}
    ask: dict[str, float] = {}
    for lang in sorted(set(langs.tolist())):
        mine = langs == lang
        ordinary = np.sort(probabilities[mine & ~truth])[::-1]
        crises = np.sort(probabilities[mine & truth])[::-1]
        allowed = int(SURE_FALSE_RATE * len(ordinary))
        cut = float(ordinary[allowed]) + 1e-6 if len(ordinary) > allowed else FLOOR
        sure[lang] = round(min(max(cut, FLOOR), 0.99), 4)
        reach = crises[min(int(np.ceil(ASK_RECALL * len(crises))) - 1, len(crises) - 1)]
        allowed_ask = int(ASK_FALSE_RATE * len(ordinary))
        bound = float(ordinary[allowed_ask]) + 1e-6 if len(ordinary) > allowed_ask else 0.0
        ask[lang] = round(min(max(float(reach), bound), sure[lang]), 4)
    return sure, ask
