"""Comparing the tables of two warehouses: contents, without what differs between runs."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, FloatType, MapType

from jobs.common.ingest_io import SOURCES


def relative() -> Column:
    """A record's file relative to its input folder: the same for a file in two runs."""
    return F.regexp_extract("source_file", r"/((?:" + "|".join(SOURCES) + r")/[^/]+|identities\.csv)$", 1)


RUN_TIMES = ("ingested_at", "quarantined_at", "file_modification_time")


def comparable(rows: DataFrame) -> DataFrame:
    """Rows without run ids and times of the run, doubles rounded, maps as sorted entries,
    files relative to their input folder."""
    columns = []
    for field in rows.schema.fields:
        name = field.name
        if name in RUN_TIMES or name.endswith("run_id"):
            continue
        if name == "source_file":
            columns.append(relative().alias(name))
        elif isinstance(field.dataType, (DoubleType, FloatType)):
            columns.append(F.round(name, 9).alias(name))
        elif isinstance(field.dataType, MapType):
            columns.append(F.array_sort(F.map_entries(name)).alias(name))
        else:
            columns.append(F.col(name))
    return rows.select(*columns)


def assert_same(got: DataFrame, want: DataFrame, what: str) -> None:
    """Equal as multisets of rows (so a row written twice differs), and not empty."""
    got, want = got.cache(), want.cache()
    try:
        assert got.count() == want.count() > 0, what
        assert got.exceptAll(want).count() == 0 and want.exceptAll(got).count() == 0, what
    finally:
        got.unpersist()
        want.unpersist()


