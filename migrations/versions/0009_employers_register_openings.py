"""Systematic job development: the employer register, contact persons, openings and their
keywords, suggestions, the purpose/outcome/next step of an employer contact, placements linked
to the register, and the history of moved follow-ups.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "employer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ips_team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("cvr", sa.String(length=8), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("municipality", sa.String(length=100), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ips_team_id"], ["organisation.id"], name=op.f("fk_employer_ips_team_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name=op.f("fk_employer_created_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer")),
        sa.UniqueConstraint("ips_team_id", "name_key", name="uq_employer_team_name_key"),
        sa.UniqueConstraint("ips_team_id", "cvr", name="uq_employer_team_cvr"),
    )
    op.create_table(
        "employer_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["employer.id"], name=op.f("fk_employer_person_employer_id_employer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_person")),
    )
    op.create_index(op.f("ix_employer_person_employer_id"), "employer_person", ["employer_id"])
    op.create_table(
        "opening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("ips_team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hours_per_week", sa.Float(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("municipality_key", sa.String(length=100), nullable=True),
        sa.Column("requirements", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["employer.id"], name=op.f("fk_opening_employer_id_employer")),
        sa.ForeignKeyConstraint(["ips_team_id"], ["organisation.id"], name=op.f("fk_opening_ips_team_id_organisation")),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff_user.id"], name=op.f("fk_opening_created_by_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening")),
    )
    op.create_index(op.f("ix_opening_employer_id"), "opening", ["employer_id"])
    op.create_index("ix_opening_team_status", "opening", ["ips_team_id", "status"])
    op.create_index("ix_opening_team_municipality", "opening", ["ips_team_id", "municipality_key", "status"])
    op.create_table(
        "opening_keyword",
        sa.Column("keyword", sa.String(length=40), nullable=False),
        sa.Column("ips_team_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["opening_id"], ["opening.id"], name=op.f("fk_opening_keyword_opening_id_opening")),
        sa.PrimaryKeyConstraint("keyword", "ips_team_id", "opening_id", name=op.f("pk_opening_keyword")),
    )
    op.create_index(op.f("ix_opening_keyword_opening_id"), "opening_keyword", ["opening_id"])
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("suggested_by_id", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.String(length=500), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["opening_id"], ["opening.id"], name=op.f("fk_suggestion_opening_id_opening")),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_suggestion_case_id_ips_case")),
        sa.ForeignKeyConstraint(
            ["suggested_by_id"], ["staff_user.id"], name=op.f("fk_suggestion_suggested_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.UniqueConstraint("opening_id", "case_id", name="uq_suggestion_opening_case"),
    )
    op.create_index(op.f("ix_suggestion_opening_id"), "suggestion", ["opening_id"])
    op.create_index(op.f("ix_suggestion_case_id"), "suggestion", ["case_id"])
    op.create_table(
        "follow_up_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("from_due_at", sa.DateTime(), nullable=False),
        sa.Column("to_due_at", sa.DateTime(), nullable=False),
        sa.Column("from_assignee_id", sa.Integer(), nullable=True),
        sa.Column("to_assignee_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["follow_up_id"], ["follow_up.id"], name=op.f("fk_follow_up_change_follow_up_id_follow_up")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["ips_case.id"], name=op.f("fk_follow_up_change_case_id_ips_case")),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["staff_user.id"], name=op.f("fk_follow_up_change_changed_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["from_assignee_id"], ["staff_user.id"], name=op.f("fk_follow_up_change_from_assignee_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["to_assignee_id"], ["staff_user.id"], name=op.f("fk_follow_up_change_to_assignee_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_change")),
    )
    op.create_index(op.f("ix_follow_up_change_follow_up_id"), "follow_up_change", ["follow_up_id"])
    op.create_index(op.f("ix_follow_up_change_case_id"), "follow_up_change", ["case_id"])
    with op.batch_alter_table("employer_contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("employer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("next_step", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("next_step_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_step_done_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_employer_contact_employer_id_employer"), "employer", ["employer_id"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_employer_contact_person_id_employer_person"), "employer_person", ["person_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_employer_contact_employer_id"), ["employer_id"])
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("employer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_placement_employer_id_employer"), "employer", ["employer_id"], ["id"])
        batch_op.create_index(op.f("ix_placement_employer_id"), ["employer_id"])


def downgrade():
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_placement_employer_id"))
        batch_op.drop_constraint(op.f("fk_placement_employer_id_employer"), type_="foreignkey")
        batch_op.drop_column("employer_id")
    with op.batch_alter_table("employer_contact", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_employer_contact_employer_id"))
        batch_op.drop_constraint(op.f("fk_employer_contact_person_id_employer_person"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_employer_contact_employer_id_employer"), type_="foreignkey")
        for column in (
            "next_step_done_at",
            "next_step_due",
            "next_step",
            "outcome",
            "purpose",
            "person_id",
            "employer_id",
        ):
            batch_op.drop_column(column)
    for table in ("follow_up_change", "suggestion", "opening_keyword", "opening", "employer_person", "employer"):
        op.drop_table(table)
