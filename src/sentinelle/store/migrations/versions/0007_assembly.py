"""concertation: the assembly (draws, members, sittings, presence, motions and amendments, votes)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assembly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("quorum_share", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assembly"),
        sa.UniqueConstraint("slug", name="uq_assembly_slug"),
    )
    op.create_table(
        "assembly_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=200), nullable=False),
        sa.Column("volunteers", sa.JSON(), nullable=False),
        sa.Column("drawn", sa.Integer(), nullable=False),
        sa.Column("leaving", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], name="fk_assembly_draw_assembly_id_assembly"),
        sa.PrimaryKeyConstraint("id", name="pk_assembly_draw"),
    )
    op.create_index("ix_assembly_draw_assembly_id", "assembly_draw", ["assembly_id"])
    op.create_table(
        "assembly_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("term_start", sa.Integer(), nullable=False),
        sa.Column("term_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], name="fk_assembly_member_assembly_id_assembly"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name="fk_assembly_member_user_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_assembly_member"),
        sa.UniqueConstraint("assembly_id", "user_id", "term_start", name="uq_assembly_member_assembly_id"),
    )
    op.create_index("ix_assembly_member_assembly_id", "assembly_member", ["assembly_id"])
    op.create_table(
        "assembly_sitting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("held_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], name="fk_assembly_sitting_assembly_id_assembly"),
        sa.PrimaryKeyConstraint("id", name="pk_assembly_sitting"),
    )
    op.create_index("ix_assembly_sitting_assembly_id", "assembly_sitting", ["assembly_id"])
    op.create_table(
        "assembly_presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sitting_id"], ["assembly_sitting.id"],
                                name="fk_assembly_presence_sitting_id_assembly_sitting"),
        sa.ForeignKeyConstraint(["member_id"], ["assembly_member.id"],
                                name="fk_assembly_presence_member_id_assembly_member"),
        sa.PrimaryKeyConstraint("id", name="pk_assembly_presence"),
        sa.UniqueConstraint("sitting_id", "member_id", name="uq_assembly_presence_sitting_id"),
    )
    op.create_index("ix_assembly_presence_sitting_id", "assembly_presence", ["sitting_id"])
    op.create_table(
        "motion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("present", sa.Integer(), nullable=True),
        sa.Column("expressed", sa.Integer(), nullable=True),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("votes_against", sa.Integer(), nullable=True),
        sa.Column("abstentions", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'adopted', 'rejected', 'no_quorum')", name="ck_motion_status_known"),
        sa.ForeignKeyConstraint(["sitting_id"], ["assembly_sitting.id"], name="fk_motion_sitting_id_assembly_sitting"),
        sa.ForeignKeyConstraint(["parent_id"], ["motion.id"], name="fk_motion_parent_id_motion"),
        sa.PrimaryKeyConstraint("id", name="pk_motion"),
    )
    op.create_index("ix_motion_sitting_id", "motion", ["sitting_id"])
    op.create_table(
        "motion_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("choice IN ('pour', 'contre', 'abstention')", name="ck_motion_vote_choice_known"),
        sa.ForeignKeyConstraint(["motion_id"], ["motion.id"], name="fk_motion_vote_motion_id_motion"),
        sa.ForeignKeyConstraint(["member_id"], ["assembly_member.id"], name="fk_motion_vote_member_id_assembly_member"),
        sa.PrimaryKeyConstraint("id", name="pk_motion_vote"),
        sa.UniqueConstraint("motion_id", "member_id", name="uq_motion_vote_motion_id"),
    )
    op.create_index("ix_motion_vote_motion_id", "motion_vote", ["motion_id"])


def downgrade() -> None:
    for table in ("motion_vote", "motion", "assembly_presence", "assembly_sitting", "assembly_member",
                  "assembly_draw", "assembly"):
        op.drop_table(table)
