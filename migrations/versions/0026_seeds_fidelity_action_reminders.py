"""A fidelity review's action is due work: when its date comes, its owner and the team's
coordinators are told once (the time they were told is kept).

Revision ID: 0026_seeds_reminders
Revises: 0025_identity
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_seeds_reminders"
down_revision = "0025_identity"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("fidelity_action") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("fidelity_action") as batch:
        batch.drop_column("reminded_at")
