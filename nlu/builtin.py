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
from nlu.entities import extract
from nlu.normalise import normalise

if TYPE_CHECKING:  # scikit-learn is needed to train, not to answer (it alone costs ~95 MB)
    from sklearn.pipeline import FeatureUnion
    from sklearn.svm import LinearSVC

log = logging.getLogger("wegwijzer.nlu")
VERSION = "3"  # bump when the features or the model change: the cache key includes it

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

    def scores(self, text: str) -> np.ndarray:
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
        if not indices:
            return self.intercept.astype(np.float64)
        rows = self.coef[np.asarray(indices)]
        return np.asarray(weights, dtype=np.float32) @ rows + self.intercept


@dataclass
class BuiltinEngine:
    scorer: _Scorer
    classes: list[str]
    temperature: float
    trigrams: frozenset[str]  # character 3-grams seen in training: to notice unknown languages
    trained_s: float = 0.0
    name: str = field(default="builtin")

    @classmethod
    def train(cls, examples: list[data.Example], calibrate: bool = True) -> BuiltinEngine:
        started = time.perf_counter()
        texts = [normalise(e.text) for e in examples]
        labels = np.array([e.intent for e in examples])
        temperature = 1.0
        if calibrate:
            temperature = cls._calibration(texts, labels)
        features = _features()
        matrix = features.fit_transform(texts)
        model = _classifier().fit(matrix, labels)
        trigrams = frozenset(gram for text in texts for gram in _trigrams(text))
        return cls(
            _Scorer(features, model),
            [str(c) for c in model.classes_],
            temperature,
            trigrams,
            time.perf_counter() - started,
        )

    @staticmethod
    def _calibration(texts: list[str], labels: np.ndarray) -> float:
        from sklearn.model_selection import StratifiedKFold

        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=3)
        scores, truth = [], []
        for train, held in folds.split(texts, labels):
            features = _features()
            model = _classifier().fit(
                features.fit_transform([texts[i] for i in train]), labels[train]
            )
            raw = model.decision_function(features.transform([texts[i] for i in held]))
            index = {label: n for n, label in enumerate(model.classes_)}
            keep = [k for k, i in enumerate(held) if labels[i] in index]
            scores.append(raw[keep])
            truth.append(np.array([index[labels[held[k]]] for k in keep]))
        return _fit_temperature(np.vstack(scores), np.concatenate(truth))

    def coverage(self, text: str) -> float:
        """The share of a message's character 3-grams seen in training (1.0 for very short)."""
        grams = _trigrams(normalise(text))
        if len(grams) < 3:
            return 1.0
        return sum(1 for gram in grams if gram in self.trigrams) / len(grams)

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
