"""Check-ins: each answer is a signal about one ZRM domain, stored at once (half a check-in keeps
what was answered). A worst answer on a safety domain shows the participant where to get help
now and sends their coach an urgent alert; a drop of two levels or more since their previous
answer sends a normal one. One alert per episode, through the coach's inbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import N_, _, use_locale
from bot.services.coaching import alerts
from bot.services.errors import NotAParticipant
from flows.model import Effect, Send
from storage import repositories as repo
from storage.models import Participant, ParticipantStatus, Signal, StaffMember

DOMAIN_NAMES = {
    "financien": N_("money"),
    "werk_opleiding": N_("work and school"),
    "tijdsbesteding": N_("daily activities"),
    "huisvesting": N_("housing"),
    "huiselijke_relaties": N_("family and home"),
    "geestelijke_gezondheid": N_("mood and sleep"),
    "lichamelijke_gezondheid": N_("physical health"),
    "middelengebruik": N_("alcohol and drugs"),
    "basale_adl": N_("self-care"),
    "instrumentele_adl": N_("household"),
    "sociaal_netwerk": N_("social contacts"),
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
LOW_WEEKS = N_(
    "{name} has given a low answer about {domain} for three weeks now. Maybe talk about it?"
)
LOW = 2  # 1 or 2 out of 5
LOW_SPAN = timedelta(days=14)  # three answers in three weeks: the first at least 14 days ago


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
        earlier = session.execute(
            select(Signal.level, Signal.at)
            .where(
                Signal.participant_id == person.id,
                Signal.domain == domain,
                Signal.source == "self",
                Signal.level.is_not(None),
            )
            .order_by(Signal.at.desc(), Signal.id.desc())
            .limit(2)
        ).all()
        previous = earlier[0][0] if earlier else None
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
        elif level is not None and low_for_weeks(
            [(int(level), now), *((int(lv), at) for lv, at in earlier if lv is not None)]
        ):
            _alert(session, now, person, "checkin_low", LOW_WEEKS, domain)
    return []


def low_for_weeks(answers: list[tuple[int, datetime]]) -> bool:
    """The newest three answers (newest first) are all low, in three different weeks, the first
    of them at least two weeks before the last."""
    if len(answers) < 3:
        return False
    three = answers[:3]
    weeks = {at.isocalendar()[:2] for _level, at in three}
    return (
        all(level <= LOW for level, _at in three)
        and len(weeks) == 3
        and three[0][1] - three[2][1] >= LOW_SPAN
    )


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
