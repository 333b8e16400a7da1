"""`wegwijzer nlu evaluate`: how well the engine understands, by cross-validation per language
or on a separate test file (same YAML format); prints the figures and ends with one JSON line.
`wegwijzer nlu review`: the real questions coaches marked with an intent, as Rasa NLU YAML per
language, to be read and merged into the training data, so the data grows from real questions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.runtime import Runtime
from bot.services.coaching import training
from bot.settings import Settings
from nlu import data
from nlu.builtin import BuiltinEngine, load_or_train
from nlu.evaluate import cross_validate, score, summary
from nlu.normalise import normalise
from nlu.rasa import RasaEngine


def _language(path: Path, given: str | None) -> str | None:
    """The test file's language: given with --lang, or its name or folder says it."""
    for candidate in (given, path.stem, path.parent.name):
        if candidate in data.LANGUAGES:
            return candidate
    return None


def _engine(settings: Settings, name: str) -> Any:
    """The engine to evaluate: the built-in one, or Rasa with it as its fallback."""
    builtin = load_or_train(Path(settings.nlu_cache))
    if name == "rasa":
        return RasaEngine(settings.rasa_url, builtin, timeout=settings.rasa_timeout)
    return builtin


def _print(name: str, figures: dict[str, Any]) -> None:
    """The figures of one language (or all) in a few lines."""
    weakest = ", ".join(f"{w['intent']} {w['f1']:.2f}" for w in figures["weakest"])
    confused = ", ".join(f"{'/'.join(c['pair'])} ×{c['count']}" for c in figures["confused"][:4])
    print(
        f"{name}: n {figures['n']}, accuracy {figures['accuracy']:.3f}, macro-F1 "
        f"{figures['macro_f1']:.3f}, ECE {figures['ece']}\n"
        f"  crisis_recall {figures['crisis_recall']} (classifier alone "
        f"{figures['crisis_recall_classifier']}, with the safety question "
        f"{figures['crisis_recall_asked']}), false_crisis {figures['false_crisis']} "
        f"({figures['false_crisis_rate']:.2%}), safety question asked {figures['safety_asked']}\n"
        f"  wrong_answers {figures['wrong_answers']:.2%}, content questions answered right "
        f"{figures['content_right']} ({figures['content_right_with_choice']} with a choice)"
    )
    print(f"  weakest: {weakest}")
    print(f"  confused: {confused}")


def evaluate_command(settings: Settings, args: argparse.Namespace) -> int:
    """`nlu evaluate`: on a test file (--test), or by cross-validation per language."""
    if args.test:
        path = Path(args.test)
        lang = _language(path, args.lang)
        if lang is None:
            print("wegwijzer: name the language with --lang (nl ar ti so en)", file=sys.stderr)
            return 2
        try:
            examples = data.read(path, lang)
        except (OSError, ValueError) as error:
            print(f"wegwijzer: {error}", file=sys.stderr)
            return 2
        engine = _engine(settings, args.engine)
        figures = summary(score(engine, examples))
        _print(f"{path.name} ({lang}, {args.engine})", figures)
        if getattr(engine, "fallbacks", 0):  # the built-in engine answered: not Rasa's figures
            print(
                f"wegwijzer: Rasa at {settings.rasa_url} did not answer {engine.fallbacks} times",
                file=sys.stderr,
            )
            return 1
        result = {"file": str(path), "lang": lang, "engine": args.engine, **figures}
    else:
        if args.engine != "builtin":
            print(
                "wegwijzer: cross-validation trains an engine per fold; for Rasa that is "
                "bench/nlu.py. Here, use --test FILE with --engine rasa.",
                file=sys.stderr,
            )
            return 2
        languages = [args.lang] if args.lang else None
        report = cross_validate(
            data.training(), lambda ex: BuiltinEngine.train(ex), args.folds, languages=languages
        )
        for lang, figures in report["languages"].items():
            _print(lang, figures)
        _print("all", report["all"])
        out = Path(args.report)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"report: {out}")
        result = {
            "engine": "builtin",
            "folds": args.folds,
            **{
                k: v
                for k, v in report["all"].items()
                if k
                in (
                    "n",
                    "accuracy",
                    "macro_f1",
                    "crisis_recall",
                    "false_crisis",
                    "wrong_answers",
                    "content_right",
                )
            },
            "per_language": {
                lang: {
                    k: f[k]
                    for k in (
                        "macro_f1",
                        "crisis_recall",
                        "false_crisis",
                        "wrong_answers",
                        "content_right",
                    )
                }
                for lang, f in report["languages"].items()
            },
        }
    print(json.dumps(result, ensure_ascii=False))
    return 0


REVIEW_NOTE = """Real questions that coaches marked with their intent ({count}, {lang}).
Read every line before merging: remove names, numbers and anything personal, and any line
whose intent is wrong. `wegwijzer nlu review --merge` adds them to nlu/data/{lang}/review.yml."""


def review_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """Write (or merge) the marked questions, leaving out those already in the training data."""
    rows = training.marked_questions(runtime.db, args.org)
    if rows is None:
        print(f"wegwijzer: no organisation {args.org!r}", file=sys.stderr)
        return 2
    known = {normalise(e.text) for e in data.training(data.DATA)}
    per_language: dict[str, list[data.Example]] = {}
    seen: set[str] = set()
    for lang, intent, text in rows:
        clean = " ".join(text.split())
        if lang not in data.LANGUAGES or not clean or normalise(clean) in known | seen:
            continue
        seen.add(normalise(clean))
        per_language.setdefault(lang, []).append(data.Example(clean, str(intent), lang))
    counts = {}
    for lang, examples in sorted(per_language.items()):
        if args.merge:
            path = data.DATA / lang / "review.yml"
            if path.exists():
                examples = data.read(path, lang) + examples
        else:
            path = Path(args.out) / f"{lang}.yml"
        data.write(path, examples, REVIEW_NOTE.format(count=len(examples), lang=lang))
        counts[lang] = len(examples)
        print(f"{lang}: {len(examples)} questions → {path}")
    if not counts:
        print("no marked questions that the training data does not have yet")
    print(json.dumps({"review": counts, "merged": bool(args.merge)}, ensure_ascii=False))
    return 0
