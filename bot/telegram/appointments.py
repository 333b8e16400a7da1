"""Telling a participant about their appointments, with the date written in full."""

from __future__ import annotations

from bot.i18n import N_, _, format_when
from bot.services import appointments
from bot.services.identity import who_is
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import say
from storage.models import AppointmentKind

NEXT = {
    AppointmentKind.COACH_TALK: N_("Your next talk with your coach is on {when}, at {place}."),
    AppointmentKind.INTAKE: N_("Your intake is on {when}, at {place}."),
    AppointmentKind.WORKSHOP_DAY: N_("Your next workshop day is on {when}, at {place}."),
    AppointmentKind.SCHOOL_DAY: N_("Your next school day is on {when}, at {place}."),
    AppointmentKind.PLACEMENT_DAY: N_("Your next placement day is on {when}, at {place}."),
    AppointmentKind.EXAM: N_("Your exam is on {when}, at {place}."),
    AppointmentKind.OTHER: N_("Your next appointment is on {when}, at {place}."),
}


async def show_next(context: WegwijzerContext, chat_id: int) -> None:
    """Say when and where the participant is expected next, if anywhere."""
    runtime = context.runtime
    zone = runtime.settings.zone
    with runtime.session_factory() as session:
        with session.begin():
            identity = who_is(session, chat_id)
        if not identity.linked or identity.id is None:
            return
        now = runtime.clock.now()
        coming = appointments.next_appointment(session, identity.id, now, zone)
        if coming is None:
            coming = appointments.next_opening(session, identity.id, now, zone)
    if coming is None:
        return
    if coming.kind is None:
        await say(
            context,
            chat_id,
            _(
                "You are welcome at {place} on {when}. Come in and say hello!",
                place=coming.place,
                when=format_when(coming.starts_at, zone),
            ),
        )
        return
    await say(
        context,
        chat_id,
        _(NEXT[coming.kind], when=format_when(coming.starts_at, zone), place=coming.place),
    )
