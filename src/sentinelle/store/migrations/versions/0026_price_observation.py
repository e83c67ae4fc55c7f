"""each BDPM import's prices of presentations

Revision ID: 0026
Revises: 0025
"""

from alembic import op
import sqlalchemy as sa


revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "price_observation",
        sa.Column("cip13", sa.String(length=13), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("cis", sa.String(length=8), nullable=False),
        sa.Column("price", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("cip13", "observed_on", name=op.f("pk_price_observation")),
    )
    with op.batch_alter_table("price_observation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_observation_cis"), ["cis"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("price_observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_observation_cis"))

    op.drop_table("price_observation")
