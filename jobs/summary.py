"""What a run prints at its end: rows in and out per source, quarantine reasons, tables."""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs.common.delta import Warehouse


def print_ingest_summary(spark: SparkSession, warehouse: Warehouse, ledger: list) -> None:
    """Prints the run's ledger, its top quarantine reasons and the silver table sizes."""
    print(f"{'source':>13} {'files':>6} {'read':>10} {'accepted':>10} {'quarantined':>11} {'duplicates':>10} {'events':>10} {'seconds':>8}")
    for row in ledger:
        seconds = (row.ended_at - row.started_at).total_seconds()
        print(
            f"{row.source:>13} {row.files_read:>6} {row.records_read:>10,} {row.accepted:>10,} {row.quarantined:>11,} "
            f"{row.duplicates:>10,} {row.events_mapped:>10,} {seconds:>8.1f}"
        )
    run_ids = sorted({row.run_id for row in ledger})
    if run_ids:
        reasons = (
            spark.read.format("delta").load(warehouse.path("silver/quarantine"))
            .where(F.col("ingest_run_id").isin(run_ids))
            # Reasons quote values: group by the wording before the first quote.
            .groupBy("source", F.regexp_replace("reason", r"'[^']*'", "'…'").alias("reason"))
            .count()
            .orderBy(F.desc("count"))
            .limit(10)
            .collect()
        )
        if reasons:
            print("top quarantine reasons of this run:")
            for r in reasons:
                print(f"  {r['count']:>7,}  {r['source']}: {r['reason']}")
    for table in ("silver/events", "silver/accounts", "silver/quarantine"):
        rows = spark.read.format("delta").load(warehouse.path(table)).count()
        print(f"{warehouse.name(table):>26}: {rows:,} rows")
