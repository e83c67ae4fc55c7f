"""weekly supply series behind a signal raised by detection

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("fill_rate", sa.Float(), nullable=False),
        sa.Column("delay_days", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["signal_id"], ["signal.id"], name="fk_signal_series_signal_id_signal"),
        sa.PrimaryKeyConstraint("id", name="pk_signal_series"),
        sa.UniqueConstraint("signal_id", "week", name="uq_signal_series_signal_id"),
    )
    op.create_index("ix_signal_series_signal_id", "signal_series", ["signal_id"])


def downgrade() -> None:
    op.drop_table("signal_series")
