"""Check-ins: each answer is a signal about one ZRM domain, stored at once (half a check-in keeps
what was answered). A worst answer on a safety domain shows the participant where to get help
now and sends their coach an urgent alert; a drop of two levels or more since their previous
answer sends a normal one. One alert per episode, through the coach's inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import N_, _, use_locale
from bot.services import alerts
from bot.services.errors import NotAParticipant
from flows.model import Effect, Send
from storage import repositories as repo
from storage.models import Participant, ParticipantStatus, Signal, StaffMember

DOMAIN_NAMES = {
    "financien": N_("money"),
    "werk_opleiding": N_("work and school"),
    "tijdsbesteding": N_("how they spend their days"),
    "huisvesting": N_("housing"),
    "huiselijke_relaties": N_("family and home"),
    "geestelijke_gezondheid": N_("mood and sleep"),
    "lichamelijke_gezondheid": N_("physical health"),
    "middelengebruik": N_("alcohol and drugs"),
    "basale_adl": N_("taking care of themselves"),
    "instrumentele_adl": N_("running the household"),
    "sociaal_netwerk": N_("people around them"),
    "maatschappelijke_participatie": N_("taking part in society"),
    "justitie": N_("police and justice"),
}
# Where to get help now (Dutch national numbers), shown at once after a worst answer.
HELP_NOW = {
    "huisvesting": N_(
        "No safe place to sleep? The municipality helps you find a place for tonight. "
        "Call 14 and the area code, for example 14 030. In danger now: call 112. "
        "I have told your coach."
    ),
    "geestelijke_gezondheid": N_(
        "You are not alone. Do you think about ending your life? Call 113 or 0800-0113. "
        "It is free, day and night. In danger now: call 112. I have told your coach."
    ),
    "huiselijke_relaties": N_(
        "Are you not safe at home? Call Veilig Thuis: 0800-2000. It is free, day and night. "
        "In danger now: call 112. I have told your coach."
    ),
    "lichamelijke_gezondheid": N_(
        "Are you very ill? Call your doctor (huisarts). In the evening and at the weekend: "
        "the huisartsenpost. In an emergency: call 112. I have told your coach."
    ),
}
SAFETY = frozenset(HELP_NOW)
URGENT = N_("{name} gave the worst answer about {domain} in a check-in. Please contact them today.")
DROP = N_("{name}'s answer about {domain} went down from {before} to {after} (out of 5).")


def record(
    session: Session, chat_id: int, answer: dict[str, Any], now: datetime, actor: Any = None
) -> list[Effect]:
    """The `record_signal` action: store the answer; a worst answer on a safety domain gives the
    participant where to get help now (returned) and the coach an urgent alert."""
    domain, level = str(answer["domain"]), answer.get("level")
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        if person is None or person.status != ParticipantStatus.ACTIVE:
            raise NotAParticipant(chat_id)
        previous = session.scalars(
            select(Signal.level)
            .where(
                Signal.participant_id == person.id,
                Signal.domain == domain,
                Signal.source == "self",
                Signal.level.is_not(None),
            )
            .order_by(Signal.at.desc(), Signal.id.desc())
            .limit(1)
        ).first()
        session.add(
            Signal(
                organisation_id=person.organisation_id,
                participant_id=person.id,
                domain=domain,
                level=level,
                source="self",
                question=str(answer.get("question", ""))[:300],
                checkin=str(answer.get("checkin", ""))[:40],
                at=now,
            )
        )
        if level == 1 and domain in SAFETY:
            _alert(session, now, person, "checkin_urgent", URGENT, domain, urgent=True)
            return [Send(HELP_NOW[domain])]
        if level is not None and previous is not None and previous - int(level) >= 2:
            _alert(session, now, person, "checkin_drop", DROP, domain, before=previous, after=level)
    return []


def _alert(
    session: Session,
    now: datetime,
    person: Participant,
    kind: str,
    message: str,
    domain: str,
    urgent: bool = False,
    **params: Any,
) -> None:
    coach = session.get(StaffMember, person.coach_id or -1)
    with use_locale(coach.language if coach else "nl"):
        domain_name = _(DOMAIN_NAMES[domain])
    alerts.raise_alert(
        session,
        now,
        person,
        kind,
        urgent=urgent,
        message=message,
        params={"domain": domain_name, **params},
        domain=domain,
    )
