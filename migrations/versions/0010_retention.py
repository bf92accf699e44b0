"""Retention: citizens can be marked anonymised, and the append-only history admits the
retention run alone (a row in history_override that only its own transaction can see).

Revision ID: 0010_retention
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_retention"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("case_event", "access_log")


def upgrade():
    op.add_column("citizen", sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    op.create_table(
        "history_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Same triggers, new body: refuse unless this transaction holds an override row.
        op.execute("""
            CREATE OR REPLACE FUNCTION ips_append_only() RETURNS trigger AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM history_override) THEN
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql
        """)
    else:
        for table in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER {table}_no_{action.lower()}")
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"WHEN NOT EXISTS (SELECT 1 FROM history_override) "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION ips_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql
        """)
    else:
        for table in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER {table}_no_{action.lower()}")
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    op.drop_table("history_override")
    with op.batch_alter_table("citizen") as batch:
        batch.drop_column("anonymised_at")
