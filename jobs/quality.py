"""Quality stage: one verdict per account in ``silver/account_quality``.

Runnable on its own (``python -m jobs.quality --warehouse DIR --date D`` or
``spark-submit jobs/quality.py ...``) and as the ``quality`` stage of ``jobs.pipeline``.
Re-running a date replaces that date's rows atomically.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import add_profile_arguments, iso_date, profile_from  # noqa: E402
from jobs.common.config import CloutConfig  # noqa: E402
from jobs.common.delta import Warehouse, register_table, replace_partition  # noqa: E402
from jobs.common.model_store import load_model  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.summary import QUALITY_TABLES, quality_outcome, quality_text, table_versions, written_since  # noqa: E402
from transforms.graph.engine import resolve_engine  # noqa: E402
from transforms.graph.pregel import ENGINE_DATAFRAME  # noqa: E402
from transforms.quality.assess import assess_accounts  # noqa: E402

TABLE = "silver/account_quality"


def assess(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date | None, graph_engine: str = ENGINE_DATAFRAME) -> DataFrame:
    """The verdicts of every account in the warehouse for a score date (not written)."""
    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    return assess_accounts(events, accounts, load_model(config.quality.model), config.quality, score_date, graph_engine)


def run_quality(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, graph_engine: str = ENGINE_DATAFRAME) -> dict[str, int]:
    """Writes the verdicts of a score date and returns the number of accounts per kind.

    ``graph_engine`` runs the ring groups' connected components (see ``[graph] engine``).
    """
    verdicts = assess(spark, config, warehouse, score_date, graph_engine).withColumn("score_date", F.lit(score_date))
    # A newer model or signal set adds features and signals; older dates keep theirs.
    replace_partition(verdicts, warehouse.path(TABLE), "score_date", score_date.isoformat(), add_new_columns=True)
    register_table(spark, warehouse, TABLE)
    written = spark.read.format("delta").load(warehouse.path(TABLE)).where(F.col("score_date") == F.lit(score_date))
    return {row["kind"]: row["count"] for row in written.groupBy("kind").count().collect()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.quality", description="Judge every account: genuine, bot (which kind) or inactive.")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    parser.add_argument("--date", type=iso_date, default=dt.date.today(), help="score date (default: today, UTC)")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def quality_stage(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, log: RunLog) -> dict[str, Any]:
    """The quality stage as a run logs it: timed, with the verdicts per kind and rows written."""
    with log.stage("quality") as stage:
        engine = resolve_engine(spark, config.graph.engine)
        log.event("graph_engine", f"graph engine: {engine} (asked for {config.graph.engine})", engine=engine, requested=config.graph.engine)
        before = table_versions(spark, warehouse, QUALITY_TABLES)
        kinds = run_quality(spark, config, warehouse, score_date, engine)
        stage.outcome = {**quality_outcome(kinds, written_since(spark, warehouse, before)), "graph_engine": engine}
        log.text(lambda: quality_text(stage.outcome))
    return stage.outcome


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    log = RunLog("clout-quality", config.logging.format)
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-quality")
    try:
        quality_stage(spark, config, Warehouse(args.warehouse, config.database), args.date, log)
    finally:
        log.summary()


if __name__ == "__main__":
    main()
