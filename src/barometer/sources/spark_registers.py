"""A validated register delivery as Spark temporary views with the same names and types.

Validation and typing stay in one place, DuckDB (sources/registers.py): a delivery is validated
there first, and only then handed to Spark. Spark reads Parquet:

- a Parquet file whose columns already have the layout's types (the normal case: the research
  environment's Parquet and the synthetic generator) is read by Spark in place, its columns
  selected and named as the layout says;
- any other file (CSV, SAS, Parquet with other types) is written once, from DuckDB's typed view,
  to Parquet in ``staging`` and read from there. The typed values are then identical by
  construction, because DuckDB's typing rules produced them.

The code tables (countries, education groups, …) are copied from the DuckDB session, so both
engines join against the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from barometer.sources.registers import Delivery, RegisterFile, _source_types, _typed_expr

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# The registers the indicators read (compute/engine.py); housing (ind, boligomraader) is derived
# outside the engine and needs no Spark view.
COMPUTED = ("bef", "akm", "udda", "of", "eindk", "kraf", "udfk", "danskuddannelse")
CODE_TABLES = ("code_countries", "code_education", "code_municipalities", "code_socio13")

# DuckDB type names → Spark SQL type names, for the code tables.
_SPARK_TYPES = {
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "DATE": "date",
}


_SPARK_KINDS = {"str": "string", "int": "int", "float": "double", "date": "date"}


def direct_columns(con: duckdb.DuckDBPyConnection, rf: RegisterFile) -> dict[str, str] | None:
    """Layout column → source column if Spark can read the file as it is, else None."""
    if rf.path.suffix.lower() != ".parquet":
        return None
    src_types = _source_types(con, f"raw_{rf.view}")
    by_upper = {name.upper(): name for name in src_types}
    out = {}
    for c in rf.register.columns:
        src = by_upper[c.name.upper()]
        if _typed_expr(c, src, src_types[src], textual=False) != f'"{src}"':
            return None  # DuckDB would convert this column
        out[c.name] = src
    return out


def stage(con: duckdb.DuckDBPyConnection, rf: RegisterFile, staging: Path) -> Path:
    """Write DuckDB's typed view of a file to Parquet for Spark."""
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / f"{rf.view}.parquet"
    target = "'" + str(path).replace("'", "''") + "'"
    con.execute(f"COPY (SELECT * FROM {rf.view}) TO {target} (FORMAT parquet)")
    return path


def register_views(
    session: SparkSession,
    delivery: Delivery,
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    root: str | None = None,
) -> list[str]:
    """Create one Spark temporary view per delivery file the indicators read, plus the code
    tables.

    ``con`` is the DuckDB connection ``load_delivery`` validated the delivery in. ``root``: where
    Spark finds the same files (``hdfs:///…``, ``s3a://…``, ``abfss://…``), if not at the local
    path the driver validated. Returns the names of the files that had to be staged.
    """
    from pyspark.sql import functions

    staged = []
    for rf in delivery.files.values():
        if rf.register.key not in COMPUTED:
            continue
        cols = direct_columns(con, rf)
        if cols is None:
            df = session.read.parquet(stage(con, rf, staging).resolve().as_uri())
            staged.append(rf.path.name)
        else:
            where = f"{root.rstrip('/')}/{rf.path.name}" if root else rf.path.resolve().as_uri()
            # The schema is known (validated), so Spark need not infer it from the file footer.
            schema = ", ".join(
                f"`{cols[c.name]}` {_SPARK_KINDS[c.kind]}" for c in rf.register.columns
            )
            df = session.read.schema(schema).parquet(where)
            df = df.select(*[functions.col(f"`{src}`").alias(name) for name, src in cols.items()])
        df.createOrReplaceTempView(rf.view)
    for name in CODE_TABLES:
        rel = con.sql(f"SELECT * FROM {name}")
        schema = ", ".join(
            f"`{col}` {_SPARK_TYPES[str(typ).upper()]}"
            for col, typ in zip(rel.columns, rel.types, strict=True)
        )
        session.createDataFrame(rel.fetchall(), schema).createOrReplaceTempView(name)
    return staged
