"""The built-in engine: in-process, no server. Character n-grams (2–5, within words) and word
uni- and bigrams, TF-IDF weighted, into a linear classifier trained on all five languages
together (participants mix them). Character n-grams suit Ge'ez script, Arabizi and
agglutinative Somali, where whole words rarely repeat. Its probabilities are scaled by one
temperature fitted on held-out predictions, so that a confidence of 0.6 is right about six
times in ten. The model is cached on disk under the hash of the data it was trained on."""

from __future__ import annotations

import logging
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from nlu import data
from nlu.entities import extract
from nlu.normalise import normalise

log = logging.getLogger("wegwijzer.nlu")
VERSION = "2"  # bump when the features or the model change: the cache key includes it


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    token_pattern=r"(?u)\b\w+\b",
                    sublinear_tf=True,
                ),
            ),
        ]
    )


def _classifier() -> LinearSVC:
    """A linear SVM (one against the rest) trains in seconds where a multinomial logistic
    regression took a minute on the same features; the softmax over its scores with a fitted
    temperature gives the probabilities."""
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


class _Scorer:
    """The trained model as plain arrays: one message is scored by looking up its n-grams and
    summing their weights, without the per-call overhead of scikit-learn's pipeline (a parse
    must take well under 5 ms)."""

    def __init__(self, features: FeatureUnion, model: LinearSVC) -> None:
        self.parts = []
        offset = 0
        for _name, vectorizer in features.transformer_list:
            vocabulary = vectorizer.vocabulary_
            self.parts.append((vectorizer.build_analyzer(), vocabulary, vectorizer.idf_, offset))
            offset += len(vocabulary)
        self.coef = np.ascontiguousarray(model.coef_.T, dtype=np.float32)  # features × classes
        self.intercept = model.intercept_.astype(np.float32)

    def scores(self, text: str) -> np.ndarray:
        indices: list[int] = []
        weights: list[float] = []
        for analyzer, vocabulary, idf, offset in self.parts:
            counts: dict[int, int] = {}
            for term in analyzer(text):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            part = np.fromiter(counts, dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[part]
            values /= np.sqrt((values**2).sum())
            indices.extend((part + offset).tolist())
            weights.extend(values.tolist())
        if not indices:
            return self.intercept.astype(np.float64)
        rows = self.coef[np.asarray(indices)]
        return np.asarray(weights, dtype=np.float32) @ rows + self.intercept


@dataclass
class BuiltinEngine:
    features: FeatureUnion
    model: LinearSVC
    temperature: float
    trigrams: frozenset[str]  # character 3-grams seen in training: to notice unknown languages
    trained_s: float = 0.0
    name: str = "builtin"

    def __post_init__(self) -> None:
        self.scorer = _Scorer(self.features, self.model)
        self.classes = [str(c) for c in self.model.classes_]

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("scorer", "classes")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

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
        return cls(features, model, temperature, trigrams, time.perf_counter() - started)

    @staticmethod
    def _calibration(texts: list[str], labels: np.ndarray) -> float:
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
