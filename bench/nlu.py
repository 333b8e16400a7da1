"""The NLU engines side by side on the same folds: training time for all five languages, parse
latency p50/p99, memory, cross-validated accuracy and macro-F1 per language, crisis recall and
false crises (the crisis model is the built-in one for both), `wrong_answers` (the share of all
messages given a content answer for the wrong intent), and calibration (ECE).

Both engines are judged on the same k folds across all languages (nlu.evaluate.shared_folds):
fold i holds out fold i of every language. The Rasa side needs Rasa's own environment
(nlu/rasa-server/setup.sh; RASA_BIN, default .rasa-venv/bin/rasa); without it the Rasa side is null.
It trains Rasa k + 1 times (minutes each). Memory: `peak_mb` is the resident peak of the process
that answers (the built-in engine loaded from its cache, as the bot starts; the Rasa server with
its model), `train_peak_mb` that of training. The last line is JSON; its top-level figures are
the built-in engine's, "rasa" holds the same keys for Rasa.
Usage: python -m bench.nlu [--folds N] [--no-rasa]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from nlu import data
from nlu.builtin import BuiltinEngine
from nlu.evaluate import report_of, score, shared_folds
from nlu.rasa import RasaEngine
from nlu.understand import THRESHOLD

ROOT = Path(__file__).resolve().parents[1]


def figures(report: dict[str, Any]) -> dict[str, Any]:
    every = report["all"]
    return {
        "macro_f1": {lang: f["macro_f1"] for lang, f in report["languages"].items()},
        "accuracy": {lang: f["accuracy"] for lang, f in report["languages"].items()},
        "crisis_recall": every["crisis_recall"],
        "crisis_recall_classifier": every["crisis_recall_classifier"],
        "crisis_recall_asked": every["crisis_recall_asked"],
        "false_crisis": every["false_crisis"],
        "false_crisis_rate": every["false_crisis_rate"],
        "wrong_answers": every["wrong_answers"],
        "content_right": every["content_right"],
        "per_language": {
            lang: {
                key: f[key]
                for key in ("crisis_recall", "false_crisis", "wrong_answers", "content_right")
            }
            for lang, f in report["languages"].items()
        },
        "wrong_above_threshold": every["wrong_above_threshold"],
        "ece": every["ece"],
        "weakest": every["weakest"],
    }


def quantiles(latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return {"parse_p50_ms": round(cuts[49] * 1000, 3), "parse_p99_ms": round(cuts[98] * 1000, 3)}


# VmHWM: the peak resident size of this process's own memory (ru_maxrss would carry over the
# parent's across fork and exec).
_HWM = "int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024"
_TRAIN_PROBE = """
import json, sys, time
from pathlib import Path
from nlu.builtin import load_or_train
started = time.perf_counter()
load_or_train(Path(sys.argv[1]))
print(json.dumps({"train_s": time.perf_counter() - started,
                  "train_peak_mb": HWM}))
""".replace("HWM", _HWM)
_SERVE_PROBE = """
import json, sys
from pathlib import Path
from nlu import data
from nlu.builtin import load_or_train
engine = load_or_train(Path(sys.argv[1]))
for example in data.training():
    engine.parse(example.text, example.lang)
