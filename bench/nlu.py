"""The NLU engines side by side on the same folds: training time for all five languages, parse
latency p50/p99, memory, cross-validated accuracy and macro-F1 per language, crisis recall, and
how often a wrong answer was confident enough to be given.

The Rasa side needs a Rasa 3.6 environment (`RASA_BIN`, see nlu/rasa/); without one it is
reported as not run. The last line is JSON.
Usage: python -m bench.nlu [--folds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from nlu import data
from nlu.builtin import BuiltinEngine
from nlu.evaluate import cross_validate
from nlu.understand import THRESHOLD


def builtin_figures(examples: list[data.Example], folds: int) -> dict[str, Any]:
    # Memory and training time in a fresh process, so the cross-validation's models don't count.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource,time,json;from nlu import data;from nlu.builtin import BuiltinEngine;"
            "b=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024;t=time.perf_counter();"
            "e=BuiltinEngine.train(data.training());s=time.perf_counter()-t;"
            "a=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024;"
            "print(json.dumps({'train_s':s,'peak_mb':a,'before_mb':b}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(probe.stdout.strip().splitlines()[-1])
    engine = BuiltinEngine.train(examples)
    latencies = []
    for example in examples:
        started = time.perf_counter()
        engine.parse(example.text, example.lang)
        latencies.append(time.perf_counter() - started)
    cuts = statistics.quantiles(latencies, n=100)
    report = cross_validate(examples, BuiltinEngine.train, folds)
    return {
        "train_s": round(measured["train_s"], 2),
        "peak_mb": round(measured["peak_mb"], 1),
        "parse_p50_ms": round(cuts[49] * 1000, 3),
        "parse_p99_ms": round(cuts[98] * 1000, 3),
        "macro_f1": {lang: f["macro_f1"] for lang, f in report["languages"].items()},
        "accuracy": {lang: f["accuracy"] for lang, f in report["languages"].items()},
        "crisis_recall": report["all"]["crisis_recall"],
        "crisis_recall_classifier": report["all"]["crisis_recall_classifier"],
        "wrong_above_threshold": report["all"]["wrong_above_threshold"],
        "ece": report["all"]["ece"],
        "weakest": report["all"]["weakest"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=4)
    args = parser.parse_args()
    examples = data.training()
    started = time.perf_counter()
    builtin = builtin_figures(examples, args.folds)
    rasa = None if not os.environ.get("RASA_BIN") else "see bench.nlu_rasa"
    print(
        f"built-in: {len(examples)} examples, trained in {builtin['train_s']} s, parse p50 "
        f"{builtin['parse_p50_ms']} ms p99 {builtin['parse_p99_ms']} ms, peak "
        f"{builtin['peak_mb']} MB; macro-F1 {builtin['macro_f1']}; crisis recall "
        f"{builtin['crisis_recall']} (classifier alone {builtin['crisis_recall_classifier']}); "
        f"wrong answers above {THRESHOLD}: {builtin['wrong_above_threshold']:.1%}; "
        f"ECE {builtin['ece']} ({time.perf_counter() - started:.0f} s in all)"
    )
    print("rasa: not run (no Rasa environment on this machine yet)" if rasa is None else rasa)
    print(
        json.dumps(
            {
                "bench": "nlu",
                "engine": "builtin",
                "examples": len(examples),
                "folds": args.folds,
                **builtin,
                "rasa": rasa,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
