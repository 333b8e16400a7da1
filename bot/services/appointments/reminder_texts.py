"""What a reminder says, in the participant's language: personal, concrete, never a threat."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.callbacks import Rsvp
from bot.i18n import N_, _, format_when, use_locale
from bot.services.messaging import outbox
from storage.models import (
    PRIORITY_PERSONAL,
    Appointment,
    AppointmentKind,
    Location,
    OutboxKind,
    Participant,
    ParticipantStatus,
    Reminder,
    StaffMember,
)

# The same sentences the welcome uses for the next appointment.
WHAT = {
    AppointmentKind.COACH_TALK: N_("Your next talk with your coach is on {when}, at {place}."),
    AppointmentKind.INTAKE: N_("Your intake is on {when}, at {place}."),
    AppointmentKind.WORKSHOP_DAY: N_("Your next workshop day is on {when}, at {place}."),
    AppointmentKind.SCHOOL_DAY: N_("Your next school day is on {when}, at {place}."),
    AppointmentKind.PLACEMENT_DAY: N_("Your next placement day is on {when}, at {place}."),
    AppointmentKind.EXAM: N_("Your exam is on {when}, at {place}."),
    AppointmentKind.OTHER: N_("Your next appointment is on {when}, at {place}."),
}
# A new appointment says that it is new (and not "your next", which it may not be).
NEW = {
    AppointmentKind.COACH_TALK: N_(
        "You have a new appointment: a talk with your coach on {when}, at {place}."
    ),
    AppointmentKind.INTAKE: N_("You have a new appointment: your intake on {when}, at {place}."),
    AppointmentKind.WORKSHOP_DAY: N_(
        "You have a new appointment: a workshop day on {when}, at {place}."
    ),
    AppointmentKind.SCHOOL_DAY: N_(
        "You have a new appointment: a school day on {when}, at {place}."
    ),
    AppointmentKind.PLACEMENT_DAY: N_(
        "You have a new appointment: a placement day on {when}, at {place}."
    ),
    AppointmentKind.EXAM: N_("You have a new appointment: your exam on {when}, at {place}."),
    AppointmentKind.OTHER: N_("You have a new appointment on {when}, at {place}."),
}
# Short names, as on the buttons of /afspraak (the same msgids).
KINDS = {
    "coach_talk": N_("🗣 Talk with the coach"),
    "intake": N_("📝 Intake"),
    "workshop_day": N_("🛠 Workshop day"),
    "school_day": N_("🏫 School day"),
    "placement_day": N_("💼 Placement day"),
    "exam": N_("✏️ Exam"),
    "other": N_("📌 Something else"),
}
KEPT = N_("{coach} has kept a place for you.")
ADDRESS = N_("Address: {address}")
NOTE = N_("Note from your coach: {notes}")
COMING, NOT_COMING, LATE = N_("✅ I will come"), N_("❌ I cannot come"), N_("⏰ I will be late")


def render(
    kind: AppointmentKind, when: str, place: str, coach: str, address: str, notes: str
) -> str:
    """One message, one appointment; each line a whole sentence of its own."""
    lines = [_(WHAT[kind], when=when, place=place or "?")]
    if coach:
        lines.append(_(KEPT, coach=coach))
    if address:
        lines.append(_(ADDRESS, address=address))
    if notes:
        lines.append(_(NOTE, notes=notes))
    return "\n".join(lines)


def buttons(reminder_id: int) -> list[list[dict[str, str]]]:
    """✅ coming, ❌ not coming, ⏰ late under a reminder."""
    return [
        [{"text": _(COMING), "data": Rsvp(reminder_id, "yes").pack()}],
        [{"text": _(NOT_COMING), "data": Rsvp(reminder_id, "no").pack()}],
        [{"text": _(LATE), "data": Rsvp(reminder_id, "late").pack()}],
    ]


def reminder_message(
    reminder: Reminder,
    person: Participant | None,
    appointment: Appointment | None,
    location: Location | None,
    coach: StaffMember | None,
    now: datetime,
    zone: ZoneInfo,
) -> dict[str, Any] | None:
    """The outbox row for a due reminder, or None when it must not be sent."""
    if (
        person is None
        or appointment is None
        or appointment.cancelled_at is not None
        or person.chat_id is None
        or person.status != ParticipantStatus.ACTIVE
        or person.stopped_at is not None
        or person.unreachable_at is not None
    ):
        return None
    language = person.language or "nl"
    with use_locale(language):
        text = render(
            appointment.kind,
            format_when(reminder.occurrence_start, zone),
            location.name if location else "",
            coach.name if coach else "",
            location.address if location else "",
            appointment.notes.strip(),
        )
        keyboard = buttons(reminder.id)
    return outbox.message(
        now,
        key=f"reminder:{reminder.id}",
        chat_id=person.chat_id,
        text=text,
        kind=OutboxKind.REMINDER,
        priority=PRIORITY_PERSONAL,
        buttons=keyboard,
        participant_id=person.id,
        organisation_id=appointment.organisation_id,
        language=language,
    )
