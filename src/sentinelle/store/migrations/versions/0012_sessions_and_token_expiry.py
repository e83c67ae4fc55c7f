"""accounts: log-in sessions kept on the server (logging out ends them); API tokens expire and are revoked

Revision ID: 0012
Revises: 0011
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_login_session_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("sid_hash", name=op.f("uq_login_session_sid_hash")),
    )
    op.create_index(op.f("ix_login_session_user_id"), "login_session", ["user_id"])
    for name in ("expires_at", "last_used_at", "revoked_at"):
        op.add_column("api_token", sa.Column(name, sa.DateTime(), nullable=True))
    # Tokens issued before expiry existed: 90 days from now, the default for new ones (none is cut
    # off by the upgrade itself; each owner sees the date on the tokens page).
    in_90_days = (datetime.now(UTC) + timedelta(days=90)).replace(tzinfo=None)
    op.execute(sa.text("UPDATE api_token SET expires_at = :at WHERE expires_at IS NULL").bindparams(at=in_90_days))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
    op.drop_index(op.f("ix_login_session_user_id"), table_name="login_session")
    op.drop_table("login_session")
