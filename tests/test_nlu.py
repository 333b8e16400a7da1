"""Language understanding: the training data is a valid Rasa project in five languages, the
built-in engine answers in Rasa's shape within its promises, text it cannot judge is not
guessed at, the crisis safety net catches what the classifier misses, and it generalises to
sentences it never saw."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from nlu import builtin, crisis, data
from nlu.builtin import BuiltinEngine, load_or_train
from nlu.entities import extract
from nlu.evaluate import score, summary
from nlu.normalise import normalise
from nlu.rasa import RasaEngine
from nlu.understand import interpret, negated

INTENTS = {
    "greet", "goodbye", "thanks", "affirm", "deny", "help", "change_language",
    "next_appointment", "cancel_appointment", "report_sick", "running_late",
    "reschedule_appointment", "trajectory_phases", "trajectory_schedule", "location_address",
    "course_info", "volunteer_contract", "paid_work", "benefit_keep", "volunteer_allowance",
    "travel_costs", "work_and_benefit", "childcare", "debt_help", "language_course",
    "talk_to_coach", "crisis", "out_of_scope",
}  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu")


@pytest.fixture(scope="module")
def engine(cache: Path) -> BuiltinEngine:
    return load_or_train(cache)


@pytest.mark.parametrize("lang", data.LANGUAGES)
def test_training_data_has_every_intent_with_25_examples_or_more(lang: str) -> None:
    examples = data.read(data.DATA / lang / "nlu.yml", lang)
    counts = Counter(e.intent for e in examples)
    assert set(counts) == INTENTS
    assert min(counts.values()) >= 25, counts.most_common()[-3:]
    assert len({normalise(e.text) for e in examples}) > 0.97 * len(examples)  # hardly repeats
    late = [e for e in examples if e.intent == "running_late" and e.entities]
    assert late and all(ent["entity"] in ("minutes", "day") for e in late for ent in e.entities)


@pytest.mark.parametrize("lang", data.LANGUAGES)
def test_the_test_sets_are_sentences_the_engine_never_saw(lang: str) -> None:
    trained = {normalise(e.text) for e in data.training() if e.lang == lang}
    tests = data.read(data.ROOT / "tests" / f"{lang}.yml", lang)
    assert {e.intent for e in tests} == INTENTS
    assert sum(normalise(e.text) in trained for e in tests) <= 0.03 * len(tests)
    fresh = data.read(data.ROOT / "tests" / "safety" / f"{lang}.yml", lang)
    assert [e.text for e in fresh if normalise(e.text) in trained] == []


def test_annotations_become_entities_with_offsets() -> None:
    text, entities = data.parse_example("ik ben [10](minutes) minuten te laat op [dinsdag](day)")
    assert text == "ik ben 10 minuten te laat op dinsdag"
    assert [(e["entity"], text[e["start"] : e["end"]]) for e in entities] == [
        ("minutes", "10"),
        ("day", "dinsdag"),
    ]


def test_the_answer_has_rasas_shape_and_ranked_confidences(engine: BuiltinEngine) -> None:
    parsed = engine.parse("wanneer is mijn volgende afspraak?", "nl")
    assert set(parsed) >= {"text", "intent", "intent_ranking", "entities"}
    assert parsed["intent"] == parsed["intent_ranking"][0]
    confidences = [r["confidence"] for r in parsed["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) <= 1.0001
    assert parsed["intent"]["name"] == "next_appointment"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("123", "no_words"),
        ("👍", "no_words"),
        ("...", "no_words"),
        ("Привет, как дела у тебя сегодня", "unknown_script"),
        ("你好，我明天不能来", "unknown_script"),
    ],
)
def test_what_the_engine_cannot_judge_is_not_guessed(engine, text: str, reason: str) -> None:
    understood = interpret(engine, text)
    assert (understood.intent, understood.reason) == (None, reason)


@pytest.mark.parametrize("lang", data.LANGUAGES)
def test_every_crisis_expression_is_caught_inside_a_sentence(engine, lang: str) -> None:
    import yaml

    doc = yaml.safe_load((data.ROOT / "crisis" / f"{lang}.yml").read_text(encoding="utf-8"))
    assert len(doc["expressions"]) >= 20
    for entry in doc["expressions"]:
        understood = interpret(engine, f"hallo ... {entry['match']} ... ok")
        assert understood.crisis, entry


def test_the_crisis_lexicon_does_not_fire_on_ordinary_messages() -> None:
    ordinary = [e for e in data.training() if e.intent != "crisis"]
    fired = [e.text for e in ordinary if crisis.matches(normalise(e.text))]
    assert len(fired) <= 0.002 * len(ordinary), fired[:10]


@pytest.mark.parametrize("lang", data.LANGUAGES)
def test_it_generalises_to_the_held_out_sentences(engine, lang: str) -> None:
    """Floors under today's figures (README), so that no change makes them worse unseen."""
    figures = summary(score(engine, data.read(data.ROOT / "tests" / f"{lang}.yml", lang)))
    assert figures["macro_f1"] >= 0.80, figures
    assert figures["false_crisis"] <= 1, figures  # ≤ 0.3 % of 276 ordinary sentences
    assert figures["crisis_recall_asked"] >= 0.95, figures  # the answer, or "are you safe?"
    assert figures["crisis_recall"] >= 0.85, figures
    assert figures["wrong_answers"] <= 0.02, figures
    assert figures["content_right"] >= 0.85, figures


