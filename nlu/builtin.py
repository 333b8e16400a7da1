"""The built-in engine: in-process, no server. Character n-grams (2–5, within words) and word
uni- and bigrams, TF-IDF weighted, into a linear classifier trained on all five languages
together (participants mix them). Character n-grams suit Ge'ez script, Arabizi and
agglutinative Somali, where whole words rarely repeat. Its probabilities are scaled by one
temperature fitted on held-out predictions, so that a confidence of 0.6 is right about six
times in ten. The model is cached on disk under the hash of the data it was trained on."""

from __future__ import annotations

import logging
import pickle
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlu import data
from nlu.crisis import BLEND, CrisisModel, choose_thresholds, platt
from nlu.entities import extract
from nlu.normalise import normalise
from nlu.understand import THRESHOLD

if TYPE_CHECKING:  # scikit-learn is needed to train, not to answer (it alone costs ~95 MB)
    from sklearn.pipeline import FeatureUnion
    from sklearn.svm import LinearSVC

log = logging.getLogger("wegwijzer.nlu")
VERSION = "8"  # bump when the features or the model change: the cache key includes it
CRISIS = "crisis"
PRECISION = 0.97  # a content intent's answers must be right this often, cross-validated
FOLDS = 5  # calibration folds (temperature, crisis and intent thresholds): 3 was more pessimistic

CHARS = (2, 5)  # character n-grams within words
WORDS = (1, 2)  # word uni- and bigrams
_WORD = re.compile(r"(?u)\b\w+\b")


def char_grams(text: str, low: int = CHARS[0], high: int = CHARS[1]) -> list[str]:
    """scikit-learn's char_wb analyzer, term for term: every word padded with one space each
    side; a word shorter than n counts once, whole."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if n >= len(padded):
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def word_grams(text: str, low: int = WORDS[0], high: int = WORDS[1]) -> list[str]:
    """scikit-learn's word analyzer with our token pattern and n-gram range."""
    tokens = _WORD.findall(text.lower())
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


ANALYZERS = {"chars": char_grams, "words": word_grams}


def _features() -> FeatureUnion:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=CHARS, sublinear_tf=True),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=WORDS,
                    token_pattern=_WORD.pattern,
                    sublinear_tf=True,
                ),
            ),
        ]
    )


def _classifier() -> LinearSVC:
    """A linear SVM (one against the rest) trains in seconds where a multinomial logistic
    regression took a minute on the same features; the softmax over its scores with a fitted
    temperature gives the probabilities."""
    from sklearn.svm import LinearSVC

    return LinearSVC(C=0.5)


