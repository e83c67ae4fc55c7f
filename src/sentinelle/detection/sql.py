"""What detection's SQL shares: one row read back, a file path written into a statement, a table or
query written to a file. (The tables with declared columns are in tables.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> tuple[Any, ...]:
    """The single row of a query that always returns one (an aggregate)."""
    row = con.execute(sql, params).fetchone() if params is not None else con.execute(sql).fetchone()
    if row is None:
        raise RuntimeError(f"no row from: {sql[:80]}")
    return row


def path_literal(path: Path | str) -> str:
    """`path` as a quoted SQL string literal (DuckDB takes no parameter for a file name in COPY or
    read_csv): single quotes doubled."""
    return "'" + str(path).replace("'", "''") + "'"


def copy_to(con: duckdb.DuckDBPyConnection, source: str, path: Path) -> None:
    """`source` (a table, or a query in parentheses) written to `path`: Parquet for a .parquet name,
    else CSV with a header."""
    kind = "(FORMAT parquet)" if path.suffix == ".parquet" else "(HEADER)"
    con.execute(f"COPY {source} TO {path_literal(path)} {kind}")
