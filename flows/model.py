"""What a flow is made of, and the effects the engine asks its host to carry out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    name: str
    type: str
    spec: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Flow:
    id: str
    start: str
    steps: dict[str, Step]
    max_steps: int
    source: str


@dataclass(frozen=True)
class Button:
    """A button; `label` is a msgid, a language code ("language"), or shown as is ("literal")."""

    label: str
    data: str
    kind: str = "msgid"


@dataclass(frozen=True)
class Send:
    text: str  # a msgid, or with `literal` text to show as it is (e.g. a broadcast preview)
    params: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    literal: bool = False


@dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclass(frozen=True)
class Action:
    """A named domain action (link the participant, record consent); the host knows what it does."""

    name: str
    vars: dict[str, Any]


@dataclass(frozen=True)
class Reprompt:
    """The answer did not fit (text where a tap was expected, or text that is too long):
    the host says why and shows the question again."""

    send: Send
    reason: str | None = None  # a msgid; None: "please tap one of the buttons"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stale:
    """A button from a conversation that is over, or from an earlier step."""


@dataclass(frozen=True)
class Finished:
    flow_id: str


Effect = Send | SetLanguage | Action | Reprompt | Stale | Finished


@dataclass(frozen=True)
class Tap:
    """The participant pressed button `option` of step `step` in run `instance`."""

    instance: str
    step: str
    option: int


@dataclass(frozen=True)
class Text:
    text: str


Event = Tap | Text


@dataclass(frozen=True)
class Env:
    """What the engine may know of the world: the languages on offer."""

    languages: tuple[str, ...]


class FlowError(Exception):
    """A flow file is wrong; the message names the file and line."""