@pytest.mark.parametrize("lang", data.LANGUAGES)
def test_fresh_crises_and_their_look_alikes(engine, lang: str) -> None:
    """nlu/tests/safety: about 60 crises (indirect, self-harm, danger, no bed tonight) and 100
    ordinary messages with the same words, written apart from the training data. Floors under
    today's figures (README): the safety answer or the question with the numbers for nearly
    every crisis, and at most one look-alike alarmed."""
    examples = data.read(data.ROOT / "tests" / "safety" / f"{lang}.yml", lang)
    assert sum(e.intent == "crisis" for e in examples) >= 55
    figures = summary(score(engine, examples))
    assert figures["false_crisis"] <= 1, figures
    assert figures["crisis_recall_asked"] >= 0.92, figures
    assert figures["crisis_recall"] >= 0.78, figures
    assert figures["wrong_answers"] <= 0.01, figures


@pytest.mark.parametrize("lang", data.LANGUAGES)
def test_ordinary_words_never_get_the_safety_answer(engine, lang: str) -> None:
    """The out-of-domain files: everyday words, names, objects, weather, small talk and
    typing tests; none may frighten anyone, and hardly any may get an answer about money."""
    examples = data.read(data.ROOT / "tests" / "ood" / f"{lang}.yml", lang)
    assert len(examples) >= 130
    alarmed = [e.text for e in examples if interpret(engine, e.text, lang).crisis]
    assert alarmed == []
    assert summary(score(engine, examples))["wrong_answers"] <= 0.01


@pytest.mark.parametrize(
    ("text", "lang"),
    [("banaan", "nl"), ("banana", "en"), ("🤷 weet niet", "nl"), ("muus", "so"), ("ሙዝ", "ti")],
)
def test_a_word_the_model_does_not_know_is_never_a_crisis(engine, text: str, lang: str) -> None:
    understood = interpret(engine, text, lang)
    assert not understood.crisis and understood.intent not in data.CONTENT_INTENTS


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ik wil morgen niet meer wakker worden", "nl"),
        ("wallahi noloshu macno ma leh, maxaan u noolahay", "so"),
        ("الحياة ما الها معنى، ما في شي يستاهل اعيش عشانه", "ar"),
    ],
)
def test_indirect_words_are_a_crisis(engine, text: str, lang: str) -> None:
    assert interpret(engine, text, lang).crisis


def test_the_crisis_thresholds_come_from_cross_validation(engine) -> None:
    model = engine.crisis
    assert model is not None and set(model.sure) == set(data.LANGUAGES)
    for lang in data.LANGUAGES:
        ask, sure = model.thresholds(lang)
        assert 0 < ask <= sure < 1
    assert set(engine.thresholds) == set(data.CONTENT_INTENTS)


def test_entities_for_how_late_and_which_day() -> None:
    assert [(e["entity"], e["value"]) for e in extract("ik ben 10 minuten te laat", "x")] == [
        ("minutes", 10)
    ]
    assert [(e["entity"], e["value"]) for e in extract("kan het op donderdag", "x")] == [("day", 4)]
    assert extract("ik kom te laat", "running_late") == []


def test_the_cached_model_is_used_again(cache: Path, engine: BuiltinEngine) -> None:
    assert len(list(cache.glob("builtin-*.pickle"))) == 1
    again = load_or_train(cache)
    assert again.parse("dank je wel")["intent"] == engine.parse("dank je wel")["intent"]


def test_our_n_grams_are_scikit_learns_term_for_term() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=builtin.CHARS).build_analyzer()
    words = TfidfVectorizer(
        analyzer="word", ngram_range=builtin.WORDS, token_pattern=r"(?u)\b\w+\b"
    ).build_analyzer()
    texts = [normalise(e.text) for e in data.training()] + ["a", "Ab  c\tD", "", "ኣብ 10 ደቒቕ"]
    for text in texts:
        assert builtin.char_grams(text) == chars(text), text
        assert builtin.word_grams(text) == words(text), text


