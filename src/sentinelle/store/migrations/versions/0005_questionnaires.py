"""concertation: questionnaires, versions, answers, tallies

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="ck_questionnaire_status_known"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name="fk_questionnaire_created_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_questionnaire"),
        sa.UniqueConstraint("slug", name="uq_questionnaire_slug"),
    )
    op.create_table(
        "questionnaire_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["questionnaire_id"], ["questionnaire.id"],
                                name="fk_questionnaire_version_questionnaire_id_questionnaire"),
        sa.PrimaryKeyConstraint("id", name="pk_questionnaire_version"),
        sa.UniqueConstraint("questionnaire_id", "number", name="uq_questionnaire_version_questionnaire_id"),
    )
    op.create_index("ix_questionnaire_version_questionnaire_id", "questionnaire_version", ["questionnaire_id"])
    op.create_table(
        "questionnaire_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["questionnaire_id"], ["questionnaire.id"],
                                name="fk_questionnaire_response_questionnaire_id_questionnaire"),
        sa.ForeignKeyConstraint(["version_id"], ["questionnaire_version.id"],
                                name="fk_questionnaire_response_version_id_questionnaire_version"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name="fk_questionnaire_response_user_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_questionnaire_response"),
        sa.UniqueConstraint("questionnaire_id", "respondent", name="uq_questionnaire_response_questionnaire_id"),
    )
    op.create_index("ix_questionnaire_response_version_id", "questionnaire_response", ["version_id"])
    op.create_table(
        "questionnaire_tally",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=40), nullable=False),
        sa.Column("choice", sa.String(length=80), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["questionnaire_version.id"],
                                name="fk_questionnaire_tally_version_id_questionnaire_version"),
        sa.PrimaryKeyConstraint("version_id", "question", "choice", "profile", "region",
                                name="pk_questionnaire_tally"),
    )


def downgrade() -> None:
    op.drop_table("questionnaire_tally")
    op.drop_table("questionnaire_response")
    op.drop_table("questionnaire_version")
    op.drop_table("questionnaire")
