"""Access log: what a refused request tried and how it ended, and the reason stated for an export;
an index for the possible-duplicate referrals on the coordinator's overview.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on both backends: the append-only triggers on access_log stay as they are.
    op.add_column("access_log", sa.Column("target", sa.String(64), nullable=True))
    op.add_column("access_log", sa.Column("outcome", sa.Integer(), nullable=True))
    op.add_column("access_log", sa.Column("reason", sa.String(500), nullable=True))
    op.create_index(
        "ix_access_log_refused",
        "access_log",
        ["created_at"],
        postgresql_where=sa.text("action = 'refused'"),
        sqlite_where=sa.text("action = 'refused'"),
    )
    dup = "kind = 'possible_duplicate'"
    op.create_index(
        "ix_notification_possible_duplicate",
        "notification",
        ["recipient_id", "created_at"],
        postgresql_where=sa.text(dup),
        sqlite_where=sa.text(dup),
    )


def downgrade():
    op.drop_index("ix_notification_possible_duplicate", table_name="notification")
    op.drop_index("ix_access_log_refused", table_name="access_log")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("reason")
        batch.drop_column("outcome")
        batch.drop_column("target")
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode rebuilt the table on SQLite, without 0002's append-only triggers: put them back.
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS access_log_no_{action.lower()} BEFORE {action} ON access_log "
                "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
            )
