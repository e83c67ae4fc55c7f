"""the priority list (and the regions each product concerns) and each medicine's industrial vulnerability, kept between refreshes

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "priority_entry",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("signal", sa.Double(), nullable=False),
        sa.Column("criticality", sa.Double(), nullable=False),
        sa.Column("vulnerability", sa.Double(), nullable=False),
        sa.Column("abroad", sa.Double(), nullable=False),
        sa.Column("seasonal", sa.Double(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_priority_entry_product_id_product")),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_priority_entry")),
    )
    op.create_index(op.f("ix_priority_entry_rank"), "priority_entry", ["rank"], unique=False)
    op.create_index(op.f("ix_priority_entry_score"), "priority_entry", ["score"], unique=False)
    op.create_table(
        "product_vulnerability",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_product_vulnerability_product_id_product")),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_vulnerability")),
    )

    op.create_table(
        "priority_region",
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_priority_region_product_id_product")),
        sa.PrimaryKeyConstraint("region_code", "product_id", name=op.f("pk_priority_region")),
    )
    op.create_index("ix_priority_region_region_rank", "priority_region", ["region_code", "rank"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_priority_region_region_rank"), table_name="priority_region")
    op.drop_table("priority_region")
    op.drop_index(op.f("ix_priority_entry_score"), table_name="priority_entry")
    op.drop_index(op.f("ix_priority_entry_rank"), table_name="priority_entry")
    op.drop_table("priority_entry")
    op.drop_table("product_vulnerability")
