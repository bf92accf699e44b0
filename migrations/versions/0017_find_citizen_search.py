"""Find a citizen by part of a name or a phone number: trigram (pg_trgm) GIN indexes on the
citizen's lower-cased "first last" and on the phone's digits, so a search among a user's cases
never scans every citizen; plain expression indexes on SQLite (and their statistics).

Revision ID: 0017_find
Revises: 0016_sync
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_find"
down_revision = "0016_sync"
branch_labels = None
depends_on = None

NAME = "lower(first_name || ' ' || last_name)"
PHONE = (
    "replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '.', '')"
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_citizen_name_search ON citizen USING gin (({NAME}) gin_trgm_ops)")
        op.execute(f"CREATE INDEX ix_citizen_phone_search ON citizen USING gin (({PHONE}) gin_trgm_ops)")
    else:
        op.create_index("ix_citizen_name_search", "citizen", [sa.text(NAME)])
        op.create_index("ix_citizen_phone_search", "citizen", [sa.text(PHONE)])


def downgrade():
    # IF EXISTS: a SQLite database migrated before 0025_identity put them back after its table
    # rebuild has lost them.
    op.drop_index("ix_citizen_phone_search", table_name="citizen", if_exists=True)
    op.drop_index("ix_citizen_name_search", table_name="citizen", if_exists=True)
