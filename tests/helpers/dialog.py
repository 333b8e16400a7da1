"""Dialog tables (Zulip's `verify_dialog`): what a person does, and exactly what they see back.

    await assert_dialog(phone, [
        ("/hoegaathet", [said("ti", INTRO), said("ti", MONEY)], [*labels]),  # and its buttons
        (4, said("ti", WORK)),                    # tap the 4th button of the newest question
        (Tap(said("ti", SKIP)), said("ti", HOME)),  # tap a button by its label
        ("hoi", [Containing("Wegwijzer")]),       # a message that holds this fragment
    ])

Each turn goes through the real Application (`Phone`); the replies must match one for one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram.ext import Application

from bot.console.emulator import EmulatedRequest
from tests.helpers.phone import Phone


@dataclass(frozen=True)
class Tap:
    """Tap the button with this label (an int in a turn taps by number, counted from 1)."""

    label: str


@dataclass(frozen=True)
class Containing:
    """An expected message that need only contain this fragment."""

    fragment: str

    def __str__(self) -> str:
        return f"…{self.fragment}…"


Reply = str | Containing
Turn = (
    tuple[str | int | Tap, Reply | Sequence[Reply]]
    | tuple[str | int | Tap, Reply | Sequence[Reply], Sequence[str]]
)


def _matches(expected: Reply, seen: str) -> bool:
    if isinstance(expected, Containing):
        return expected.fragment in seen
    return expected == seen


async def _act(phone: Phone, action: str | int | Tap) -> list[str]:
    if isinstance(action, Tap):
        return await phone.tap(action.label)
    if isinstance(action, int):
        return await phone.tap(action)
    return await phone.send(action)


def _as_phone(who: Phone | Application, chat_id: int | None, language_code: str | None) -> Phone:
    if isinstance(who, Phone):
        return who
    request = who.bot.request
    assert isinstance(request, EmulatedRequest), "an Application on the emulated Bot API"
    assert chat_id is not None, "with an Application, say which chat_id talks"
    return Phone(who, request.emulator, chat_id, language_code)


async def assert_dialog(
    who: Phone | Application,
    turns: Sequence[Turn],
    *,
    chat_id: int | None = None,
    language_code: str | None = None,
) -> Phone:
    """Play the turns; each reply must equal (or, for `Containing`, hold) the expected one, and
    a third element, when given, lists the buttons of the newest message with buttons."""
    phone = _as_phone(who, chat_id, language_code)
    transcript: list[str] = []
    for number, turn in enumerate(turns, 1):
        action, expected, *buttons = turn
        wanted = [expected] if isinstance(expected, str | Containing) else list(expected)
        seen = await _act(phone, action)
        transcript.append(f"{number}. {action!r} → {seen!r}")
        problem = ""
        if len(seen) != len(wanted) or not all(map(_matches, wanted, seen)):
            problem = f"expected {[str(w) for w in wanted]!r}"
        elif buttons and phone.buttons() != list(buttons[0]):
            problem = f"expected buttons {list(buttons[0])!r}, saw {phone.buttons()!r}"
        assert not problem, f"turn {number}: {problem}\n" + "\n".join(transcript)
    return phone
