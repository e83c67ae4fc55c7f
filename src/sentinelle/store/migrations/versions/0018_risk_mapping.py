"""risk mapping: P.I.E.U grids (versioned), each hospital's mapping, its scores per EMDN category

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_grid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("combination", sa.String(length=10), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("guide", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("scale_min >= 0 AND scale_max > scale_min AND scale_max <= 10", name=op.f("ck_risk_grid_scale")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_risk_grid_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_grid")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_risk_grid_code")),
    )
    op.create_table(
        "risk_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("shared_at", sa.DateTime(), nullable=True),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["based_on_id"], ["risk_mapping.id"], name=op.f("fk_risk_mapping_based_on_id_risk_mapping")),
        sa.ForeignKeyConstraint(["grid_id"], ["risk_grid.id"], name=op.f("fk_risk_mapping_grid_id_risk_grid")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_risk_mapping_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_mapping")),
        sa.UniqueConstraint("organisation_id", "grid_id", name=op.f("uq_risk_mapping_organisation_id")),
    )
    op.create_index(op.f("ix_risk_mapping_grid_id"), "risk_mapping", ["grid_id"], unique=False)
    op.create_index(op.f("ix_risk_mapping_organisation_id"), "risk_mapping", ["organisation_id"], unique=False)
    op.create_table(
        "risk_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mapping_id", sa.Integer(), nullable=False),
        sa.Column("emdn_code", sa.String(length=16), nullable=False),
        sa.Column("p", sa.Integer(), nullable=False),
        sa.Column("i", sa.Integer(), nullable=False),
        sa.Column("e", sa.Integer(), nullable=False),
        sa.Column("u", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("risk_class", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("scored_by_id", sa.Integer(), nullable=True),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "p >= 0 AND p <= 10 AND i >= 0 AND i <= 10 AND e >= 0 AND e <= 10 AND u >= 0 AND u <= 10",
            name=op.f("ck_risk_score_criteria_range"),
        ),
        sa.ForeignKeyConstraint(["emdn_code"], ["emdn_code.code"], name=op.f("fk_risk_score_emdn_code_emdn_code")),
        sa.ForeignKeyConstraint(["mapping_id"], ["risk_mapping.id"], name=op.f("fk_risk_score_mapping_id_risk_mapping")),
        sa.ForeignKeyConstraint(["scored_by_id"], ["user_account.id"], name=op.f("fk_risk_score_scored_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_score")),
        sa.UniqueConstraint("mapping_id", "emdn_code", name=op.f("uq_risk_score_mapping_id")),
    )
    op.create_index(op.f("ix_risk_score_mapping_id"), "risk_score", ["mapping_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_score_mapping_id"), table_name="risk_score")
    op.drop_table("risk_score")
    op.drop_index(op.f("ix_risk_mapping_organisation_id"), table_name="risk_mapping")
    op.drop_index(op.f("ix_risk_mapping_grid_id"), table_name="risk_mapping")
    op.drop_table("risk_mapping")
    op.drop_table("risk_grid")
