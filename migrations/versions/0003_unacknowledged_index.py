"""A partial index for notifications awaiting acknowledgement (the coordinator's overview).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WHERE = "requires_ack AND acknowledged_at IS NULL"


def upgrade():
    op.create_index(
        "ix_notification_unacknowledged",
        "notification",
        ["case_id"],
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade():
    op.drop_index("ix_notification_unacknowledged", table_name="notification")
