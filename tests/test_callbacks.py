"""Button data: packed and unpacked by one type per family, old and forged data refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from bot.callbacks import AreYouSafe, Callback, FlowTap


@dataclass(frozen=True)
class _Example(Callback):
    prefix = "example"
    legacy = {"ex:n": "example:no", "ex": "example"}
    answer: Literal["yes", "no"]
    thing: int
    at: int | None = None


@pytest.mark.parametrize(
    ("button", "data"),
    [
        (_Example("yes", 12), "example:yes:12"),
        (_Example("no", 3, 1700000000), "example:no:3:1700000000"),
        (FlowTap("ab12cd", "consent", 1), "fl:ab12cd:consent:1"),
        (AreYouSafe("help"), "safe:help"),
    ],
)
def test_a_button_packs_and_unpacks_to_itself(button: Callback, data: str) -> None:
    assert button.pack() == data
    assert type(button).unpack(data) == button


@pytest.mark.parametrize(
    "data",
    [
        "example:maybe:12",  # not one of the answers
        "example:yes:x",  # not a number
        "example:yes",  # a field missing
        "example:yes:1:2:3",  # one too many
        "examples:yes:1",
        "",
        None,
        "example:yes:1:" + "9" * 70,  # longer than Telegram allows
        "safe:help:now",
        "fl:::",
    ],
)
def test_data_that_does_not_fit_unpacks_to_none(data: object) -> None:
    assert _Example.unpack(data) is None
    assert not AreYouSafe.matches(data)
    assert FlowTap.unpack(data) is None


def test_buttons_sent_before_a_rename_still_unpack() -> None:
    assert _Example.unpack("ex:n:4") == _Example("no", 4)
    assert _Example.unpack("ex:yes:4:5") == _Example("yes", 4, 5)


def test_what_cannot_be_sent_is_refused_when_packing() -> None:
    with pytest.raises(ValueError, match="cannot be sent"):
        FlowTap("a:b", "step", 1).pack()
    with pytest.raises(ValueError, match="64 bytes"):
        FlowTap("a" * 40, "b" * 30, 1).pack()


def test_every_family_has_its_own_prefix() -> None:
    with pytest.raises(TypeError, match="used twice"):

        @dataclass(frozen=True)
        class _Again(Callback):
            prefix = "fl"
            x: int

    assert Callback.families["fl"] is FlowTap
