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


@dataclass(frozen=True)
class AppointmentsOf(Callback):
    """A coach chose whose coming appointments to see (/afspraken)."""

    prefix = "appts"
    legacy = {"ap:p": "appts"}
    participant: int


@dataclass(frozen=True)
class AppointmentStep(Callback):
    """A step in changing one occurrence: open it, move it, cancel it or stop its series (each
    asked first, then confirmed), or keep it. `at` is the occurrence's start in epoch seconds."""

    prefix = "appt"
    legacy = {
        "ap:o": "appt:open",
        "ap:m": "appt:move",
        "ap:c": "appt:cancel",
        "ap:s": "appt:stop",
        "ap:cy": "appt:cancel_yes",
        "ap:sy": "appt:stop_yes",
        "ap:n": "appt:keep",
    }
    step: Literal["open", "move", "cancel", "stop", "cancel_yes", "stop_yes", "keep"]
    appointment: int
    at: int | None = None


@dataclass(frozen=True)
class NewTime(Callback):
    """ "📅 Propose a new time" under a "cannot come" alert (the alert's id is appended)."""

    prefix = "newtime"
    alert: int


@dataclass(frozen=True)
class Rsvp(Callback):
    """A participant's answer under a reminder: yes, no (then why), late (then how late)."""

    prefix = "rsvp"
    reminder: int
    answer: Literal["yes", "no", "late", "why"]
    detail: Literal["sick", "family", "other", "15", "30", "more"] | None = None

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """Only the answers the reminder asks: "why" with a reason, "late" with or without
        minutes, "yes" and "no" alone."""
        found = super().unpack(data)
        if found is None:
            return None
        if found.detail is None:
            return None if found.answer == "why" else found
        return found if found.detail in _RSVP_DETAILS[found.answer] else None


_RSVP_DETAILS: dict[str, tuple[str, ...]] = {
    "yes": (),
    "no": (),
    "late": ("15", "30", "more"),
    "why": ("sick", "family", "other"),
}


@dataclass(frozen=True)
class ProposalReply(Callback):
    """The participant's one tap on a coach's proposed new time."""

    prefix = "proposal"
    legacy = {"tp": "proposal"}
    proposal: int
    answer: Literal["yes", "no"]


@dataclass(frozen=True)
class Mark(Callback):
    """/vandaag: present (p), late (l) or absent (a) for one occurrence (start in epoch s)."""

    prefix = "mark"
    legacy = {"at": "mark"}
    appointment: int
    at: int
    mark: Literal["p", "l", "a"]


@dataclass(frozen=True)
class EveryonePresent(Callback):
    """/vandaag: everyone of a group not marked yet is present (location 0: none)."""

    prefix = "mark_all"
    legacy = {"at:all": "mark_all"}
    location: int
    at: int


@dataclass(frozen=True)
class MarkName(Callback):
    """/vandaag: the name in a row, a button that does nothing."""

    prefix = "mark_name"
    legacy = {"at:noop": "mark_name"}


@dataclass(frozen=True)
class QrCode(Callback):
    """/qr: today's check-in code of this location."""

    prefix = "qr"
    location: int


@dataclass(frozen=True)
class CheckinInvite(Callback):
    """▶️ Start or ⏰ Not now under a check-in invitation."""

    prefix = "checkin"
    legacy = {"ci:go": "checkin:start", "ci:later": "checkin:later"}
    choice: Literal["start", "later"]
    invitation: int


# --- coaching: inbox, questions, participants, progress, broadcasts, privacy --------------

PhaseName = Literal["activering", "vrijwilliger", "opleiding", "werk"]
OutflowName = Literal[
    "betaald_werk",
    "reguliere_opleiding",
    "leer_werktraject",
    "werkervaringsplaats",
    "vrijwilligerswerk",
    "ander_project",
    "certificaat",
    "geen_werk",
    "voortijdige_uitval",
    "kan_niet_werken",
    "onbekend",
]


@dataclass(frozen=True)
class MyDataFile(Callback):
    """📄 under /mijngegevens: send me all my data as a file."""

    prefix = "mydata_file"
    legacy = {"pv:file": "mydata_file"}


@dataclass(frozen=True)
class ForgetMeAsk(Callback):
    """🗑 under /mijngegevens: ask once more before forgetting me."""

    prefix = "forget_me"
    legacy = {"pv:forget": "forget_me"}


@dataclass(frozen=True)
class ForgetMeAnswer(Callback):
    """Yes or no to "Do you want me to forget you?"."""

    prefix = "forget_me_answer"
    legacy = {"pv:yes": "forget_me_answer:yes", "pv:no": "forget_me_answer:no"}
    answer: Literal["yes", "no"]


@dataclass(frozen=True)
class BroadcastRefresh(Callback):
    """🔄 under a broadcast's delivery report."""

    prefix = "broadcast_report"
    legacy = {"bc:report": "broadcast_report"}
    broadcast_id: int


@dataclass(frozen=True)
class BroadcastStop(Callback):
    """✖️ / ⏹ under a broadcast's delivery report: cancel it, or stop sending it."""

    prefix = "broadcast_stop"
    legacy = {"bc:stop": "broadcast_stop"}
    broadcast_id: int


