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
    with op.batch_alter_table("signal_declarer") as batch:
        batch.add_column(sa.Column("admitted", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("facts", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("share_measures", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("signal") as batch:
        batch.add_column(sa.Column("open_key", sa.String(length=40), nullable=True))
        batch.create_unique_constraint(op.f("uq_signal_open_key"), ["open_key"])
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
    with op.batch_alter_table("signal") as batch:
        batch.drop_constraint(op.f("uq_signal_open_key"), type_="unique")
        batch.drop_column("open_key")
    with op.batch_alter_table("signal_declarer") as batch:
        batch.drop_column("share_measures")
        batch.drop_column("facts")
        batch.drop_column("admitted")
