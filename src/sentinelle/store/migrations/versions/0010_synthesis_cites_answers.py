"""concertation: a synthesis sentence may cite a questionnaire's free-text answer

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot alter a CHECK constraint in place: batch mode copies the table.
    with op.batch_alter_table("synthesis_citation", recreate="always") as batch:
        batch.drop_constraint("ck_synthesis_citation_target_known", type_="check")
        batch.create_check_constraint(op.f("ck_synthesis_citation_target_known"), "target IN ('idea', 'comment', 'answer')")


def downgrade() -> None:
    with op.batch_alter_table("synthesis_citation", recreate="always") as batch:
        batch.drop_constraint("ck_synthesis_citation_target_known", type_="check")
        batch.create_check_constraint(op.f("ck_synthesis_citation_target_known"), "target IN ('idea', 'comment')")
