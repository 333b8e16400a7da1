"""`input`: wait for typed text and keep it (checked for length, or read as a date and time).

text_nl:
  type: input
  text: "Write the message in Dutch."
  save_as: text_nl
  max_length: 3800
  next: more

when_other:
  type: input
  text: "Type the day and time, like this: 24-11 09:30"
  save_as: when
  format: datetime
  next: confirm
"""

from __future__ import annotations

import re
from typing import Any

from flows.model import Effect, Env, Send
from flows.steps.registry import Linear, register
from flows.steps.say import render_params

_WHEN = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}))?\s+(\d{1,2})[:.](\d{2})\s*$")
EMPTY = "Please write a text."
TOO_LONG = "That is too long: {length} characters. The most is {limit}."
BAD_WHEN = "Please write the day and time like this: 24-11 09:30"


def parse_when(text: str) -> dict[str, int | None] | None:
    """'24-11 09:30' or '24-11-2026 9.30' → its parts (the host adds zone and year)."""
    match = _WHEN.match(text)
    if not match:
        return None
    day, month, year, hour, minute = (int(g) if g else None for g in match.groups())
    assert day is not None and month is not None and hour is not None and minute is not None
    if not (1 <= day <= 31 and 1 <= month <= 12 and hour <= 23 and minute <= 59):
        return None
    return {"day": day, "month": month, "year": year, "hour": hour, "minute": minute}


@register("input")
class Input(Linear):
    def check(self, spec: dict[str, Any]) -> list[str]:
        problems = super().check(spec)
        if not spec.get("save_as"):
            problems.append("needs save_as")
        if spec.get("format") not in (None, "text", "datetime"):
            problems.append("has an unknown format (text or datetime)")
        return problems

    def texts(self, spec: dict[str, Any]) -> list[str]:
        extra = [BAD_WHEN] if spec.get("format") == "datetime" else [EMPTY, TOO_LONG]
        return [spec["text"], *extra]

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        return [Send(spec["text"], render_params(spec, run))], True, None

    def on_text(
        self, spec: dict[str, Any], text: str, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | str | None:
        text = text.strip()
        if spec.get("format") == "datetime":
            value: Any = parse_when(text)
            if value is None:
                return BAD_WHEN
        elif not text:
            return EMPTY
        elif len(text) > int(spec.get("max_length", 4096)):
            run["vars"]["_too_long"] = {"length": len(text), "limit": spec.get("max_length")}
            return TOO_LONG
        else:
            value = text
        run["vars"][spec["save_as"]] = value
        return [], spec.get("next")
