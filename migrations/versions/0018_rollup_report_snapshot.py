"""Report snapshots: aggregates the worker computes ahead (the country overview at 1,000,000
cases), read by the page with their age.

Revision ID: 0018_rollup
Revises: 0017_find
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_rollup"
down_revision = "0017_find"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_snapshot",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_report_snapshot")),
    )


def downgrade():
    op.drop_table("report_snapshot")
