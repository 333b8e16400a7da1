"""The Rasa engine: a client for a real Rasa server (`rasa run --enable-api`), with a timeout.
When the server is down, slow or answers nonsense, the built-in engine answers instead and the
fallback is logged (once a minute at most), so a participant always gets an answer."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

log = logging.getLogger("wegwijzer.nlu")


class RasaEngine:
    name = "rasa"

    def __init__(self, url: str, fallback: Any, timeout: float = 0.5) -> None:
        self.url = url.rstrip("/") + "/model/parse"
        self.fallback = fallback
        self.client = httpx.Client(timeout=timeout)
        self._warned = 0.0
        self.fallbacks = 0

    def coverage(self, text: str) -> float:
        return self.fallback.coverage(text)

    def known_words(self, text: str) -> int:
        return self.fallback.known_words(text)

    def second_opinion(self, text: str, intent: str, threshold: float) -> bool:
        """A content answer from Rasa only when the built-in engine gives the same intent above
        its own cross-validated threshold: Rasa has no per-intent thresholds, and a wrong answer
        about money is worse than "I asked your coach"."""
        best = self.fallback.parse(text)["intent"]
        needed = max(threshold, self.fallback.thresholds.get(intent, threshold))
        return best["name"] == intent and best["confidence"] >= needed

    def crisis_probability(self, text: str) -> tuple[float, int]:
        """The built-in crisis model judges crises for every engine: its thresholds are ours."""
        return self.fallback.crisis_probability(text)

    def parse(self, text: str, lang: str | None = None) -> dict[str, Any]:
        try:
            response = self.client.post(self.url, json={"text": text})
            response.raise_for_status()
            parsed = response.json()
            if not isinstance(parsed.get("intent", {}).get("name"), str):
                raise ValueError("no intent in the answer")
            parsed.setdefault("intent_ranking", [parsed["intent"]])
            parsed.setdefault("entities", [])
            return parsed
        except (httpx.HTTPError, ValueError) as error:
            self.fallbacks += 1
            if time.monotonic() - self._warned > 60:
                self._warned = time.monotonic()
                log.warning(
                    "Rasa at %s did not answer (%s): using the built-in engine",
                    self.url,
                    type(error).__name__,
                )
            return self.fallback.parse(text, lang)
