"""concertation: volunteers for the assembly's draw

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assembly_volunteer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], name="fk_assembly_volunteer_assembly_id_assembly"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name="fk_assembly_volunteer_user_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_assembly_volunteer"),
        sa.UniqueConstraint("assembly_id", "user_id", name="uq_assembly_volunteer_assembly_id"),
    )
    op.create_index("ix_assembly_volunteer_assembly_id", "assembly_volunteer", ["assembly_id"])


def downgrade() -> None:
    op.drop_index("ix_assembly_volunteer_assembly_id", table_name="assembly_volunteer")
    op.drop_table("assembly_volunteer")