def _binary() -> LinearSVC:
    """Crisis against everything else; crises are few, so their errors weigh more."""
    from sklearn.svm import LinearSVC

    return LinearSVC(C=1.0, class_weight="balanced")


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that makes held-out probabilities most likely (a 1-D search)."""
    best, best_loss = 1.0, float("inf")
    for temperature in np.geomspace(0.01, 5.0, 90):
        probabilities = _softmax(scores, float(temperature))
        loss = -np.log(probabilities[np.arange(len(truth)), truth] + 1e-12).mean()
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


@dataclass
class _Part:
    analyzer: str  # a key of ANALYZERS
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int


class _Scorer:
    """The trained model as plain arrays and dictionaries: one message is scored by looking up
    its n-grams and summing their weights. No scikit-learn per call (a parse must take well
    under 5 ms) and none at all to load and answer, so serving needs only NumPy."""

    def __init__(self, features: FeatureUnion, model: LinearSVC) -> None:
        self.parts: list[_Part] = []
        offset = 0
        for name, vectorizer in features.transformer_list:
            vocabulary = {str(term): int(i) for term, i in vectorizer.vocabulary_.items()}
            self.parts.append(_Part(name, vocabulary, vectorizer.idf_.copy(), offset))
            offset += len(vocabulary)
        self.coef = np.ascontiguousarray(model.coef_.T, dtype=np.float32)  # features × classes
        self.intercept = model.intercept_.astype(np.float32)

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The message's TF-IDF features: their column numbers and (l2-normed) weights."""
        indices: list[int] = []
        weights: list[float] = []
        for part in self.parts:
            counts: dict[int, int] = {}
            for term in ANALYZERS[part.analyzer](text):
                index = part.vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            found = np.fromiter(counts, dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * part.idf[
                found
            ]
            values /= np.sqrt((values**2).sum())
            indices.extend((found + part.offset).tolist())
            weights.extend(values.tolist())
        return np.asarray(indices, dtype=np.int64), np.asarray(weights, dtype=np.float32)

    def scores(self, text: str) -> np.ndarray:
        indices, weights = self.vector(text)
        if not len(indices):
            return self.intercept.astype(np.float64)
        return weights @ self.coef[indices] + self.intercept

    def known_words(self, text: str) -> int:
        """How many of the message's words (of two letters or more) training has seen."""
        words = next(p for p in self.parts if p.analyzer == "words").vocabulary
        return sum(
            1
            for token in _WORD.findall(text.lower())
            if sum(c.isalpha() for c in token) >= 2 and token in words
        )


@dataclass
class BuiltinEngine:
    scorer: _Scorer
    classes: list[str]
    temperature: float
    trigrams: frozenset[str]  # character 3-grams seen in training: to notice unknown languages
    trained_s: float = 0.0
    name: str = field(default="builtin")
    crisis: CrisisModel | None = None  # the binary crisis model beside the intents
    thresholds: dict[str, float] = field(default_factory=dict)  # content intents' own

    @classmethod
    def train(cls, examples: list[data.Example], calibrate: bool = True) -> BuiltinEngine:
        started = time.perf_counter()
        texts = [normalise(e.text) for e in examples]
        labels = np.array([e.intent for e in examples])
        langs = np.array([e.lang for e in examples])
        truth = labels == CRISIS
        thresholds: dict[str, float] = {}
        temperature, held_out, intents = 1.0, None, np.zeros(len(texts))
        if calibrate:
            temperature, held_out, intents, thresholds = cls._calibration(texts, labels, langs)
        features = _features()
        matrix = features.fit_transform(texts)
        model = _classifier().fit(matrix, labels)
        trigrams = frozenset(gram for text in texts for gram in _trigrams(text))
        engine = cls(
            _Scorer(features, model),
            [str(c) for c in model.classes_],
            temperature,
            trigrams,
            thresholds=thresholds,
        )
        if truth.any() and not truth.all():
            binary = _binary().fit(matrix, truth)
            sure: dict[str, float] = {}
            ask: dict[str, float] = {}
            slope, offset = 1.0, 0.0
            if held_out is not None:
                slope, offset = platt(held_out, truth)
                own = 1.0 / (1.0 + np.exp(-(slope * held_out + offset)))
                sure, ask = choose_thresholds((1 - BLEND) * own + BLEND * intents, truth, langs)
            engine.crisis = CrisisModel(
                np.ascontiguousarray(binary.coef_[0], dtype=np.float32),
                float(binary.intercept_[0]),
                slope,
                offset,
                sure,
                ask,
                BLEND if held_out is not None else 0.0,
            )
        engine.trained_s = time.perf_counter() - started
        return engine

    @staticmethod
    def _calibration(
        texts: list[str], labels: np.ndarray, langs: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, dict[str, float]]:
        """From three folds: the temperature of the intents, every example's crisis score from
        a binary model and its crisis probability from an intent model that did not see it (to
        scale, blend and choose thresholds), and the content intents' own thresholds."""
        from sklearn.model_selection import StratifiedKFold

        truth = labels == CRISIS
        strata = np.array([f"{lang}:{label}" for lang, label in zip(langs, labels, strict=True)])
        counts = dict(zip(*np.unique(strata, return_counts=True), strict=True))
        strata = np.array(
            [s if counts[s] >= 3 else str(s).split(":", 1)[1] for s in strata.tolist()]
        )
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=3)
        classes = sorted(set(labels.tolist()))
        column = {label: n for n, label in enumerate(classes)}
        raw = np.full((len(texts), len(classes)), -1e3)  # a class a fold lacks: never likely
        held_out = np.zeros(len(texts))
        for train, held in folds.split(texts, strata):
            features = _features()
            matrix = features.fit_transform([texts[i] for i in train])
            model = _classifier().fit(matrix, labels[train])
            unseen = features.transform([texts[i] for i in held])
            columns = [column[str(label)] for label in model.classes_]
            raw[np.ix_(held, columns)] = model.decision_function(unseen)
            if truth[train].any() and not truth[train].all():
                held_out[held] = _binary().fit(matrix, truth[train]).decision_function(unseen)
        truth_index = np.array([column[str(label)] for label in labels])
        temperature = _fit_temperature(raw, truth_index)
        probabilities = _softmax(raw, temperature)
        thresholds = intent_thresholds(probabilities, truth_index, classes)
        intents = probabilities[:, column[CRISIS]] if CRISIS in column else np.zeros(len(texts))
        return temperature, held_out, intents, thresholds

    def coverage(self, text: str) -> float:
        """The share of a message's character 3-grams seen in training (1.0 for very short)."""
        grams = _trigrams(normalise(text))
        if len(grams) < 3:
            return 1.0
        return sum(1 for gram in grams if gram in self.trigrams) / len(grams)

    def known_words(self, text: str) -> int:
        """How many of a message's words the engine has seen in training."""
        return self.scorer.known_words(normalise(text))

    def crisis_probability(self, text: str) -> tuple[float, int]:
        """The crisis model's probability for a message, and how many of its words it knows."""
        clean = normalise(text)
        if self.crisis is None:
            return 0.0, 0
        indices, weights = self.scorer.vector(clean)
        intents = 0.0
        if self.crisis.blend and CRISIS in self.classes:
            scores = self.scorer.intercept.astype(np.float64)
            if len(indices):
                scores = weights @ self.scorer.coef[indices] + scores
            crisis = self.classes.index(CRISIS)
            intents = float(_softmax(scores[None, :], self.temperature)[0, crisis])
        return self.crisis.probability(indices, weights, intents), self.scorer.known_words(clean)

    def parse(self, text: str, lang: str | None = None) -> dict[str, Any]:
        """Rasa's /model/parse shape: intent, intent_ranking (ten), entities, text."""
        clean = normalise(text)
        scores = self.scorer.scores(clean).astype(np.float64)
        probabilities = _softmax(scores[None, :], self.temperature)[0]
        order = np.argsort(-probabilities)[:10]
        ranking = [
            {"name": self.classes[i], "confidence": round(float(probabilities[i]), 4)}
            for i in order
        ]
        return {
            "text": text,
            "intent": ranking[0],
            "intent_ranking": ranking,
            "entities": extract(clean, ranking[0]["name"]),
        }


