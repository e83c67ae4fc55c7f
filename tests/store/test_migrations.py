"""The Alembic migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from sentinelle.store.metadata import metadata

# Built by migration 0002 for search, outside the models: SQLite's FTS5 table and its shadow tables,
# PostgreSQL's trigram index.
SEARCH_INDEX_OBJECTS = ("product_name_fts", "ix_product_name_trgm")


def _ours(diff: object) -> bool:
    text = repr(diff)
    return not any(name in text for name in SEARCH_INDEX_OBJECTS)


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if _ours(d)]
    assert diffs == []


def test_a_value_its_column_cannot_hold_is_refused_naming_the_field(engine: Engine) -> None:
    import pytest

    from sentinelle.catalogue.models import Organisation
    from sentinelle.errors import Invalid
    from sentinelle.store.db import session_factory

    for values, field in (({"name": "x" * 301}, "name"), ({"name": "a\x00b"}, "name"),
                          ({"name": "CH", "region_code": "123"}, "region_code")):
        with session_factory(engine)() as session:
            session.add(Organisation(kind="establishment", **values))
            with pytest.raises(Invalid) as err:
                session.flush()
            assert err.value.field == field
