"""indexes for the signal list and a trigram index for product search

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The lists are ordered by last update, newest first, with status as the usual filter;
    # published_at rides along so that counting the public record reads the index alone.
    op.create_index("ix_signal_updated", "signal", ["updated_at", "id", "published_at"])
    op.create_index("ix_signal_status_updated", "signal", ["status", "updated_at", "id", "published_at"])
    if op.get_bind().dialect.name == "sqlite":
        # Substring search over names: an FTS5 trigram index kept in step with `product` by triggers.
        op.execute("CREATE VIRTUAL TABLE product_name_fts USING fts5("
                   "name_lower, content='product', content_rowid='id', tokenize='trigram')")
        op.execute("INSERT INTO product_name_fts(rowid, name_lower) SELECT id, name_lower FROM product")
        op.execute("CREATE TRIGGER product_name_fts_ai AFTER INSERT ON product BEGIN "
                   "INSERT INTO product_name_fts(rowid, name_lower) VALUES (new.id, new.name_lower); END")
        op.execute("CREATE TRIGGER product_name_fts_ad AFTER DELETE ON product BEGIN "
                   "INSERT INTO product_name_fts(product_name_fts, rowid, name_lower) "
                   "VALUES ('delete', old.id, old.name_lower); END")
        op.execute("CREATE TRIGGER product_name_fts_au AFTER UPDATE OF name_lower ON product BEGIN "
                   "INSERT INTO product_name_fts(product_name_fts, rowid, name_lower) "
                   "VALUES ('delete', old.id, old.name_lower); "
                   "INSERT INTO product_name_fts(rowid, name_lower) VALUES (new.id, new.name_lower); END")
    else:
        # pg_trgm is a trusted extension: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_product_name_trgm ON product USING gin (name_lower gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS product_name_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS product_name_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_product_name_trgm")
    op.drop_index("ix_signal_status_updated", "signal")
    op.drop_index("ix_signal_updated", "signal")
