"""what the national agency made public of the anticipation work (the vulnerability ranking)

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_publication",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["user_account.id"], name=op.f("fk_risk_publication_changed_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_risk_publication")),
    )


def downgrade() -> None:
    op.drop_table("risk_publication")
