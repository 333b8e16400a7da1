"""Evaluation you can trust: stratified cross-validation per language (each fold trained on the
other languages' data and this language's other folds, as the engine is trained in production),
or a separate test file the engine never saw. Reports accuracy and macro-F1; crisis recall on its
own (with the lexicon, of the classifier alone, and with the "are you safe?" question) and false
crises; `wrong_answers`, the share of all messages that got a content answer (money, trajectory,
courses) for the wrong intent, and how many content questions were answered right; the most
confused pairs, the five weakest intents, and calibration."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from nlu.data import CONTENT_INTENTS, Example
from nlu.understand import THRESHOLD, Engine, interpret

Train = Callable[[list[Example]], Engine]


def score(
    engine: Engine, examples: list[Example], threshold: float = THRESHOLD
) -> list[dict[str, Any]]:
    """One row per example: truth, the engine's top intent and confidence, and the decision."""
    rows = []
    for example in examples:
        parsed = engine.parse(example.text, example.lang)
        decided = interpret(engine, example.text, example.lang, threshold)
        rows.append(
            {
                "text": example.text,
                "lang": example.lang,
                "truth": example.intent,
                "predicted": parsed["intent"]["name"],
                "confidence": float(parsed["intent"]["confidence"]),
                "decided": decided.intent,
                "crisis": decided.crisis,
                "maybe_crisis": decided.maybe_crisis,
                "choices": list(decided.choices),
            }
        )
    return rows


def summary(rows: list[dict[str, Any]], threshold: float = THRESHOLD) -> dict[str, Any]:
    truth = [r["truth"] for r in rows]
    predicted = [r["predicted"] for r in rows]
    labels = sorted(set(truth))
    per_intent = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    crisis = [r for r in rows if r["truth"] == "crisis"]
    ordinary = [r for r in rows if r["truth"] != "crisis"]
    content = [r for r in rows if r["truth"] in CONTENT_INTENTS]
    wrong = [r for r in rows if r["predicted"] != r["truth"]]
    pairs = Counter(tuple(sorted((r["truth"], r["predicted"]))) for r in wrong).most_common(8)
    given = [r for r in rows if r["decided"] is not None]
    return {
        "n": len(rows),
        "accuracy": round(float(accuracy_score(truth, predicted)), 3),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 3
        ),
        "crisis_recall": round(sum(r["crisis"] for r in crisis) / len(crisis), 3)
        if crisis
        else None,
        "crisis_recall_classifier": round(
            sum(r["predicted"] == "crisis" for r in crisis) / len(crisis), 3
        )
        if crisis
        else None,
        "crisis_recall_asked": round(
            sum(r["crisis"] or r.get("maybe_crisis", False) for r in crisis) / len(crisis), 3
        )
        if crisis
        else None,
        "false_crisis": sum(r["crisis"] and r["truth"] != "crisis" for r in rows),
        "false_crisis_rate": round(
            sum(r["crisis"] for r in ordinary) / len(ordinary), 4
        )
        if ordinary
        else 0.0,
        "safety_asked": sum(r.get("maybe_crisis", False) for r in ordinary),
        "wrong_answers": round(
            sum(r["decided"] in CONTENT_INTENTS and r["decided"] != r["truth"] for r in rows)
            / len(rows),
            4,
        )
        if rows
        else 0.0,
        "content_right": round(sum(r["decided"] == r["truth"] for r in content) / len(content), 3)
        if content
        else None,
        "content_right_with_choice": round(
            sum(r["decided"] == r["truth"] or r["truth"] in r.get("choices", []) for r in content)
            / len(content),
            3,
        )
        if content
        else None,
        "weakest": [
            {"intent": labels[i], "f1": round(float(per_intent[i]), 3)}
            for i in np.argsort(per_intent)[:5]
        ],
        "confused": [{"pair": list(pair), "count": n} for pair, n in pairs],
        "wrong_above_threshold": round(
            sum(r["confidence"] >= threshold for r in wrong) / len(wrong), 3
        )
        if wrong
        else 0.0,
        "answered": round(len(given) / len(rows), 3) if rows else 0.0,
        "answered_right": round(sum(r["decided"] == r["truth"] for r in given) / len(given), 3)
        if given
        else None,
        "ece": expected_calibration_error(rows),
    }


def expected_calibration_error(rows: list[dict[str, Any]], bins: int = 10) -> float:
    """How far confidence is from accuracy, averaged over ten confidence bins (0 is perfect)."""
    total, error = len(rows), 0.0
    for low in np.linspace(0, 1, bins, endpoint=False):
        inside = [r for r in rows if low < r["confidence"] <= low + 1 / bins]
        if inside:
            accuracy = sum(r["predicted"] == r["truth"] for r in inside) / len(inside)
            confidence = sum(r["confidence"] for r in inside) / len(inside)
            error += len(inside) / total * abs(accuracy - confidence)
    return round(error, 3)


def cross_validate(
    examples: list[Example],
    train: Train,
    folds: int = 4,
    seed: int = 7,
    languages: list[str] | None = None,
) -> dict[str, Any]:
    """Per language: k stratified folds of its examples; each fold's engine is trained on the
    rest of that language and all of the other languages."""
    report: dict[str, Any] = {"folds": folds, "languages": {}}
    every: list[dict[str, Any]] = []
    for lang in languages or sorted({e.lang for e in examples}):
        mine = [e for e in examples if e.lang == lang]
        others = [e for e in examples if e.lang != lang]
        labels = [e.intent for e in mine]
        rows: list[dict[str, Any]] = []
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train_index, test_index in splitter.split(mine, labels):
            engine = train(others + [mine[i] for i in train_index])
            rows += score(engine, [mine[i] for i in test_index])
        report["languages"][lang] = summary(rows)
        every += rows
    report["all"] = summary(every)
    report["rows"] = every
    return report


def shared_folds(
    examples: list[Example], folds: int = 4, seed: int = 7
) -> list[tuple[list[Example], list[Example]]]:
    """The same k folds for every engine, across all languages at once: fold i holds out fold
    i of each language (split as `cross_validate` splits it) and trains on everything else.
    An engine that is slow to train (Rasa) then trains k times instead of k per language."""
    held: list[list[Example]] = [[] for _ in range(folds)]
    for lang in sorted({e.lang for e in examples}):
        mine = [e for e in examples if e.lang == lang]
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for number, (_train, test) in enumerate(splitter.split(mine, [e.intent for e in mine])):
            held[number] += [mine[i] for i in test]
    result = []
    for test in held:
        out = {id(e) for e in test}
        result.append(([e for e in examples if id(e) not in out], test))
    return result


def report_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per language and for all: the summary of scored rows."""
    return {
        "languages": {
            lang: summary([r for r in rows if r["lang"] == lang])
            for lang in sorted({r["lang"] for r in rows})
        },
        "all": summary(rows),
    }
