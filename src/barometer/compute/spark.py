"""Run the catalogue on Apache Spark through Ibis's PySpark backend.

The same compiled expressions as on DuckDB (compute/engine.py); only the session differs. The
delivery is validated in DuckDB first (sources/registers.py), then read as Parquet by Spark
(sources/spark_registers.py). The aggregated cells come back to the driver and are rolled up in
DuckDB like on every engine.

``master`` chooses where Spark runs:

- ``None``: the session ``spark-submit`` (or an existing session) provides;
- ``local[N]``, ``spark://host:7077``, ``yarn``, ``k8s://…``: a classic session with that master;
- ``sc://host:15002``: Spark Connect (needs ``pyspark[connect]`` on the client).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from barometer.catalogue.models import Indicator
from barometer.compute.engine import ComputeResult, Progress, compute_observations
from barometer.errors import InputError
from barometer.sources.registers import Delivery
from barometer.sources.spark_registers import register_views

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Settings for a local session this module creates (a cluster keeps its own): no web UI, and few
# shuffle partitions: the aggregated cells are small, and Spark's default of 200 partitions costs
# more than the work on one machine. On a cluster, set spark.sql.shuffle.partitions to about
# 2-3 × the executor cores (docs/scale.md).
LOCAL_CONF = {
    "spark.driver.bindAddress": "127.0.0.1",  # local mode needs no network (CI, sandboxes)
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
}
LOCAL_SHUFFLE_PARTITIONS = "8"


def spark_session(master: str | None, conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session for ``master`` (see the module docstring); ``conf`` wins over defaults."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - depends on the installation
        raise InputError(
            "--engine spark needs PySpark: pip install 'pyspark>=3.5,<4.1' (and Java 17)"
        ) from None
    conf = dict(conf or {})
    builder = SparkSession.builder.appName("integrationsbarometer")
    if master and master.startswith("sc://"):
        builder = builder.remote(master)
    else:
        if master:
            builder = builder.master(master)
        if master and master.startswith("local"):
            conf = {**LOCAL_CONF, **conf}
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    local = master is not None and master.startswith("local")
    if master is None and not _is_connect(session):
        local = session.sparkContext.master.startswith("local")  # plain python: local[*]
    key = "spark.sql.shuffle.partitions"
    if local and key not in conf and session.conf.get(key) == "200":  # Spark's default
        session.conf.set(key, LOCAL_SHUFFLE_PARTITIONS)
    return session


def _is_connect(session: SparkSession) -> bool:
    return type(session).__module__.startswith("pyspark.sql.connect")


def compute_with_spark(
    delivery: Delivery,
    catalogue: dict[str, Indicator],
    *,
    duckdb_con: duckdb.DuckDBPyConnection,
    master: str | None = "local[2]",
    years: list[int] | None = None,
    progress: Progress | None = None,
    session: SparkSession | None = None,
    staging: Path | None = None,
    spark_root: str | None = None,
    conf: dict[str, str] | None = None,
) -> ComputeResult:
    """Compute every indicator on Spark; the result equals ``compute_observations`` on DuckDB.

    ``duckdb_con`` is the connection ``load_delivery`` validated ``delivery`` in. ``session``: use
    this Spark session instead of creating one (it is then left running). ``staging``: where
    files Spark cannot read in place are written as typed Parquet (default: a temporary folder;
    on a cluster it must be a path every executor can read). ``spark_root``: the folder (URL)
    where Spark reads the delivery's Parquet files, when it is not the local folder the driver
    validated, e.g. ``hdfs:///projects/p123/delivery`` (same file names).
    """
    import ibis

    own = session is None
    if progress:
        progress("start spark", 0, 1)
    session = session or spark_session(master, conf)
    tmp = None
    try:
        if staging is None:
            tmp = tempfile.TemporaryDirectory(prefix="barometer-spark-")
            staging = Path(tmp.name)
        con = ibis.pyspark.connect(session)
        staged = register_views(session, delivery, duckdb_con, Path(staging), spark_root)
        result = compute_observations(con, delivery, catalogue, years=years, progress=progress)
        if staged:
            result.notes.append(
                f"spark: {len(staged)} file(s) staged as typed Parquet (not Parquet with the "
                f"layout's types): {', '.join(staged)}"
            )
        return result
    finally:
        if own:
            session.stop()
        if tmp is not None:
            tmp.cleanup()


def java_available() -> bool:
    """Whether a Java runtime Spark can use is on this machine (JAVA_HOME or PATH)."""
    import shutil

    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None
