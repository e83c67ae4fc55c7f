"""concertation: the idea box (ideas, threaded comments, votes, reports, moderation log)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idea",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("external_ref", sa.String(length=200), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("theme IN ('efficiency', 'territories', 'access')", name="ck_idea_theme_known"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name="fk_idea_author_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_idea"),
        sa.UniqueConstraint("external_ref", name="uq_idea_external_ref"),
    )
    op.create_index("ix_idea_author_id", "idea", ["author_id"])
    op.create_table(
        "idea_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["idea.id"], name="fk_idea_comment_idea_id_idea"),
        sa.ForeignKeyConstraint(["parent_id"], ["idea_comment.id"], name="fk_idea_comment_parent_id_idea_comment"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name="fk_idea_comment_author_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_idea_comment"),
    )
    op.create_index("ix_idea_comment_idea_id", "idea_comment", ["idea_id"])
    op.create_index("ix_idea_comment_author_id", "idea_comment", ["author_id"])
    op.create_table(
        "idea_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=120), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("value IN (-1, 0, 1)", name="ck_idea_vote_value_known"),
        sa.ForeignKeyConstraint(["idea_id"], ["idea.id"], name="fk_idea_vote_idea_id_idea"),
        sa.PrimaryKeyConstraint("id", name="pk_idea_vote"),
        sa.UniqueConstraint("idea_id", "voter", name="uq_idea_vote_idea_id"),
    )
    op.create_index("ix_idea_vote_voter", "idea_vote", ["voter"])
    op.create_table(
        "idea_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("target IN ('idea', 'comment')", name="ck_idea_report_target_known"),
        sa.ForeignKeyConstraint(["reporter_id"], ["user_account.id"], name="fk_idea_report_reporter_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_idea_report"),
        sa.UniqueConstraint("target", "target_id", "reporter_id", name="uq_idea_report_target"),
    )
    op.create_table(
        "idea_moderation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("target IN ('idea', 'comment')", name="ck_idea_moderation_target_known"),
        sa.CheckConstraint("action IN ('hide', 'restore')", name="ck_idea_moderation_action_known"),
        sa.ForeignKeyConstraint(["moderator_id"], ["user_account.id"],
                                name="fk_idea_moderation_moderator_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_idea_moderation"),
    )
    op.create_index("ix_idea_moderation_target_id", "idea_moderation", ["target_id"])


def downgrade() -> None:
    for table in ("idea_moderation", "idea_report", "idea_vote", "idea_comment", "idea"):
        op.drop_table(table)