@dataclass(frozen=True)
class Acknowledge(Callback):
    """👍 Understood, under a broadcast a participant received (the spelling is unchanged)."""

    prefix = "ack"
    broadcast_id: int


@dataclass(frozen=True)
class ParticipantCheckins(Callback):
    """📊 on a participant's card: their check-ins, for their coach."""

    prefix = "checkins"
    legacy = {"pg": "checkins"}
    participant_id: int


@dataclass(frozen=True)
class ScoreWhichTopic(Callback):
    """✍️ under the check-ins: the coach chooses the topic they score."""

    prefix = "score"
    legacy = {"pgs": "score"}
    participant_id: int


@dataclass(frozen=True)
class ScoreHowMuch(Callback):
    """A topic chosen for the coach's score: now the level."""

    prefix = "score_topic"
    legacy = {"pg": "score_topic"}
    participant_id: int
    domain: str


@dataclass(frozen=True)
class ScoreLevel(Callback):
    """The coach's own 1–5 score on a topic, after a talk."""

    prefix = "score_level"
    legacy = {"pg": "score_level"}
    participant_id: int
    domain: str
    level: int


@dataclass(frozen=True)
class AlertAction(Callback):
    """A coach's tap under an alert: I called them, snooze two days, or resolve."""

    prefix = "alert"
    legacy = {"al": "alert"}
    action: Literal["called", "snooze", "resolve"]
    alert_id: int


@dataclass(frozen=True)
class MissYouOffer(Callback):
    """💬 under an alert: show the "we miss you" texts to choose from."""

    prefix = "missyou"
    legacy = {"al:miss": "missyou"}
    alert_id: int


@dataclass(frozen=True)
class MissYouText(Callback):
    """The coach chose one of the "we miss you" texts for the alert's participant."""

    prefix = "missyou_text"
    legacy = {"alm": "missyou_text"}
    alert_id: int
    choice: str


@dataclass(frozen=True)
class MissYouAnswer(Callback):
    """The participant's answer under "we miss you": I will come again, or please call me."""

    prefix = "missyou_answer"
    legacy = {"mu": "missyou_answer"}
    alert_id: int
    answer: Literal["back", "call"]


@dataclass(frozen=True)
class OpenParticipant(Callback):
    """A name in /deelnemers or a choice of /deelnemer: open their card."""

    prefix = "participant"
    legacy = {"dn": "participant"}
    participant_id: int


@dataclass(frozen=True)
class ChangePhase(Callback):
    """🔀 on a card: which phases they can move to."""

    prefix = "change_phase"
    legacy = {"dn:ph": "change_phase"}
    participant_id: int


@dataclass(frozen=True)
class MoveToPhase(Callback):
    """The phase a participant is in from today."""

    prefix = "move_to_phase"
    legacy = {"dn:to": "move_to_phase"}
    participant_id: int
    phase: PhaseName


@dataclass(frozen=True)
class LeavesTrajectory(Callback):
    """🚪 among the phases: why do they leave?"""

    prefix = "leaves"
    legacy = {"dn:out": "leaves"}
    participant_id: int


@dataclass(frozen=True)
class LeftBecause(Callback):
    """They left the trajectory, with one outflow category."""

    prefix = "left_because"
    legacy = {"dn:left": "left_because"}
    participant_id: int
    outflow: OutflowName


@dataclass(frozen=True)
class HandOver(Callback):
    """👤 on a card: which coach takes them over?"""

    prefix = "hand_over"
    legacy = {"dn:ho": "hand_over"}
    participant_id: int


@dataclass(frozen=True)
class HandOverTo(Callback):
    """Hand the participant over to this coach."""

    prefix = "hand_over_to"
    legacy = {"dn:hoto": "hand_over_to"}
    participant_id: int
    coach_id: int


@dataclass(frozen=True)
class MyAppointments(Callback):
    """📅 My appointments, under an answer."""

    prefix = "my_appointments"
    legacy = {"an:appts": "my_appointments"}


@dataclass(frozen=True)
class AskMyCoach(Callback):
    """💬 Ask my coach, under an answer or a choice of topics: the question goes to the coach."""

    prefix = "ask_my_coach"
    legacy = {"an:coach": "ask_my_coach"}
    question_id: int


@dataclass(frozen=True)
class PickedTopic(Callback):
    """The topic the participant meant, out of two close ones."""

    prefix = "picked_topic"
    legacy = {"an:pick": "picked_topic"}
    topic: str
    question_id: int


@dataclass(frozen=True)
class SendTopicAnswer(Callback):
    """📄 under a question's alert: send the organisation's answer about this topic."""

    prefix = "send_answer"
    legacy = {"qa": "send_answer"}
    topic: str
    alert_id: int


@dataclass(frozen=True)
class NoteTopic(Callback):
    """A topic chosen under a question's alert: noted, so the engine learns."""

    prefix = "note_topic"
    legacy = {"qm": "note_topic"}
    topic: str
    alert_id: int


@dataclass(frozen=True)
class ShowTopics(Callback):
    """🏷 under a question's alert: every topic, to answer with or to note."""

    prefix = "topics"
    legacy = {"qt": "topics"}
    alert_id: int