print(json.dumps({"peak_mb": HWM, "sklearn_loaded": "sklearn" in sys.modules}))
""".replace("HWM", _HWM)


def _probe(code: str, cache: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, cache], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def builtin_figures(examples: list[data.Example], folds: int) -> dict[str, Any]:
    # Training and serving each in a fresh process, as the bot does it (train once into the
    # cache; every start loads the cache and answers), so the cross-validation doesn't count.
    with tempfile.TemporaryDirectory(prefix="bench-builtin-") as cache:
        trained = _probe(_TRAIN_PROBE, cache)
        served = _probe(_SERVE_PROBE, cache)
    engine = BuiltinEngine.train(examples)
    latencies = []
    for example in examples:
        started = time.perf_counter()
        engine.parse(example.text, example.lang)
        latencies.append(time.perf_counter() - started)
    rows: list[dict[str, Any]] = []
    for train, test in shared_folds(examples, folds):
        rows += score(BuiltinEngine.train(train), test)
    return {
        "train_s": round(trained["train_s"], 2),
        "peak_mb": round(served["peak_mb"], 1),
        "train_peak_mb": round(trained["train_peak_mb"], 1),
        "sklearn_loaded_to_serve": served["sklearn_loaded"],
        **quantiles(latencies),
        **figures(report_of(rows)),
    }


# ---- Rasa: its own environment, trained and served as in production ----------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Rasa's server forks none, but be safe)."""
    total = 0
    for line in subprocess.run(
        ["ps", "-o", "pid=,ppid=,rss=", "-e"], capture_output=True, text=True, check=True
    ).stdout.splitlines():
        p, parent, rss = (int(x) for x in line.split())
        if pid in (p, parent):
            total += rss
    return total / 1024


