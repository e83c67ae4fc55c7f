"""signals: each declaration its author's own record; one open declared signal per product and region

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OPEN = ("declared", "qualified", "validated", "published")
DECLARED_BY_PEOPLE = ("establishment", "region", "national", "manufacturer")


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE UNIQUE INDEX: no table is rebuilt (on SQLite, rebuilding `signal`,
    # which other tables reference, would fail on a database that holds signals).
    op.add_column("signal_declarer", sa.Column("admitted", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("signal_declarer", sa.Column("facts", sa.JSON(), nullable=True))
    op.add_column("signal_declarer", sa.Column("share_measures", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    op.add_column("signal", sa.Column("open_key", sa.String(length=40), nullable=True))
    op.create_index(op.f("ix_signal_open_key"), "signal", ["open_key"], unique=True)
    # The oldest open declared signal of each product and region takes the key; any later duplicate
    # (made before the key existed) stays as it is, for the national agency to merge: nothing is lost.
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, product_id, region_code FROM signal WHERE confidential = :f AND merged_into_id IS NULL "
        f"AND status IN ({', '.join(repr(s) for s in OPEN)}) "
        f"AND source IN ({', '.join(repr(s) for s in DECLARED_BY_PEOPLE)}) ORDER BY id"), {"f": False}).all()
    taken: set[str] = set()
    for signal_id, product_id, region_code in rows:
        key = f"{product_id}:{region_code or ''}"
        if key not in taken:
            taken.add(key)
            conn.execute(sa.text("UPDATE signal SET open_key = :k WHERE id = :i"), {"k": key, "i": signal_id})


def downgrade() -> None:
    op.drop_index(op.f("ix_signal_open_key"), table_name="signal")
    with op.batch_alter_table("signal") as batch:
        batch.drop_column("open_key")
    with op.batch_alter_table("signal_declarer") as batch:
        batch.drop_column("share_measures")
        batch.drop_column("facts")
        batch.drop_column("admitted")
