"""The jobcenter's decisions as structured fields: an outcome (granted, refused, pending) and the
next date (a reassessment, a follow-up meeting), and who changed a decision last and when; the
reason a citizen was referred (a code, no health information) for the coordinator's queue.

Revision ID: 0024_daydata
Revises: 0023_outbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_daydata"
down_revision = "0023_outbox"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ips_case") as batch:
        batch.add_column(sa.Column("referral_reason", sa.String(length=32), nullable=True))
    with op.batch_alter_table("benefit_fact") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("next_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_benefit_fact_updated_by_id_staff_user"), "staff_user", ["updated_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("benefit_fact") as batch:
        batch.drop_constraint(op.f("fk_benefit_fact_updated_by_id_staff_user"), type_="foreignkey")
        batch.drop_column("updated_by_id")
        batch.drop_column("updated_at")
        batch.drop_column("next_date")
        batch.drop_column("outcome")
    with op.batch_alter_table("ips_case") as batch:
        batch.drop_column("referral_reason")
