"""detection episodes: each alert episode once, gathered on the product's open signal in its scope

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detection_episode",
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("first_alert_at", sa.Date(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["signal_id"], ["signal.id"], name=op.f("fk_detection_episode_signal_id_signal")),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_detection_episode")),
    )
    op.create_index(op.f("ix_detection_episode_signal_id"), "detection_episode", ["signal_id"])
    # The episodes already declared, each its own signal until now.
    op.execute("INSERT INTO detection_episode (ref, signal_id, first_alert_at, seen_at) "
               "SELECT external_ref, id, started_at, created_at FROM signal WHERE source = 'detection' "
               "AND external_ref IS NOT NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_detection_episode_signal_id"), table_name="detection_episode")
    op.drop_table("detection_episode")
