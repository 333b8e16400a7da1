"""The Rasa engine against a real Rasa 3.6 server (its own environment: nlu/rasa-server/setup.sh).
`.ci/run` trains nlu/, starts the server and sets RASA_TEST_URL; without it these are skipped."""

from __future__ import annotations

import os
from typing import Any

import pytest

from nlu import data
from nlu.rasa import RasaEngine
from nlu.understand import interpret
from tests.helpers.people import CHATS, link_demo_people
from tests.helpers.phone import Phone

RASA = os.environ.get("RASA_TEST_URL", "")
pytestmark = pytest.mark.skipif(not RASA, reason="needs a Rasa server: set RASA_TEST_URL")


class NoFallback:
    """Stands in for the built-in engine: a fallback would hide that Rasa did not answer."""

    name = "none"

    def coverage(self, text: str) -> float:
        return 1.0

    def parse(self, text: str, lang: str | None = None) -> dict[str, Any]:
        raise AssertionError(f"Rasa did not answer {text!r}")


@pytest.fixture
def rasa() -> RasaEngine:
    return RasaEngine(RASA, NoFallback(), timeout=10)


def test_a_real_server_answers_in_the_shape_of_model_parse(rasa: RasaEngine) -> None:
    parsed = rasa.parse("ik ben 10 minuten te laat")
    assert parsed["text"] == "ik ben 10 minuten te laat"
    assert parsed["intent"]["name"] == "running_late"
    assert 0 <= parsed["intent"]["confidence"] <= 1
    ranking = [r["confidence"] for r in parsed["intent_ranking"]]
    assert ranking == sorted(ranking, reverse=True) and len(ranking) > 1
    assert any(e["entity"] == "minutes" for e in parsed["entities"])


def test_it_knows_what_it_was_trained_on_in_every_language(rasa: RasaEngine) -> None:
    for lang in data.LANGUAGES:
        mine = data.read(data.DATA / lang / "nlu.yml", lang)  # not safety.yml's look-alikes
        sample = {e.intent: e for e in mine}.values()  # one sentence per intent
        right = sum(rasa.parse(e.text)["intent"]["name"] == e.intent for e in sample)
        assert right / len(sample) >= 0.8, (lang, right, len(sample))
    assert rasa.fallbacks == 0


def test_the_decision_rules_are_the_same_for_rasa(rasa: RasaEngine) -> None:
    assert interpret(rasa, "12345").reason == "no_words"
    assert interpret(rasa, "ik wil niet meer leven").crisis  # the lexicon, before any engine


async def test_the_bot_answers_through_rasa(app, api, runtime, demo_codes, session_factory, clock):
    link_demo_people(session_factory, clock.now())
    runtime.settings.nlu_engine, runtime.settings.rasa_url = "rasa", RASA
    runtime._nlu = None
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    seen = await fatima.send("krijg ik geld voor vrijwilligerswerk?")
    book = runtime.answers
    expected = book.render(book.answer("demo", "volunteer_allowance"), "nl", clock.now().date())
    assert seen == expected
    assert runtime.nlu().name == "rasa" and runtime.nlu().fallbacks == 0
