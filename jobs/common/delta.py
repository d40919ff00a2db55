"""Delta Lake helpers, each doing one thing, and the layout of the warehouse.

Every table is a Delta table at ``<warehouse>/<layer>/<name>`` and is registered in the
Spark catalog as ``<database>.<layer>_<name>`` (for example ``clout.silver_events``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from jobs.common.spark import INSTALL_HINT, DependencyError

try:
    from delta.tables import DeltaTable
except ModuleNotFoundError as missing:  # pragma: no cover - depends on the environment
    raise DependencyError(f"Python package 'delta-spark' is not installed: {INSTALL_HINT}.") from missing


@dataclass(frozen=True)
class Warehouse:
    """Where the tables of one deployment live.

    Attributes:
        root: Warehouse directory or URI (a local folder, ``s3://...``, ``abfss://...``).
        database: Catalog database the tables are registered in.
    """

    root: str
    database: str

    def path(self, table: str) -> str:
        """Storage location of a table, e.g. ``silver/events``."""
        root = self.root if "://" in self.root else str(Path(self.root).resolve())
        return f"{root.rstrip('/')}/{table}"

    def name(self, table: str) -> str:
        """Catalog name of a table, e.g. ``clout.silver_events``."""
        return f"{self.database}.{table.replace('/', '_')}"


def table_exists(spark: SparkSession, path: str) -> bool:
    """Whether a Delta table exists at a path."""
    return DeltaTable.isDeltaTable(spark, path)


def ensure_table(
    spark: SparkSession,
    warehouse: Warehouse,
    table: str,
    schema: StructType,
    partition_by: Iterable[str] = (),
    comment: str | None = None,
) -> None:
    """Creates a table if it does not exist, and registers it in the catalog.

    Nothing else is read: a run calls this for every table it may write, and loading each
    table's state here (``DeltaTable.forPath``) would cost a log replay per table per run.

    Args:
        spark: The session.
        warehouse: Warehouse layout.
        table: Logical table, e.g. ``silver/events``.
        schema: Schema of a new table.
        partition_by: Partition columns of a new table.
        comment: Table comment.
    """
    path = warehouse.path(table)
    if not table_exists(spark, path):
        builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(schema)
        if partition_by:
            builder = builder.partitionedBy(*partition_by)
        if comment:
            builder = builder.comment(comment)
        builder.execute()
    register_table(spark, warehouse, table)


def local_tables(warehouse: Warehouse) -> list[str]:
    """The Delta tables (``layer/name`` or ``name``) of a warehouse on a local filesystem.

    A local Spark session keeps its catalog in memory, so a new session (a notebook, a
    shell) registers what an earlier run wrote; a cluster's metastore keeps them itself.
    """
    root = Path(warehouse.path(""))
    found = {str(log.parent.relative_to(root)) for log in root.glob("*/_delta_log")}
    found |= {str(log.parent.relative_to(root)) for log in root.glob("*/*/_delta_log")}
    return sorted(found)


def register_local_tables(spark: SparkSession, warehouse: Warehouse) -> list[str]:
    """Registers every Delta table of a local warehouse; returns their catalog names.

    For a new local session (a notebook, the SQL endpoint), whose catalog starts empty.
    """
    tables = local_tables(warehouse)
    for table in tables:
        register_table(spark, warehouse, table)
    return [warehouse.name(table) for table in tables]


def register_table(spark: SparkSession, warehouse: Warehouse, table: str) -> None:
    """Registers an existing Delta table in the catalog under its logical name.

    A name already registered is left as it is: a catalog lookup costs no Spark job, while
    ``CREATE TABLE IF NOT EXISTS`` reads the table's log every time.
    """
    if not spark.catalog.databaseExists(warehouse.database):
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {warehouse.database}")
    elif spark.catalog.tableExists(warehouse.name(table)):
        return
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {warehouse.name(table)} "
        f"USING DELTA LOCATION '{warehouse.path(table)}'"
    )


def _sql_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def table_comment(spark: SparkSession, path: str) -> str | None:
    """A Delta table's comment (its description), or None."""
    return DeltaTable.forPath(spark, path).detail().first()["description"]


def comment_table(spark: SparkSession, warehouse: Warehouse, table: str, comment: str, columns: dict[str, str]) -> None:
    """Sets a registered table's comment and its columns' comments (what BI tools show)."""
    name = warehouse.name(table)
    spark.sql(f"COMMENT ON TABLE {name} IS {_sql_string(comment)}")
    for column, text in columns.items():
        spark.sql(f"ALTER TABLE {name} ALTER COLUMN {column} COMMENT {_sql_string(text)}")


def column_comments(spark: SparkSession, path: str) -> dict[str, str]:
    """A Delta table's column comments, by column (columns without one left out)."""
    fields = spark.read.format("delta").load(path).schema.fields
    return {f.name: f.metadata["comment"] for f in fields if "comment" in f.metadata}


def write_date(
    spark: SparkSession,
    warehouse: Warehouse,
    table: str,
    rows: DataFrame,
    score_date: dt.date,
    comment: str,
    columns: dict[str, str],
) -> int:
    """Replaces one ``score_date`` of a gold table, registered and commented; returns the
    rows written (from Delta's commit metrics, not a count).

    New columns are added to the table (older dates read them as null). Comments are
    commits of their own, so they are set only when missing or changed.
    """
    path = warehouse.path(table)
    version = table_version(spark, path)
    replace_partition(rows, path, "score_date", score_date.isoformat(), add_new_columns=True)
    written = rows_written(spark, path, version)["inserted"]
    register_table(spark, warehouse, table)
    wanted = {c: columns[c] for c in rows.columns if c in columns}
    if table_comment(spark, path) != comment or not wanted.items() <= column_comments(spark, path).items():
        comment_table(spark, warehouse, table, comment, wanted)
    return written


def append(rows: DataFrame, path: str) -> None:
    """Appends rows to a Delta table."""
    rows.write.format("delta").mode("append").save(path)


def replace_partition(rows: DataFrame, path: str, column: str, value: str, add_new_columns: bool = False) -> None:
    """Atomically replaces the rows of one partition value (creating the table if needed).

    Other partitions are untouched; a reader sees the old rows or the new, never a mix.
    With ``add_new_columns``, columns (or struct fields) the table lacks are added to it
    and read as null in older partitions; any other schema change still fails.
    """
    writer = rows.write.format("delta").mode("overwrite").option("mergeSchema", str(add_new_columns).lower())
    if DeltaTable.isDeltaTable(rows.sparkSession, path):
        writer.option("replaceWhere", f"{column} = '{value}'").save(path)
    else:
        writer.partitionBy(column).save(path)


def table_version(spark: SparkSession, path: str) -> int:
    """The latest version of a Delta table, or -1 if there is no table yet."""
    if not table_exists(spark, path):
        return -1
    return int(DeltaTable.forPath(spark, path).history(1).first()["version"])


def rows_written(spark: SparkSession, path: str, since_version: int) -> dict[str, int]:
    """Rows inserted and updated by the commits after ``since_version``, from Delta's
    commit metrics (not a count of the table): what one run wrote, however many commits.

    A MERGE counts the rows it inserted and updated (its ``numOutputRows`` also holds rows
    merely copied into rewritten files); a WRITE, its output rows; an UPDATE, its updated rows; a DELETE, none.
    """
    totals = {"inserted": 0, "updated": 0}
    if not table_exists(spark, path):
        return totals
    commits = DeltaTable.forPath(spark, path).history().where(f"version > {since_version}").select("operation", "operationMetrics")
    for operation, metrics in commits.collect():  # one row per commit of this run: a handful
        metrics = {k: int(v) for k, v in (metrics or {}).items() if v and v.isdigit()}
        if operation == "MERGE":
            totals["inserted"] += metrics.get("numTargetRowsInserted", 0)
            totals["updated"] += metrics.get("numTargetRowsUpdated", 0)
        elif operation == "UPDATE":
            totals["updated"] += metrics.get("numUpdatedRows", 0)
        elif operation == "DELETE":  # a rollback of a run that did not end: its output rows are copies of kept ones
            continue
        else:  # WRITE, CREATE OR REPLACE TABLE ... AS SELECT
            totals["inserted"] += metrics.get("numOutputRows", 0)
    return totals
