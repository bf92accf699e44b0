"""The sectors at work (second half): staff phone numbers for the emails, psychiatric
admissions and discharges, treatment-team meetings, the jobcenter's kinds of benefit facts and
decisions, and a job's hourly pay.

Revision ID: 0014_sectors
Revises: 0013_referral
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_sectors"
down_revision = "0013_referral"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
    with op.batch_alter_table("benefit_fact") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("hours", sa.Float(), nullable=True))
        batch.add_column(sa.Column("on_date", sa.Date(), nullable=True))
    with op.batch_alter_table("placement") as batch:
        batch.add_column(sa.Column("hourly_pay", sa.Float(), nullable=True))
    op.create_table(
        "admission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("paused_case", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("discharged_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_admission_case_id_ips_case")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff_user.id"], name=op.f("fk_admission_recorded_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["discharged_by_id"], ["staff_user.id"], name=op.f("fk_admission_discharged_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admission")),
    )
    op.create_index(op.f("ix_admission_case_id"), "admission", ["case_id"])
    op.create_table(
        "treatment_team_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("consultant_attended", sa.Boolean(), nullable=False),
        sa.Column("clinicians_present", sa.Integer(), nullable=False),
        sa.Column("cases_discussed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultant_id"], ["staff_user.id"], name=op.f("fk_treatment_team_meeting_consultant_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_team_meeting")),
    )
    op.create_index("ix_treatment_team_meeting_consultant_held", "treatment_team_meeting", ["consultant_id", "held_on"])


def downgrade():
    op.drop_index("ix_treatment_team_meeting_consultant_held", table_name="treatment_team_meeting")
    op.drop_table("treatment_team_meeting")
    op.drop_index(op.f("ix_admission_case_id"), table_name="admission")
    op.drop_table("admission")
    with op.batch_alter_table("placement") as batch:
        batch.drop_column("hourly_pay")
    with op.batch_alter_table("benefit_fact") as batch:
        batch.drop_column("on_date")
        batch.drop_column("hours")
        batch.drop_column("kind")
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("phone")