def intent_thresholds(
    probabilities: np.ndarray, truth: np.ndarray, classes: list[str]
) -> dict[str, float]:
    """Per content intent, from held-out predictions: the lowest confidence (from THRESHOLD
    up) at which its answers are right at least PRECISION of the time. A wrong answer about
    money is worse than "I asked your coach"."""
    best = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    found: dict[str, float] = {}
    for intent in data.CONTENT_INTENTS:
        if intent not in classes:
            continue
        mine = best == classes.index(intent)
        right = truth[mine] == classes.index(intent)
        sure = confidence[mine]
        for cut in np.arange(THRESHOLD, 0.99, 0.01):
            given = sure >= cut
            if not given.any() or right[given].mean() >= PRECISION:
                found[intent] = round(float(cut), 2)
                break
        else:
            found[intent] = 0.99
    return found


def _trigrams(text: str) -> list[str]:
    return [
        word[i : i + 3]
        for word in text.split()
        if any(char.isalpha() for char in word)
        for i in range(max(1, len(word) - 2))
    ]


def data_files() -> list[Path]:
    return data.files()


def load_or_train(cache: Path) -> BuiltinEngine:
    """The cached model for the current data, or a new one (then cached)."""
    key = data.fingerprint(*data_files()) + "-" + VERSION
    path = cache / f"builtin-{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                engine = pickle.load(handle)
            if isinstance(engine, BuiltinEngine):
                return engine
        except (OSError, pickle.UnpicklingError, AttributeError, EOFError):
            log.warning("NLU cache %s unreadable; training again", path)
    engine = BuiltinEngine.train(data.training())
    log.info("NLU trained in %.1f s", engine.trained_s)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump(engine, handle)
        temporary.replace(path)
    except OSError as error:
        log.warning("NLU model not cached: %s", error)
    return engine
