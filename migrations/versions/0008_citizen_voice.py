"""The citizen's voice: the shared plan (goals, actions, job supports), the citizen's notes,
progress ratings, the citizen's sign-in (one-time codes, invitations, sessions), who made a
parallel intervention, and the citizen as the actor of an access-log row.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "citizen_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizen.id"], name=op.f("fk_citizen_session_citizen_id_citizen")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_session")),
    )
    with op.batch_alter_table("citizen_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_session_citizen_id"), ["citizen_id"], unique=False)

    op.create_table(
        "citizen_login_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizen.id"], name=op.f("fk_citizen_login_code_citizen_id_citizen")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name=op.f("fk_citizen_login_code_created_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_login_code")),
    )
    with op.batch_alter_table("citizen_login_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_login_code_citizen_id"), ["citizen_id"], unique=False)

    op.create_table(
        "citizen_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_citizen_note_case_id_ips_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_note")),
    )
    with op.batch_alter_table("citizen_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_note_case_id"), ["case_id"], unique=False)

    op.create_table(
        "plan_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["staff_user.id"], name=op.f("fk_plan_goal_author_id_staff_user")),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_plan_goal_case_id_ips_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_goal")),
        sa.UniqueConstraint("case_id", "version", name="uq_plan_goal_case_version"),
    )
    op.create_table(
        "progress_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("rater", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["staff_user.id"], name=op.f("fk_progress_rating_author_id_staff_user")),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_progress_rating_case_id_ips_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_rating")),
    )
    with op.batch_alter_table("progress_rating", schema=None) as batch_op:
        batch_op.create_index("ix_progress_rating_case_rated", ["case_id", "rated_at"], unique=False)

    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("written_by", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_plan_action_case_id_ips_case")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name=op.f("fk_plan_action_created_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(["follow_up_id"], ["follow_up.id"], name=op.f("fk_plan_action_follow_up_id_follow_up")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
    )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_action_case_id"), ["case_id"], unique=False)

    op.create_table(
        "support_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("supports", sa.JSON(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_support_change_case_id_ips_case")),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["staff_user.id"], name=op.f("fk_support_change_changed_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placement.id"], name=op.f("fk_support_change_placement_id_placement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_change")),
    )
    with op.batch_alter_table("support_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_change_case_id"), ["case_id"], unique=False)

    # Plain ADD COLUMN on both backends: the append-only triggers on access_log stay as they are.
    op.add_column("access_log", sa.Column("citizen_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("parallel_intervention", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_parallel_intervention_created_by_id_staff_user"), "staff_user", ["created_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("parallel_intervention", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_parallel_intervention_created_by_id_staff_user"), type_="foreignkey")
        batch_op.drop_column("created_by_id")

    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_column("citizen_id")

    with op.batch_alter_table("support_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_change_case_id"))

    op.drop_table("support_change")
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_case_id"))

    op.drop_table("plan_action")
    with op.batch_alter_table("progress_rating", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_rating_case_rated")

    op.drop_table("progress_rating")
    op.drop_table("plan_goal")
    with op.batch_alter_table("citizen_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_note_case_id"))

    op.drop_table("citizen_note")
    with op.batch_alter_table("citizen_login_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_login_code_citizen_id"))

    op.drop_table("citizen_login_code")
    with op.batch_alter_table("citizen_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_session_citizen_id"))

    op.drop_table("citizen_session")
