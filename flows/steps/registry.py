"""The step types every kind of step is built from: the protocol, `Linear`, and the registry
keyed by the `type:` string a flow file uses. Its own module so step modules register without
importing the package that imports them."""

from __future__ import annotations

from typing import Any, Protocol

from flows.model import Effect, Env


class StepType(Protocol):
    def check(self, spec: dict[str, Any]) -> list[str]:
        """Problems with this step's own fields (empty when fine)."""

    def texts(self, spec: dict[str, Any]) -> list[str]:
        """The msgids this step shows, for extraction and the translation check."""

    def targets(self, spec: dict[str, Any]) -> list[str]:
        """The steps this one can lead to."""

    def enter(
        self, name: str, spec: dict[str, Any], run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], bool, str | None]:
        """Effects on arrival, whether to wait for a tap, and the next step if not."""

    def answer(
        self, spec: dict[str, Any], option: int, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | None:
        """Effects and the next step after tap `option`; None if there is no such option."""

    def on_text(
        self, spec: dict[str, Any], text: str, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | str | None:
        """Effects and next step for typed text; a msgid saying why not; None: taps only."""


class Linear:
    """Shared by steps that go straight on to one `next` step (most show one `text`)."""

    def check(self, spec: dict[str, Any]) -> list[str]:
        return [] if isinstance(spec.get("text"), str) else ["needs a text"]

    def texts(self, spec: dict[str, Any]) -> list[str]:
        return [spec["text"]]

    def targets(self, spec: dict[str, Any]) -> list[str]:
        return [spec["next"]] if spec.get("next") else []

    def answer(
        self, spec: dict[str, Any], option: int, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | None:
        return None

    def on_text(
        self, spec: dict[str, Any], text: str, run: dict[str, Any], env: Env
    ) -> tuple[list[Effect], str | None] | str | None:
        return None


REGISTRY: dict[str, StepType] = {}


def register(type_name: str) -> Any:
    def wrap(cls: type) -> type:
        REGISTRY[type_name] = cls()
        return cls

    return wrap
