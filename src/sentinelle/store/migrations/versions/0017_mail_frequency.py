"""each person chooses how notifications reach them by e-mail: at once, a daily digest, or not at all

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("mail_frequency", sa.String(length=10), nullable=False, server_default="immediate"))
        batch.add_column(sa.Column("digest_sent_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("digest_sent_at")
        batch.drop_column("mail_frequency")
