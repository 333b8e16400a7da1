"""Read Rasa NLU YAML (training and test files): examples with their intent and entities."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
LANGUAGES = ("nl", "ar", "ti", "so", "en")
# Intents answered from an organisation's content (money, trajectory, courses): a confident
# wrong one tells someone a wrong fact, so they are judged apart (`wrong_answers`).
CONTENT_INTENTS = (
    "trajectory_phases",
    "trajectory_schedule",
    "course_info",
    "volunteer_contract",
    "paid_work",
    "benefit_keep",
    "volunteer_allowance",
    "travel_costs",
    "work_and_benefit",
    "childcare",
    "debt_help",
    "language_course",
)
_ENTITY = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str
    entities: tuple[dict[str, Any], ...] = field(default=())


def parse_example(line: str) -> tuple[str, tuple[dict[str, Any], ...]]:
    """ "ik ben [10](minutes) minuten te laat" → the plain text and its entities (with offsets)."""
    text, entities, last = "", [], 0
    for match in _ENTITY.finditer(line):
        text += line[last : match.start()]
        start = len(text)
        text += match.group(1)
        entities.append(
            {"entity": match.group(2), "value": match.group(1), "start": start, "end": len(text)}
        )
        last = match.end()
    return text + line[last:], tuple(entities)


def read(path: Path, lang: str) -> list[Example]:
    """All examples of one file; a malformed file raises ValueError naming it."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML: {error}") from None
    found = []
    for block in (doc or {}).get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                text, entities = parse_example(line[2:].strip())
                if text:
                    found.append(Example(text, str(block["intent"]), lang, entities))
    if not found:
        raise ValueError(f"{path}: no examples")
    return found


def files(directory: Path = DATA) -> list[Path]:
    """Every training file: data/<lang>/nlu.yml, and review.yml where real questions that
    coaches marked were merged in (`wegwijzer nlu review --merge`); Rasa reads them all too."""
    return sorted(p for lang in LANGUAGES for p in (directory / lang).glob("*.yml"))


def training(directory: Path = DATA) -> list[Example]:
    return [example for path in files(directory) for example in read(path, path.parent.name)]


def write(path: Path, examples: list[Example], comment: str = "") -> None:
    """Rasa NLU YAML, one block per intent (entities written back as [text](entity))."""
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(_annotated(example))
    lines = [f"# {line}".rstrip() for line in comment.splitlines()] if comment else []
    lines += ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in by_intent[intent]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _annotated(example: Example) -> str:
    text, done = example.text, 0
    out = ""
    for entity in sorted(example.entities, key=lambda e: e["start"]):
        out += text[done : entity["start"]]
        out += f"[{text[entity['start'] : entity['end']]}]({entity['entity']})"
        done = entity["end"]
    return " ".join((out + text[done:]).split())


def fingerprint(*paths: Path) -> str:
    """The hash the cached model is kept under: it changes when any data file changes."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(f"{path.parent.name}/{path.name}".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
