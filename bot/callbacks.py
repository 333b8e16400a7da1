"""Button data, typed: each family of buttons is one small frozen dataclass with a readable
prefix, packed as `prefix:field:field` and unpacked with every field checked. Services that
build buttons, the handlers that read them and the registration in `bot.telegram.app` all use
the same type, so nothing is built with an f-string or parsed with `split(":")`.

Telegram keeps at most 64 bytes of button data, and buttons stay in chats for weeks: a family
that was renamed lists its old spellings in `legacy`, so a button sent before the rename still
works. An old or forged button that does not fit unpacks to None, never to an exception.

Families are defined at the end of this module, grouped by feature.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, Self, Union, get_args, get_origin, get_type_hints

LIMIT = 64  # bytes of callback_data Telegram accepts
WORD = re.compile(r"[A-Za-z0-9_\-]{1,40}")
NUMBER = re.compile(r"-?[0-9]{1,19}")


class Callback:
    """Base of every button family; subclasses are `@dataclass(frozen=True)`."""

    prefix: ClassVar[str]
    legacy: ClassVar[dict[str, str]] = {}  # old leading text → its spelling now
    families: ClassVar[dict[str, type[Callback]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.__dict__.get("prefix")
        if prefix is None:
            return
        if not WORD.fullmatch(prefix) or prefix in Callback.families:
            raise TypeError(f"button prefix {prefix!r} is not a word or is used twice")
        Callback.families[prefix] = cls

    def pack(self) -> str:
        parts = [self.prefix]
        trailing: list[str] = []
        for spec in fields(self):  # type: ignore[arg-type]
            value = getattr(self, spec.name)
            if value is None:
                trailing.append("")
                continue
            if trailing:
                raise ValueError(f"{type(self).__name__}: only the last fields may be left out")
            text = str(int(value)) if isinstance(value, bool | int) else str(value)
            if not (WORD.fullmatch(text) or NUMBER.fullmatch(text)):
                raise ValueError(f"{type(self).__name__}.{spec.name}: {text!r} cannot be sent")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > LIMIT:
            raise ValueError(f"{data!r} is longer than Telegram's {LIMIT} bytes")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """The button this data stands for, or None when it is not one of this family."""
        if not isinstance(data, str) or len(data.encode()) > LIMIT:
            return None
        for old, new in cls.legacy.items():
            if data == old or data.startswith(old + ":"):
                data = new + data[len(old) :]
                break
        parts = data.split(":")
        if parts[0] != cls.prefix:
            return None
        values = parts[1:]
        specs = fields(cls)  # type: ignore[arg-type]
        hints = _hints(cls)
        if len(values) > len(specs):
            return None
        read: dict[str, Any] = {}
        for index, spec in enumerate(specs):
            kind = hints[spec.name]
            if index >= len(values):
                if not _optional(kind):
                    return None
                read[spec.name] = None
                continue
            value = _read(values[index], kind)
            if value is _BAD:
                return None
            read[spec.name] = value
        return cls(**read)

    @classmethod
    def matches(cls, data: object) -> bool:
        """For `CallbackQueryHandler(pattern=…)`: does this data unpack as this family?"""
        return cls.unpack(data) is not None


_BAD = object()
_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _optional(kind: Any) -> bool:
    return get_origin(kind) in (Union, types.UnionType) and type(None) in get_args(kind)


def _read(text: str, kind: Any) -> Any:
    if _optional(kind):
        kind = next(k for k in get_args(kind) if k is not type(None))
    if get_origin(kind) is Literal:
        return text if text in get_args(kind) else _BAD
    if kind is int:
        return int(text) if NUMBER.fullmatch(text) else _BAD
    if kind is str:
        return text if WORD.fullmatch(text) else _BAD
    raise TypeError(f"a button field cannot be {kind!r}")


# ---------------------------------------------------------------------------------------------
# The families. Prefixes say what the button is about; `legacy` keeps buttons already in chats
# working after a rename.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowTap(Callback):
    """A button of a running flow: its run, its step and the option's number."""

    prefix = "fl"
    run: str
    step: str
    option: int


@dataclass(frozen=True)
class AreYouSafe(Callback):
    """The answer to "Are you safe right now?"."""

    prefix = "safe"
    answer: Literal["help", "ok"]


@dataclass(frozen=True)
class MenuChoice(Callback):
    """A button of the help menu."""

    prefix = "menu"
    choice: Literal["taal", "stop"]


# --- appointments, reminders, attendance (bot/telegram/appointments, changes, reminders,
# --- attendance, checkins) -----------------------------------------------------------------


# --- coaching: inbox, questions, participants, progress, broadcasts, privacy --------------
