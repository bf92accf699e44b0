"""Four eyes on service tokens: who approved it (and when, with the hash of the approver's half
of the token) and who revoked or rejected it.

Revision ID: 0020_tokens
Revises: 0019_seeds
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_tokens"
down_revision = "0019_seeds"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("approval_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_token_approved_by_id_staff_user"), "staff_user", ["approved_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_api_token_revoked_by_id_staff_user"), "staff_user", ["revoked_by_id"], ["id"]
        )
    # Service tokens made before the rule have no approval: they stop working and wait for a
    # second person (the approver's half is new, so the integration is handed a new token).


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_token_revoked_by_id_staff_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_api_token_approved_by_id_staff_user"), type_="foreignkey")
        batch_op.drop_column("revoked_by_id")
        batch_op.drop_column("approval_hash")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved_by_id")
