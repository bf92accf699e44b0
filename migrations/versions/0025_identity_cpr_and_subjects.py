"""Identity: the citizen's CPR number (sealed, with a keyed hash for look-up) and the subject an
identity broker gave them; the staff member's subject at the municipality's identity provider.

Revision ID: 0025_identity
Revises: 0024_daydata
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_identity"
down_revision = "0024_daydata"
branch_labels = None
depends_on = None

# 0017_find's search indexes on SQLite. Batch mode rebuilds the citizen table there and cannot
# reflect expression indexes, so it would drop them silently: they are made again after it.
SEARCH_INDEXES = {
    "ix_citizen_name_search": "lower(first_name || ' ' || last_name)",
    "ix_citizen_phone_search": "replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '+', ''), "
    "'(', ''), ')', ''), '.', '')",
}


def _restore_search_indexes():
    if op.get_bind().dialect.name == "sqlite":
        for name, expression in SEARCH_INDEXES.items():
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON citizen ({expression})")


def upgrade():
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cpr_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("cpr_hmac", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("oidc_sub", sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f("ix_citizen_cpr_hmac"), ["cpr_hmac"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_citizen_oidc_sub"), ["oidc_sub"])
    _restore_search_indexes()
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_staff_user_oidc_subject"), ["oidc_subject"])


def downgrade():
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_user_oidc_subject"), type_="unique")
        batch_op.drop_column("oidc_subject")
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_citizen_oidc_sub"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_citizen_cpr_hmac"))
        batch_op.drop_column("oidc_sub")
        batch_op.drop_column("cpr_hmac")
        batch_op.drop_column("cpr_encrypted")
    _restore_search_indexes()
