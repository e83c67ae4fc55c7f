"""product names as text: the BDPM's bits of HTML (« 10<sup>6</sup> ») imported before are made plain

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from sentinelle.text import fold, plain

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name FROM product WHERE name LIKE '%<%'")).all()
    for product_id, name in rows:
        text = plain(name)
        bind.execute(sa.text("UPDATE product SET name = :name, name_lower = :lower WHERE id = :id"),
                     {"name": text, "lower": fold(text)[:500], "id": product_id})


def downgrade() -> None:
    pass  # the markup is not worth restoring
