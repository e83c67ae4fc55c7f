"""what manufacturers declare of their supply chains; how a vulnerability was made

Revision ID: 0024
Revises: 0023
"""

from alembic import op
import sqlalchemy as sa


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supply_input",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("manufacturer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=True),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("sources >= 1", name=op.f("ck_supply_input_sources_positive")),
        sa.ForeignKeyConstraint(
            ["declared_by_id"], ["user_account.id"], name=op.f("fk_supply_input_declared_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"], ["organisation.id"], name=op.f("fk_supply_input_manufacturer_id_organisation")
        ),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_supply_input_product_id_product")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_input")),
        sa.UniqueConstraint("product_id", "name", name=op.f("uq_supply_input_product_id")),
    )
    with op.batch_alter_table("supply_input", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_input_manufacturer_id"), ["manufacturer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supply_input_product_id"), ["product_id"], unique=False)

    with op.batch_alter_table("product_vulnerability", schema=None) as batch_op:
        batch_op.add_column(sa.Column("model", sa.String(length=10), server_default="medicine", nullable=False))
        batch_op.create_index(batch_op.f("ix_product_vulnerability_model"), ["model"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("product_vulnerability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_vulnerability_model"))
        batch_op.drop_column("model")

    with op.batch_alter_table("supply_input", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_input_product_id"))
        batch_op.drop_index(batch_op.f("ix_supply_input_manufacturer_id"))

    op.drop_table("supply_input")