def test_answering_from_the_cached_model_needs_no_scikit_learn(cache: Path, engine) -> None:
    probe = (
        "import sys; from pathlib import Path; from nlu.builtin import load_or_train;"
        f"e = load_or_train(Path({str(cache)!r}));"
        "print(e.parse('dank je wel')['intent']['name'], 'sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["thanks", "False"]


def test_rasa_down_means_the_built_in_engine_answers(engine, caplog) -> None:
    caplog.set_level(logging.WARNING)
    rasa = RasaEngine("http://127.0.0.1:9", engine, timeout=0.2)
    parsed = rasa.parse("dank je wel", "nl")
    assert parsed["intent"] == engine.parse("dank je wel")["intent"]
    assert rasa.fallbacks == 1 and "built-in engine" in caplog.text


def test_evaluate_on_a_test_file_ends_with_one_json_line(cache: Path, engine) -> None:
    import json
    import os

    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "nlu", "evaluate", "--test", "nlu/tests/so.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NLU_CACHE": str(cache), "DATABASE_URL": "sqlite://"},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["lang"] == "so" and {"n", "accuracy", "macro_f1", "crisis_recall"} <= set(
        figures
    )


@pytest.mark.parametrize(
    "text",
    [
        "mag ik mijn hond meenemen naar de ijsbaan",  # was childcare at 0.91
        "can i bring my dog to the ice rink",
        "waar is hier een moskee",
    ],
)
def test_questions_that_only_look_like_ours_get_no_answer_of_ours(engine, text: str) -> None:
    understood = interpret(engine, text)
    assert understood.intent in (None, "out_of_scope"), (understood.intent, understood.confidence)


@pytest.mark.parametrize(("text", "lang"), [("tot snel", "nl"), ("tot snel!", "nl")])
def test_a_goodbye_the_intents_are_sure_of_is_no_crisis_and_no_question(
    engine, text: str, lang: str
) -> None:
    understood = interpret(engine, text, lang)  # the crisis model alone once said 0.92
    assert understood.intent == "goodbye"
    assert not understood.crisis and not understood.maybe_crisis


def test_rasa_gives_a_content_answer_only_with_the_built_in_engines_agreement(
    engine, monkeypatch
) -> None:
    """Rasa has no per-intent thresholds: its money answers need the built-in engine's."""
    rasa = RasaEngine("http://127.0.0.1:9", engine, timeout=0.05)

    def sure_of(intent: str):  # what a Rasa server would say, at the HTTP boundary
        ranking = [{"name": intent, "confidence": 0.99}, {"name": "greet", "confidence": 0.01}]
        return lambda text, lang=None: {
            "text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []
        }  # fmt: skip

    question = "krijg ik geld voor vrijwilligerswerk"
    monkeypatch.setattr(rasa, "parse", sure_of("volunteer_allowance"))
    assert interpret(rasa, question, "nl").intent == "volunteer_allowance"  # both agree
    monkeypatch.setattr(rasa, "parse", sure_of("work_and_benefit"))
    understood = interpret(rasa, question, "nl")
    assert understood.intent is None and understood.reason == "low_confidence"  # to the coach


class _Ranked:
    """An engine that always ranks the same way: the decision rules alone are tested."""

    name = "ranked"

    def __init__(self, *ranking: tuple[str, float]) -> None:
        self.ranking = [{"name": n, "confidence": c} for n, c in ranking]

    def parse(self, text: str, lang: str | None = None) -> dict:
        return {"text": text, "intent": self.ranking[0], "intent_ranking": self.ranking}


@pytest.mark.parametrize(
    ("ranking", "intent", "choices"),
    [
        (
            (("benefit_keep", 0.47), ("work_and_benefit", 0.41)),
            None,
            ("benefit_keep", "work_and_benefit"),
        ),
        ((("benefit_keep", 0.62), ("work_and_benefit", 0.30)), "benefit_keep", ()),
        ((("benefit_keep", 0.50), ("talk_to_coach", 0.45)), "benefit_keep", ()),
    ],
)
def test_two_content_answers_neck_and_neck_are_a_choice_even_above_the_threshold(
    ranking, intent, choices
) -> None:
    """Above its threshold, but only a nose ahead of another money answer: a coin flip about
    money is worse than asking which one they mean."""
    understood = interpret(_Ranked(*ranking), "question about my benefit", "en")
    assert (understood.intent, understood.choices) == (intent, choices)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ik ben niet veilig", True), ("I'm not safe", True), ("ما أنا بأمان", True),
        ("ammaan ma ihi", True), ("ውሑስ ኣይኮንኩን", True), ("ik ben veilig", False),
        ("i am safe", False), ("انا بأمان", False), ("waan fiicanahay", False), ("ደሓን እየ", False),
    ],
)
def test_negations_in_five_languages(text: str, expected: bool) -> None:
    assert negated(text) is expected
