"""Running a date again gives the same gold tables, row for row."""

from __future__ import annotations

import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F
from pyspark.sql.types import MapType

pytestmark = pytest.mark.integration

# Tables the fixtures wrote for the sample's date in the pipeline's run and again in a rerun.
RERUN_TABLES = ("gold/person_metrics", "gold/influence_edges", "gold/scores")


def comparable(rows):
    """Rows with map columns as sorted entries: set operations cannot compare maps."""
    maps = [f.name for f in rows.schema.fields if isinstance(f.dataType, MapType)]
    return rows.select(*[F.array_sort(F.map_entries(c)).alias(c) if c in maps else F.col(c) for c in rows.columns])


@pytest.mark.parametrize("table", RERUN_TABLES)
def test_a_rerun_of_the_date_writes_exactly_the_rows_of_the_first_run(spark, sample_topics, table):
    run, _ = sample_topics
    path = run.warehouse.path(table)
    writes = [r["version"] for r in DeltaTable.forPath(spark, path).history().where(F.col("operation") == "WRITE").collect()]
    first, last = min(writes), max(writes)
    assert first < last, f"{table} was written once; the fixtures rerun its date"
    on_date = F.col("score_date") == F.lit(run.score_date)
    before = comparable(spark.read.format("delta").option("versionAsOf", first).load(path).where(on_date))
    after = comparable(spark.read.format("delta").option("versionAsOf", last).load(path).where(on_date))
    assert before.count() == after.count() > 0
    assert before.exceptAll(after).count() == 0 and after.exceptAll(before).count() == 0
