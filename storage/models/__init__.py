"""The tables, by noun; times are stored in UTC and shown in the organisation's zone."""

from storage.models.appointment import Appointment
from storage.models.base import (
    AlertState,
    AppointmentKind,
    Base,
    BroadcastState,
    ChatId,
    GroupKind,
    InviteKind,
    OutboxKind,
    OutboxState,
    ParticipantStatus,
    Phase,
    ReminderState,
    StaffRole,
    UTCDateTime,
)
from storage.models.conversation import FlowState, ProcessedUpdate
from storage.models.messaging import (
    PRIORITY_ALERT,
    PRIORITY_BULK,
    PRIORITY_PERSONAL,
    Alert,
    Broadcast,
    BroadcastTarget,
    Outbox,
)
from storage.models.organisation import (
    Group,
    GroupMembership,
    Invite,
    Location,
    Organisation,
    StaffMember,
)
from storage.models.participant import AuditEvent, ConsentRecord, Participant
from storage.models.reminder import AppointmentAnswer, Reminder

__all__ = [
    "PRIORITY_ALERT",
    "PRIORITY_BULK",
    "PRIORITY_PERSONAL",
    "Alert",
    "AlertState",
    "Appointment",
    "AppointmentAnswer",
    "AppointmentKind",
    "AuditEvent",
    "Base",
    "Broadcast",
    "BroadcastState",
    "BroadcastTarget",
    "ChatId",
    "ConsentRecord",
    "FlowState",
    "Group",
    "GroupKind",
    "GroupMembership",
    "Invite",
    "InviteKind",
    "Location",
    "Organisation",
    "Outbox",
    "OutboxKind",
    "OutboxState",
    "Participant",
    "ParticipantStatus",
    "Phase",
    "ProcessedUpdate",
    "Reminder",
    "ReminderState",
    "StaffMember",
    "StaffRole",
    "UTCDateTime",
]
