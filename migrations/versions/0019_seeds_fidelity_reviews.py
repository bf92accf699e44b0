"""Fidelity reviews on the IPS-25 scale: a review per team and date with its reviewers, the
reviewers' score and evidence per item beside the data's figure, and the action plan. The
teams' conversation guides, and the guide a contact used. The case's coordinating professional
across the sectors (tovholder). The citizen's network: people, their consents per category,
the meetings they were invited to, and the plan actions they own.

Revision ID: 0019_seeds
Revises: 0018_rollup
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_seeds"
down_revision = "0018_rollup"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fidelity_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewers", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["organisation.id"], name=op.f("fk_fidelity_review_team_id_organisation")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name=op.f("fk_fidelity_review_created_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fidelity_review")),
    )
    op.create_index("ix_fidelity_review_team_date", "fidelity_review", ["team_id", "reviewed_on"])
    op.create_table(
        "fidelity_review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("data_score", sa.Integer(), nullable=True),
        sa.Column("data_figure", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["fidelity_review.id"], name=op.f("fk_fidelity_review_item_review_id_fidelity_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fidelity_review_item")),
        sa.UniqueConstraint("review_id", "item", name=op.f("uq_fidelity_review_item_review_id")),
    )
    op.create_table(
        "fidelity_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["fidelity_review.id"], name=op.f("fk_fidelity_action_review_id_fidelity_review")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["staff_user.id"], name=op.f("fk_fidelity_action_owner_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fidelity_action")),
    )
    op.create_index(op.f("ix_fidelity_action_review_id"), "fidelity_action", ["review_id"])
    op.create_index(op.f("ix_fidelity_action_owner_id"), "fidelity_action", ["owner_id"])
    op.create_table(
        "conversation_guide",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("avoid", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["organisation.id"], name=op.f("fk_conversation_guide_team_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff_user.id"], name=op.f("fk_conversation_guide_updated_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_guide")),
    )
    op.create_index("ix_conversation_guide_team", "conversation_guide", ["team_id", "position"])
    with op.batch_alter_table("ips_case") as batch:
        batch.add_column(sa.Column("coordinating_professional_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_ips_case_coordinating_professional_id_staff_user"),
            "staff_user",
            ["coordinating_professional_id"],
            ["id"],
        )
    # Cases enrolled before: their consultant coordinates until someone else is named.
    op.execute("UPDATE ips_case SET coordinating_professional_id = consultant_id WHERE enrolled_at IS NOT NULL")
    op.create_table(
        "network_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("added_by", sa.String(length=16), nullable=False),
        sa.Column("added_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_network_person_case_id_ips_case")),
        sa.ForeignKeyConstraint(
            ["added_by_staff_id"], ["staff_user.id"], name=op.f("fk_network_person_added_by_staff_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_person")),
    )
    op.create_index(op.f("ix_network_person_case_id"), "network_person", ["case_id"])
    op.create_table(
        "network_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("given_by", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["network_person.id"], name=op.f("fk_network_consent_person_id_network_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_staff_id"], ["staff_user.id"], name=op.f("fk_network_consent_recorded_by_staff_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_consent")),
    )
    op.create_index("ix_network_consent_person", "network_consent", ["person_id", "category"])
    op.create_table(
        "network_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("meeting_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("took_part", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["network_person.id"], name=op.f("fk_network_meeting_person_id_network_person")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_network_meeting_case_id_ips_case")),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["staff_user.id"], name=op.f("fk_network_meeting_invited_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_meeting")),
    )
    op.create_index(op.f("ix_network_meeting_person_id"), "network_meeting", ["person_id"])
    op.create_index(op.f("ix_network_meeting_case_id"), "network_meeting", ["case_id"])
    with op.batch_alter_table("plan_action") as batch:
        batch.add_column(sa.Column("network_person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_plan_action_network_person_id_network_person"), "network_person", ["network_person_id"], ["id"]
        )
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("guide_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_contact_guide_id_conversation_guide"), "conversation_guide", ["guide_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("plan_action") as batch:
        batch.drop_constraint(op.f("fk_plan_action_network_person_id_network_person"), type_="foreignkey")
        batch.drop_column("network_person_id")
    op.drop_index(op.f("ix_network_meeting_case_id"), table_name="network_meeting")
    op.drop_index(op.f("ix_network_meeting_person_id"), table_name="network_meeting")
    op.drop_table("network_meeting")
    op.drop_index("ix_network_consent_person", table_name="network_consent")
    op.drop_table("network_consent")
    op.drop_index(op.f("ix_network_person_case_id"), table_name="network_person")
    op.drop_table("network_person")
    with op.batch_alter_table("contact") as batch:
        batch.drop_constraint(op.f("fk_contact_guide_id_conversation_guide"), type_="foreignkey")
        batch.drop_column("guide_id")
    with op.batch_alter_table("ips_case") as batch:
        batch.drop_constraint(op.f("fk_ips_case_coordinating_professional_id_staff_user"), type_="foreignkey")
        batch.drop_column("coordinating_professional_id")
    op.drop_index("ix_conversation_guide_team", table_name="conversation_guide")
    op.drop_table("conversation_guide")
    op.drop_index(op.f("ix_fidelity_action_owner_id"), table_name="fidelity_action")
    op.drop_index(op.f("ix_fidelity_action_review_id"), table_name="fidelity_action")
    op.drop_table("fidelity_action")
    op.drop_table("fidelity_review_item")
    op.drop_index("ix_fidelity_review_team_date", table_name="fidelity_review")
    op.drop_table("fidelity_review")
