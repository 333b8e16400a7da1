"""indexes for the organisation pages: attendance by appointment (the report counts talks
held from the appointment side) and each person's last check-in answer (the caseload table)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:05:00
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attendance_appointment_id", "attendance", ["appointment_id"])
    op.create_index("ix_signal_participant_source_at", "signal", ["participant_id", "source", "at"])


def downgrade() -> None:
    op.drop_index("ix_signal_participant_source_at", table_name="signal")
    op.drop_index("ix_attendance_appointment_id", table_name="attendance")
