"""the seasonal watch list, versioned: its categories, why, for which waves, when to alert

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watch_list_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("retex", sa.Text(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["user_account.id"], name=op.f("fk_watch_list_version_published_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_list_version")),
        sa.UniqueConstraint("version", name=op.f("uq_watch_list_version_version")),
    )
    op.create_table(
        "watch_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("emdn_code", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("waves", sa.JSON(), nullable=False),
        sa.Column("demand_ratio", sa.Double(), nullable=False),
        sa.Column("coverage_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["emdn_code"], ["emdn_code.code"], name=op.f("fk_watch_category_emdn_code_emdn_code")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["watch_list_version.id"], name=op.f("fk_watch_category_version_id_watch_list_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_category")),
        sa.UniqueConstraint("version_id", "emdn_code", name=op.f("uq_watch_category_version_id")),
    )
    op.create_index(op.f("ix_watch_category_version_id"), "watch_category", ["version_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_watch_category_version_id"), table_name="watch_category")
    op.drop_table("watch_category")
    op.drop_table("watch_list_version")
