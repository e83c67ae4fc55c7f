"""notifications: webhooks belong to an organisation; deliveries retried with backoff, linked to their webhook

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_subscription_organisation_id_organisation"), "organisation",
                                 ["organisation_id"], ["id"])
        batch.create_index(op.f("ix_subscription_organisation_id"), ["organisation_id"])
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("subscription_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_delivery_subscription_id_subscription"), "subscription",
                                 ["subscription_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_delivery_subscription_id"), ["subscription_id"])
    # Existing webhooks: owned by their subscriber's organisation (none for a person without one).
    op.execute("UPDATE subscription SET organisation_id = (SELECT organisation_id FROM user_account "
               "WHERE user_account.id = subscription.user_id) WHERE webhook_url IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index(op.f("ix_delivery_subscription_id"))
        batch.drop_constraint(op.f("fk_delivery_subscription_id_subscription"), type_="foreignkey")
        batch.drop_column("subscription_id")
        batch.drop_column("next_attempt_at")
    with op.batch_alter_table("subscription") as batch:
        batch.drop_index(op.f("ix_subscription_organisation_id"))
        batch.drop_constraint(op.f("fk_subscription_organisation_id_organisation"), type_="foreignkey")
        batch.drop_column("organisation_id")
