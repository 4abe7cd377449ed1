"""What differs between execution engines, in one place (never per indicator).

The catalogue compiles to the same Ibis expressions for every engine (compute/compiler.py,
compute/person_year.py); only the few operations Ibis leaves to the backend go through here:

- materialising a per-person event table once for all years (DuckDB: a temporary table;
  Spark: a cached temporary view),
- the row counts that check a joined snapshot against the population,
- the DuckDB connection the small, aggregated roll-up runs in (the roll-up stays in DuckDB for
  every engine: it reads a few thousand cells, not person rows).

Types, date arithmetic and null handling are the same by construction: every input column is
cast to the layout's type before the compute step (sources/registers.py for DuckDB, the same typed
Parquet for Spark: sources/spark_registers.py), ages and intervals are computed from date parts,
and every NULL is filled explicitly in the compiled expressions (compiler.compile_filters).
"""

from __future__ import annotations

import duckdb
import ibis
import ibis.expr.types as ir


def is_duckdb(con: ibis.BaseBackend) -> bool:
    return con.name == "duckdb"


def materialize(con: ibis.BaseBackend, name: str, expr: ir.Table) -> ir.Table:
    """Compute ``expr`` once into a session-scoped table called ``name``."""
    if is_duckdb(con):
        # Plain SQL keeps this engine-neutral in Ibis terms and avoids a DuckDB 2 API change.
        con.con.execute(f"CREATE TEMP TABLE {name} AS {con.compile(expr)}")
    else:
        # Spark (classic or Connect): a temporary view, cached eagerly by CACHE TABLE.
        con.create_view(name, expr, overwrite=True)
        con.raw_sql(f"CACHE TABLE `{name}`")
    return con.table(name)


def count_rows(con: ibis.BaseBackend, view: str) -> int:
    if is_duckdb(con):
        return con.con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
    return int(con.table(view).count().to_pyarrow().as_py())


def count_rows_and_pnrs(con: ibis.BaseBackend, view: str) -> tuple[int, int]:
    """Rows and distinct PNR of a view (to find a duplicated person)."""
    if is_duckdb(con):
        return con.con.execute(f"SELECT count(*), count(DISTINCT PNR) FROM {view}").fetchone()
    t = con.table(view)
    row = t.aggregate(n=t.count(), distinct=t.PNR.nunique()).to_pyarrow().to_pylist()[0]
    return int(row["n"]), int(row["distinct"])


def rollup_connection(con: ibis.BaseBackend) -> duckdb.DuckDBPyConnection | None:
    """The DuckDB connection for the roll-up: the build's own, or a new in-memory one."""
    return con.con if is_duckdb(con) else None
