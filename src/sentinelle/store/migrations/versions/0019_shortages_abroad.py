"""shortages abroad (FDA, EMA) with what each snapshot said; a medicine's substances and their key

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "foreign_shortage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("record_key", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("substances", sa.Text(), nullable=False),
        sa.Column("substance_key", sa.String(length=300), nullable=False),
        sa.Column("company", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("first_snapshot", sa.Date(), nullable=False),
        sa.Column("last_snapshot", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foreign_shortage")),
        sa.UniqueConstraint("source", "record_key", name=op.f("uq_foreign_shortage_source")),
    )
    op.create_index(op.f("ix_foreign_shortage_substance_key"), "foreign_shortage", ["substance_key"], unique=False)
    op.create_table(
        "foreign_shortage_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shortage_id", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shortage_id"], ["foreign_shortage.id"], name=op.f("fk_foreign_shortage_event_shortage_id_foreign_shortage")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foreign_shortage_event")),
        sa.UniqueConstraint("shortage_id", "snapshot", name=op.f("uq_foreign_shortage_event_shortage_id")),
    )
    op.create_index(op.f("ix_foreign_shortage_event_shortage_id"), "foreign_shortage_event", ["shortage_id"], unique=False)

    with op.batch_alter_table("product") as batch:
        batch.add_column(sa.Column("substances", sa.Text(), nullable=True))
        batch.add_column(sa.Column("substance_key", sa.String(length=300), nullable=True))
        batch.create_index(batch.f("ix_product_substance_key"), ["substance_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.drop_index(batch.f("ix_product_substance_key"))
        batch.drop_column("substance_key")
        batch.drop_column("substances")
    op.drop_index(op.f("ix_foreign_shortage_event_shortage_id"), table_name="foreign_shortage_event")
    op.drop_table("foreign_shortage_event")
    op.drop_index(op.f("ix_foreign_shortage_substance_key"), table_name="foreign_shortage")
    op.drop_table("foreign_shortage")
