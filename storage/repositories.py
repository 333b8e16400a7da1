"""Small query functions; services compose them inside their own transactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, select
from sqlalchemy.orm import Session

from storage.models import (
    ConsentRecord,
    FlowState,
    Invite,
    Organisation,
    Participant,
    ParticipantStatus,
    StaffMember,
    StaffRole,
)

_p, _s, _o = Participant.__table__, StaffMember.__table__, Organisation.__table__
_in_flow = exists().where(FlowState.__table__.c.chat_id == bindparam("chat")).label("in_flow")

_c = ConsentRecord.__table__
_consented = (  # the consent text version they last said yes to
    select(_c.c.version)
    .where(_c.c.participant_id == _p.c.id, _c.c.accepted.is_(True))
    .order_by(_c.c.at.desc(), _c.c.id.desc())
    .limit(1)
    .scalar_subquery()
    .label("consent_version")
)

# Prepared once: who owns a chat is asked for every update.
IDENTITY_OF_PARTICIPANT = (
    select(
        _p.c.id,
        _p.c.language,
        _p.c.status,
        _p.c.stopped_at,
        _p.c.unreachable_at,
        _p.c.display_name,
        _o.c.name.label("organisation"),
        _in_flow,
        _consented,
    )
    .select_from(_p.outerjoin(_o, _o.c.id == _p.c.organisation_id))
    .where(_p.c.chat_id == bindparam("chat"))
)
IDENTITY_OF_STAFF = (
    select(_s.c.id, _s.c.language, _s.c.name, _o.c.name.label("organisation"), _in_flow)
    .select_from(_s.join(_o, _o.c.id == _s.c.organisation_id))
    .where(_s.c.chat_id == bindparam("chat"))
)
IN_FLOW = select(_in_flow)


def participant_by_chat(session: Session, chat_id: int) -> Participant | None:
    return session.scalars(select(Participant).where(Participant.chat_id == chat_id)).first()


def staff_by_chat(session: Session, chat_id: int) -> StaffMember | None:
    return session.scalars(select(StaffMember).where(StaffMember.chat_id == chat_id)).first()


def invite_by_code(session: Session, code: str) -> Invite | None:
    return session.scalars(select(Invite).where(Invite.code == code)).first()


def least_busy_coach(session: Session, organisation_id: int) -> StaffMember | None:
    """The organisation's coach with the fewest active participants (staff if it has no coach)."""
    load = (
        select(func.count(Participant.id))
        .where(
            Participant.coach_id == StaffMember.id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .scalar_subquery()
    )
    query = (
        select(StaffMember)
        .where(StaffMember.organisation_id == organisation_id, StaffMember.removed_at.is_(None))
        .order_by((StaffMember.role != StaffRole.COACH), load, StaffMember.id)
    )
    return session.scalars(query).first()


def flow_state(session: Session, chat_id: int, lock: bool = False) -> FlowState | None:
    """The chat's run; with `lock`, held until the transaction ends (PostgreSQL)."""
    return session.get(FlowState, chat_id, with_for_update=lock or None)


def save_flow_state(
    session: Session, chat_id: int, flow_id: str, state: dict[str, Any] | None, now: datetime
) -> None:
    """Store the run a chat is in, or forget it when `state` is None."""
    row = session.get(FlowState, chat_id)
    if state is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(FlowState(chat_id=chat_id, flow_id=flow_id, state=state, updated_at=now))
    else:
        row.flow_id, row.state, row.updated_at = flow_id, state, now


def delete_flow_state(session: Session, chat_id: int) -> None:
    session.execute(delete(FlowState).where(FlowState.chat_id == chat_id))
