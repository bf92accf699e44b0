"""The outbox engine's "maybe delivered" outcome: when the first attempt whose answer came too
late happened (one more attempt after a pause, then the row is uncertain, never failed).

Revision ID: 0023_outbox
Revises: 0022_cost
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_outbox"
down_revision = "0022_cost"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("notification", "webhook_delivery"):
        op.add_column(table, sa.Column("maybe_delivered_at", sa.DateTime(), nullable=True))


def downgrade():
    for table in ("notification", "webhook_delivery"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("maybe_delivered_at")
