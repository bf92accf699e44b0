"""An index on follow_up (case_id, kind): the outcomes and fidelity figures count one kind of
follow-up over a team's cases; without it PostgreSQL probed the case index once per case and
filtered each case's follow-ups on kind (49-124 ms at 100,000 cases, 17 ms with it).

Revision ID: 0022_cost
Revises: 0021_inputs
"""

from alembic import op

revision = "0022_cost"
down_revision = "0021_inputs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_follow_up_case_kind", "follow_up", ["case_id", "kind"])


def downgrade():
    op.drop_index("ix_follow_up_case_kind", table_name="follow_up")
