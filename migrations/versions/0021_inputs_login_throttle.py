"""Sign-in limits keyed by what was typed: failed staff logins per (e-mail, client address) and per
e-mail, citizen codes asked for and wrong codes per e-mail, whether or not the address is on
record.

Revision ID: 0021_inputs
Revises: 0020_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_inputs"
down_revision = "0020_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("wait_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )


def downgrade():
    op.drop_table("login_throttle")
