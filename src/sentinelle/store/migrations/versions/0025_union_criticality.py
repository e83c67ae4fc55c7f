"""the Union list's criticality of substances

Revision ID: 0025
Revises: 0024
"""

from alembic import op
import sqlalchemy as sa


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "union_criticality",
        sa.Column("substance_key", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("seriousness", sa.String(length=8), nullable=False),
        sa.Column("alternatives", sa.Integer(), nullable=False),
        sa.Column("criticality", sa.String(length=8), nullable=False),
        sa.Column("on_union_list", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("substance_key", name=op.f("pk_union_criticality")),
    )
    with op.batch_alter_table("union_criticality", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_union_criticality_criticality"), ["criticality"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("union_criticality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_union_criticality_criticality"))

    op.drop_table("union_criticality")
