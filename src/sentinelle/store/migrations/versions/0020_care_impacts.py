"""impacts of shortages on care: one record per hospital and signal

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_impact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("delayed_care", sa.Boolean(), nullable=False),
        sa.Column("delayed_patients", sa.Integer(), nullable=False),
        sa.Column("deprogrammed", sa.Integer(), nullable=False),
        sa.Column("switched", sa.Boolean(), nullable=False),
        sa.Column("switch_training", sa.Boolean(), nullable=False),
        sa.Column("switch_adaptation", sa.Boolean(), nullable=False),
        sa.Column("adverse_events", sa.Integer(), nullable=False),
        sa.Column("vigilance_refs", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "delayed_patients >= 0 AND deprogrammed >= 0 AND adverse_events >= 0", name=op.f("ck_care_impact_counts")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_care_impact_author_id_user_account")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_care_impact_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["signal_id"], ["signal.id"], name=op.f("fk_care_impact_signal_id_signal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_impact")),
        sa.UniqueConstraint("signal_id", "organisation_id", name=op.f("uq_care_impact_signal_id")),
    )
    op.create_index(op.f("ix_care_impact_organisation_id"), "care_impact", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_care_impact_signal_id"), "care_impact", ["signal_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_care_impact_signal_id"), table_name="care_impact")
    op.drop_index(op.f("ix_care_impact_organisation_id"), table_name="care_impact")
    op.drop_table("care_impact")
