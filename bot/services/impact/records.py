"""What stays of an erased participant for the impact figures: a de-identified record with
their programme, location, start, phase steps, outflow and ZRM categories. ZRM scores are kept
as their category (1, 3 or 4), which is all the rules read, so a closed period's figures are
the same before and after erasure or retention; nothing in it points back to the person."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.impact.rules import category
from storage.models import (
    Appointment,
    AppointmentKind,
    Attendance,
    AttendanceStatus,
    ImpactRecord,
    Participant,
    PhaseChange,
    Referral,
    ZrmMeasurement,
)

CATEGORY_SCORE = {"niet": 1, "beperkt": 3, "voldoende": 4}


def keep(session: Session, person: Participant, today: date) -> ImpactRecord | None:
    """Add the person's de-identified record to the caller's transaction (before erasure)."""
    if person.organisation_id is None or person.started_on is None:
        return None  # never in a trajectory: nothing for the figures
    steps: list[Any] = [
        [
            s.to_phase.value if s.to_phase else None,
            s.outflow.value if s.outflow else None,
            s.on.isoformat(),
        ]
        for s in session.scalars(
            select(PhaseChange)
            .where(PhaseChange.participant_id == person.id)
            .order_by(PhaseChange.on, PhaseChange.id)
        )
    ]
    zrm: list[Any] = [
        [
            m.measured_on.isoformat(),
            m.matrix,
            m.domain,
            CATEGORY_SCORE[category(m.score)],
            m.location_id,
        ]
        for m in session.scalars(
            select(ZrmMeasurement).where(ZrmMeasurement.participant_id == person.id)
        )
    ]
    referrals: list[Any] = [
        [r.partner, r.referred_on.isoformat(), r.started_on.isoformat() if r.started_on else None]
        for r in session.scalars(select(Referral).where(Referral.participant_id == person.id))
    ]
    talks: list[Any] = [day.isoformat() for day in talk_days(session, person.id)]
    record = ImpactRecord(
        organisation_id=person.organisation_id,
        programme_id=person.programme_id,
        location_id=person.location_id,
        started_on=person.started_on,
        steps=steps,
        zrm=zrm,
        referrals=referrals,
        talks=talks,
        kept_on=today,
    )
    session.add(record)
    return record


TALKS = (AppointmentKind.INTAKE, AppointmentKind.COACH_TALK)


def talk_days(session: Session, participant_id: int) -> list[date]:
    """The days the person came to a talk (an intake or a talk with the coach): contacts."""
    return list(
        session.scalars(
            select(Attendance.day)
            .join(Appointment, Appointment.id == Attendance.appointment_id)
            .where(
                Attendance.participant_id == participant_id,
                Attendance.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
                Appointment.kind.in_(TALKS),
            )
        )
    )
