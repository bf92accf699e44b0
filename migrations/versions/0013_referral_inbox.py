"""Referrals reach a consultant, consent where needed, an inbox per user: the inbox table and
the partial index that counts notifications withheld for lack of consent.

Revision ID: 0013_referral
Revises: 0012_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_referral"
down_revision = "0012_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_inbox_item_user_id_staff_user")),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_inbox_item_case_id_ips_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
    )
    op.create_index(op.f("ix_inbox_item_case_id"), "inbox_item", ["case_id"])
    op.create_index("ix_inbox_item_user_created", "inbox_item", ["user_id", "created_at"])
    op.create_index("ix_inbox_item_user_read", "inbox_item", ["user_id", "read_at"])
    op.create_index(
        "ix_notification_withheld",
        "notification",
        ["case_id"],
        postgresql_where=sa.text("status = 'withheld'"),
        sqlite_where=sa.text("status = 'withheld'"),
    )


def downgrade():
    op.drop_index("ix_notification_withheld", table_name="notification")
    op.drop_index("ix_inbox_item_user_read", table_name="inbox_item")
    op.drop_index("ix_inbox_item_user_created", table_name="inbox_item")
    op.drop_index(op.f("ix_inbox_item_case_id"), table_name="inbox_item")
    op.drop_table("inbox_item")
