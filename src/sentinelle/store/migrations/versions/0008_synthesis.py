"""concertation: the written synthesis and its citations

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "synthesis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_synthesis"),
        sa.UniqueConstraint("slug", name="uq_synthesis_slug"),
    )
    op.create_table(
        "synthesis_sentence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("synthesis_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["synthesis_id"], ["synthesis.id"], name="fk_synthesis_sentence_synthesis_id_synthesis"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name="fk_synthesis_sentence_author_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_synthesis_sentence"),
    )
    op.create_index("ix_synthesis_sentence_synthesis_id", "synthesis_sentence", ["synthesis_id"])
    op.create_table(
        "synthesis_citation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sentence_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("target IN ('idea', 'comment')", name="ck_synthesis_citation_target_known"),
        sa.ForeignKeyConstraint(["sentence_id"], ["synthesis_sentence.id"],
                                name="fk_synthesis_citation_sentence_id_synthesis_sentence"),
        sa.PrimaryKeyConstraint("id", name="pk_synthesis_citation"),
        sa.UniqueConstraint("sentence_id", "target", "target_id", name="uq_synthesis_citation_sentence_id"),
    )
    op.create_index("ix_synthesis_citation_sentence_id", "synthesis_citation", ["sentence_id"])
    op.create_index("ix_synthesis_citation_target_id", "synthesis_citation", ["target_id"])


def downgrade() -> None:
    for table in ("synthesis_citation", "synthesis_sentence", "synthesis"):
        op.drop_table(table)
