"""Delivery claims become leases: each carries its owner's token, which every write checks.

Rows left "unconfirmed" by the previous delivery (recorded before the final SMTP "." and then
counted as sent) go back to pending: the server may never have had the whole message, and a
second copy with the same Message-ID is better than none.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(32), nullable=True))
    op.execute("UPDATE notification SET status = 'pending', claimed_at = NULL WHERE status = 'unconfirmed'")


def downgrade():
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("claim_token")
