"""The flow engine is pure: (state, event) → (state, effects); flow files are validated."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from flows import engine
from flows.loader import DEFINITIONS, load_all, load_flow
from flows.model import (
    Action,
    Env,
    Finished,
    FlowError,
    Reprompt,
    Send,
    SetLanguage,
    Stale,
    Tap,
    Text,
)

ENV = Env(languages=("nl", "ar", "ti", "so", "en"))


def onboarding():
    return load_flow(DEFINITIONS / "onboarding.yaml")


def kinds(effects) -> list[str]:
    return [type(e).__name__ for e in effects]


def test_start_waits_on_the_language_question() -> None:
    state, effects = engine.start(onboarding(), "abc", {"organisation": "O", "coach": "C"}, ENV)
    assert state is not None and state["step"] == "language"
    assert kinds(effects) == ["Send"]
    assert [b.label for b in effects[0].buttons] == list(ENV.languages)
    assert effects[0].buttons[2].data == "fl:abc:language:2"


def test_the_whole_path_to_consent() -> None:
    flow = onboarding()
    state, _ = engine.start(flow, "abc", {"organisation": "O", "coach": "C", "code": "X"}, ENV)
    state, effects = engine.advance(flow, state, Tap("abc", "language", 2), ENV)
    assert kinds(effects) == ["SetLanguage", "Send", "Send", "Send", "Send"]
    assert effects[0] == SetLanguage("ti")
    assert effects[1].params == {"organisation": "O"}
    state, effects = engine.advance(flow, state, Tap("abc", "consent", 0), ENV)
    assert state is None
    assert isinstance(effects[0], Action) and effects[0].name == "accept_consent"
    assert effects[0].vars["consent"] == "yes" and effects[0].vars["language"] == "ti"
    assert effects[1].params == {"organisation": "O", "coach": "C"}
    assert isinstance(effects[-1], Finished)


def test_state_is_json_and_the_input_is_not_changed() -> None:
    flow = onboarding()
    state, _ = engine.start(flow, "abc", {}, ENV)
    frozen = json.dumps(state)
    engine.advance(flow, json.loads(frozen), Tap("abc", "language", 0), ENV)
    assert json.dumps(state) == frozen


@pytest.mark.parametrize(
    "tap", [Tap("old", "language", 0), Tap("abc", "consent", 0), Tap("abc", "language", 9)]
)
def test_stale_or_impossible_taps_change_nothing(tap: Tap) -> None:
    flow = onboarding()
    state, _ = engine.start(flow, "abc", {}, ENV)
    after, effects = engine.advance(flow, state, tap, ENV)
    assert after == state and effects == [Stale()]


def test_text_while_waiting_asks_again() -> None:
    flow = onboarding()
    state, _ = engine.start(flow, "abc", {}, ENV)
    after, effects = engine.advance(flow, state, Text("hoi"), ENV)
    assert after == state and isinstance(effects[0], Reprompt)
    assert isinstance(effects[0].send, Send) and len(effects[0].send.buttons) == 5


def test_max_steps_is_enforced(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        id: loop
        start: a
        max_steps: 3
        steps:
          a: {type: say, text: "A", next: b}
          b: {type: say, text: "B", next: a}
    """,
    )
    with pytest.raises(FlowError, match="more than 3 steps"):
        engine.start(load_flow(path), "i", {}, ENV)


def write(folder: Path, body: str) -> Path:
    path = folder / "flow.yaml"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            """
     id: f
     start: a
     steps:
       a: {type: shout, text: "A"}
     """,
            r"flow.yaml:4: step 'a' has unknown type 'shout'",
        ),
        (
            """
     id: f
     start: a
     steps:
       a: {type: say, text: "A", next: nowhere}
     """,
            r"flow.yaml:4: step 'a' leads to 'nowhere', which is not a step",
        ),
        (
            """
     id: f
     start: a
     steps:
       a:
         type: ask
         text: "Q"
         options:
           - {value: 1, label: "One", next: a}
           - {label: "Two"}
     """,
            r"flow.yaml:4: step 'a' option 2 needs a value",
        ),
        (
            """
     id: f
     start: a
     steps:
       a: {type: say, text: "A"}
       b: {type: say, text: "B"}
     """,
            r"flow.yaml:5: step 'b' is never reached",
        ),
        (
            """
     id: f
     steps:
       a: {type: say, text: "A"}
     """,
            r"flow.yaml:1: missing 'start'",
        ),
    ],
)
def test_bad_flow_files_name_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(FlowError, match=message):
        load_flow(write(tmp_path, body))


def test_missing_translation_is_reported_with_its_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        id: f
        start: a
        steps:
          a: {type: say, text: "Nobody translated this."}
    """,
    )
    with pytest.raises(
        FlowError,
        match=r"flow.yaml:4: 'Nobody translated this.' has no "
        r"translation in nl, ar",
    ):
        load_all(tmp_path, translated=lambda text: ["nl", "ar"])


def test_shipped_flows_are_valid_and_translated() -> None:
    from bot.runtime import load_flows

    flows = load_flows()
    assert set(flows.definitions) == {
        "onboarding",
        "language",
        "broadcast",
        "appointment",
        "new_time",
        "checkin",
        "reconsent",
    }


def test_the_check_in_asks_only_the_chosen_domains_and_its_own_introduction() -> None:
    flow = load_flow(DEFINITIONS / "checkin.yaml")
    chosen = {"kind": "monthly", "domains": ["huisvesting", "justitie"], "invitation": None}
    state, effects = engine.start(flow, "c1", chosen, ENV)
    assert [e.text for e in effects] == [
        flow.steps["intro_monthly"].spec["text"],
        flow.steps["home"].spec["text"],
    ]
    state, effects = engine.advance(flow, state, Tap("c1", "home", 4), ENV)
    assert isinstance(effects[0], Action) and effects[0].vars["domain"] == "huisvesting"
    assert effects[1].text == flow.steps["justice"].spec["text"]
    state, effects = engine.advance(flow, state, Tap("c1", "justice", 5), ENV)
    assert effects[0].vars["level"] is None  # skipped
    assert [e.name for e in effects if isinstance(e, Action)] == ["record_signal", "checkin_done"]
    assert state is None and isinstance(effects[-1], Finished)


def test_a_step_whose_when_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        'id: bad\nstart: a\nsteps:\n  a:\n    type: say\n    when: monthly\n    text: "Hi"\n'
    )
    with pytest.raises(FlowError, match=r"bad.yaml:4: step 'a' 'when' must map variables"):
        load_flow(path)
