"""regional-only publication, purchasing-group memberships, ratings of alternatives

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signal") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=10), nullable=False, server_default="national"))
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchaser_id", sa.Integer(), nullable=False),
        sa.Column("establishment_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["purchaser_id"], ["organisation.id"], name="fk_membership_purchaser_id_organisation"),
        sa.ForeignKeyConstraint(["establishment_id"], ["organisation.id"],
                                name="fk_membership_establishment_id_organisation"),
        sa.PrimaryKeyConstraint("id", name="pk_membership"),
        sa.UniqueConstraint("purchaser_id", "establishment_id", name="uq_membership_purchaser_id"),
    )
    op.create_index("ix_membership_purchaser_id", "membership", ["purchaser_id"])
    op.create_index("ix_membership_establishment_id", "membership", ["establishment_id"])
    op.create_table(
        "alternative_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alternative_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_alternative_rating_score_range"),
        sa.ForeignKeyConstraint(["alternative_id"], ["alternative.id"],
                                name="fk_alternative_rating_alternative_id_alternative"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name="fk_alternative_rating_user_id_user_account"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name="fk_alternative_rating_organisation_id_organisation"),
        sa.PrimaryKeyConstraint("id", name="pk_alternative_rating"),
        sa.UniqueConstraint("alternative_id", "user_id", name="uq_alternative_rating_alternative_id"),
    )
    op.create_index("ix_alternative_rating_alternative_id", "alternative_rating", ["alternative_id"])


def downgrade() -> None:
    op.drop_table("alternative_rating")
    op.drop_table("membership")
    with op.batch_alter_table("signal") as batch:
        batch.drop_column("scope")