class RasaRun:
    """Train a model on some examples and serve it on a free port, in Rasa's environment."""

    def __init__(self, rasa: Path, folder: Path) -> None:
        self.rasa, self.folder = rasa, folder
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}

    def train(self, examples: list[data.Example], name: str) -> tuple[Path, float]:
        nlu = self.folder / name / "data"
        for lang in sorted({e.lang for e in examples}):
            data.write(nlu / lang / "nlu.yml", [e for e in examples if e.lang == lang])
        started = time.perf_counter()
        subprocess.run(
            [
                str(self.rasa), "train", "nlu", "--nlu", str(nlu),
                "--config", str(ROOT / "nlu" / "config.yml"),
                "--domain", str(ROOT / "nlu" / "domain.yml"),
                "--out", str(self.folder / "models"), "--fixed-model-name", name,
            ],
            cwd=self.folder, env=self.env, check=True, capture_output=True,
        )  # fmt: skip
        return self.folder / "models" / f"{name}.tar.gz", time.perf_counter() - started

    def serve(self, model: Path) -> tuple[subprocess.Popen[bytes], str, float]:
        port = _free_port()
        started = time.perf_counter()
        server = subprocess.Popen(
            [
                str(self.rasa), "run", "--enable-api", "-m", str(model),
                "-i", "127.0.0.1", "-p", str(port),
            ],
            cwd=self.folder, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        while time.perf_counter() - started < 300:
            try:
                if httpx.get(f"{url}/status", timeout=2).json().get("model_file"):
                    return server, url, time.perf_counter() - started
            except (httpx.HTTPError, ValueError):
                pass
            if server.poll() is not None:
                raise RuntimeError("the Rasa server stopped while starting")
            time.sleep(0.5)
        server.kill()
        raise RuntimeError("the Rasa server was not ready in 300 s")


def rasa_figures(examples: list[data.Example], folds: int, rasa: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-rasa-") as folder:
        run = RasaRun(rasa, Path(folder))
        model, train_s = run.train(examples, "all")
        # The largest child so far: Rasa's training (the built-in probes before it are smaller).
        train_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        server, url, ready_s = run.serve(model)
        try:
            client = httpx.Client(timeout=10)
            latencies = []
            for example in examples[::5]:
                started = time.perf_counter()
                client.post(f"{url}/model/parse", json={"text": example.text}).raise_for_status()
                latencies.append(time.perf_counter() - started)
            resident = _rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
        rows: list[dict[str, Any]] = []
        fallbacks = 0
        for number, (train, test) in enumerate(shared_folds(examples, folds)):
            fold_model, _ = run.train(train, f"fold{number}")
            server, url, _ = run.serve(fold_model)
            try:
                # The built-in engine of the same fold only judges coverage (text we cannot
                # judge); a fallback to it would blur the comparison, so it is counted.
                engine = RasaEngine(url, BuiltinEngine.train(train), timeout=10)
                rows += score(engine, test)
                fallbacks += engine.fallbacks
            finally:
                server.terminate()
                server.wait(30)
    return {
        "train_s": round(train_s, 1),
        "ready_s": round(ready_s, 1),
        "peak_mb": round(resident, 1),
        "train_peak_mb": round(train_peak, 1),
        **quantiles(latencies),
        **figures(report_of(rows)),
        "fallbacks": fallbacks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--no-rasa", action="store_true", help="only the built-in engine")
    args = parser.parse_args()
    examples = data.training()
    started = time.perf_counter()
    builtin = builtin_figures(examples, args.folds)
    print(
        f"built-in: {len(examples)} examples, trained in {builtin['train_s']} s, parse p50 "
        f"{builtin['parse_p50_ms']} ms p99 {builtin['parse_p99_ms']} ms, peak "
        f"{builtin['peak_mb']} MB serving ({builtin['train_peak_mb']} MB training); "
        f"macro-F1 {builtin['macro_f1']}; crisis recall "
        f"{builtin['crisis_recall']} (classifier alone {builtin['crisis_recall_classifier']}); "
        f"false_crisis {builtin['false_crisis']}; wrong_answers {builtin['wrong_answers']}; "
        f"wrong answers above {THRESHOLD}: {builtin['wrong_above_threshold']:.1%}; "
        f"ECE {builtin['ece']} ({time.perf_counter() - started:.0f} s)"
    )
    rasa_bin = Path(os.environ.get("RASA_BIN", ROOT / ".rasa-venv" / "bin" / "rasa"))
    rasa = None
    if args.no_rasa or not rasa_bin.exists():
        print(f"rasa: not run ({'--no-rasa' if args.no_rasa else f'no {rasa_bin}'})")
    else:
        started = time.perf_counter()
        rasa = rasa_figures(examples, args.folds, rasa_bin)
        print(
            f"rasa: trained in {rasa['train_s']} s, ready in {rasa['ready_s']} s, parse p50 "
            f"{rasa['parse_p50_ms']} ms p99 {rasa['parse_p99_ms']} ms, "
            f"peak {rasa['peak_mb']} MB serving ({rasa['train_peak_mb']} MB training); "
            f"macro-F1 {rasa['macro_f1']}; crisis recall "
            f"{rasa['crisis_recall']} (classifier alone {rasa['crisis_recall_classifier']}); "
            f"wrong answers above {THRESHOLD}: {rasa['wrong_above_threshold']:.1%}; ECE "
            f"{rasa['ece']}; fallbacks {rasa['fallbacks']} ({time.perf_counter() - started:.0f} s)"
        )
        for lang, f1 in builtin["macro_f1"].items():
            mine, theirs = builtin["per_language"][lang], rasa["per_language"].get(lang, {})
            print(
                f"  {lang}: macro-F1 built-in {f1} vs Rasa {rasa['macro_f1'].get(lang)}; "
                f"crisis_recall {mine['crisis_recall']} vs {theirs.get('crisis_recall')}; "
                f"false_crisis {mine['false_crisis']} vs {theirs.get('false_crisis')}; "
                f"wrong_answers {mine['wrong_answers']} vs {theirs.get('wrong_answers')}"
            )
        print(
            f"  memory serving: built-in / Rasa = {builtin['peak_mb'] / rasa['peak_mb']:.3f}; "
            f"training: {builtin['train_peak_mb'] / rasa['train_peak_mb']:.3f}"
        )
        print(f"  training time: built-in / Rasa = {builtin['train_s'] / rasa['train_s']:.3f}")
    print(
        json.dumps(
            {
                "bench": "nlu",
                "engine": "builtin",
                "examples": len(examples),
                "folds": args.folds,
                "folds_shared": True,
                **builtin,
                "rasa": rasa,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
