"""A partial index for open escalated follow-ups (the team and country overviews).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHERE = "status = 'open' AND escalated_at IS NOT NULL"


def upgrade():
    op.create_index(
        "ix_follow_up_open_escalated",
        "follow_up",
        ["case_id"],
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade():
    op.drop_index("ix_follow_up_open_escalated", table_name="follow_up")
