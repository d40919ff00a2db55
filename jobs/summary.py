"""What each stage reports at its end: rows in and out, quarantine reasons, table sizes.

Each stage's outcome is a plain dict (logged as JSON as it is) with ``rows_in`` and
``rows_out``, and a text rendering for people.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs.common.delta import Warehouse, rows_written, table_version

INGEST_TABLES = ("silver/events", "silver/accounts", "silver/quarantine")
QUALITY_TABLES = ("silver/account_quality",)
TOP_REASONS = 10


def table_versions(spark: SparkSession, warehouse: Warehouse, tables: tuple[str, ...]) -> dict[str, int]:
    """Each table's version before a stage runs (-1: not there yet)."""
    return {table: table_version(spark, warehouse.path(table)) for table in tables}


def written_since(spark: SparkSession, warehouse: Warehouse, before: dict[str, int]) -> dict[str, dict[str, int]]:
    """Rows inserted and updated per table by the commits made since ``before``."""
    written = {table: rows_written(spark, warehouse.path(table), version) for table, version in before.items()}
    return {
        "rows_out": {table: rows["inserted"] for table, rows in written.items()},
        "rows_updated": {table: rows["updated"] for table, rows in written.items() if rows["updated"]},
    }


def ingest_outcome(spark: SparkSession, warehouse: Warehouse, ledger: list, before: dict[str, int]) -> dict[str, Any]:
    """What an ingest run read and wrote: per source, the rows it inserted and updated
    per table (since the versions in ``before``), the top quarantine reasons, table sizes."""
    sources = [
        {
            "source": row.source,
            "files": row.files_read,
            "records_read": row.records_read,
            "accepted": row.accepted,
            "quarantined": row.quarantined,
            "duplicates": row.duplicates,
            "events": row.events_mapped,
        }
        for row in ledger
    ]
    run_ids = sorted({row.run_id for row in ledger})
    reasons = []
    if run_ids:
        reasons = [
            {"source": r["source"], "reason": r["reason"], "records": r["count"]}
            for r in (
                spark.read.format("delta").load(warehouse.path("silver/quarantine"))
                .where(F.col("ingest_run_id").isin(run_ids))
                # Reasons quote values: group by the wording around the quotes.
                .groupBy("source", F.regexp_replace("reason", r"'[^']*'", "'…'").alias("reason"))
                .count()
                .orderBy(F.desc("count"), "source", "reason")
                .limit(TOP_REASONS)
                .collect()
            )
        ]
    return {
        "rows_in": {"raw records": sum(s["records_read"] for s in sources)},
        **written_since(spark, warehouse, before),
        "duplicates": sum(s["duplicates"] for s in sources),
        "sources": sources,
        "quarantine_top_reasons": reasons,
        "table_rows": {table: spark.read.format("delta").load(warehouse.path(table)).count() for table in INGEST_TABLES},
    }


def ingest_text(outcome: dict[str, Any]) -> str:
    """The ingest outcome as a table for people."""
    # No time per source: all sources are read and written together, so only the stage has one.
    lines = [f"{'source':>13} {'files':>6} {'read':>10} {'accepted':>10} {'quarantined':>11} {'duplicates':>10} {'events':>10}"]
    for s in outcome["sources"]:
        lines.append(
            f"{s['source']:>13} {s['files']:>6} {s['records_read']:>10,} {s['accepted']:>10,} {s['quarantined']:>11,} "
            f"{s['duplicates']:>10,} {s['events']:>10,}"
        )
    if outcome["quarantine_top_reasons"]:
        lines.append("top quarantine reasons of this run:")
        lines += [f"  {r['records']:>7,}  {r['source']}: {r['reason']}" for r in outcome["quarantine_top_reasons"]]
    lines += [f"{table:>26}: {rows:,} rows" for table, rows in outcome["table_rows"].items()]
    return "\n".join(lines)


def quality_outcome(kinds: dict[str, int], written: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """What the quality stage judged (one verdict per account, by kind) and wrote.

    Args:
        kinds: Accounts per kind for the score date.
        written: :func:`written_since` for the stage's table; without it, the verdicts.
    """
    total = sum(kinds.values())
    return {"rows_in": {"accounts": total}, **(written or {"rows_out": {"silver/account_quality": total}}), "kinds": kinds}


def quality_text(outcome: dict[str, Any]) -> str:
    """Accounts per kind, bots first."""
    kinds, total = outcome["kinds"], outcome["rows_in"]["accounts"]
    lines = [f"account quality: {total:,} accounts"]
    for kind, count in sorted(kinds.items(), key=lambda item: (item[0] in ("genuine", "inactive"), -item[1])):
        lines.append(f"  {kind:>20}: {count:>8,} ({count / total:.1%})")
    return "\n".join(lines)
