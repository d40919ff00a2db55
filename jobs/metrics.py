"""Metrics stage: true reach, amplification and network influence per person and day.

Runnable on its own (``python -m jobs.metrics --warehouse DIR --date D`` or
``--from D1 --to D2`` to backfill; ``spark-submit jobs/metrics.py ...``) and as the
``metrics`` stage of ``jobs.pipeline``, after ``quality`` (it reads the verdicts of the
date). Writes ``gold/person_metrics``, partitioned by ``score_date``; re-running a date
replaces that date atomically and leaves the others untouched.
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
from jobs.common.delta import Warehouse, comment_table, register_table, replace_partition, table_comment, table_exists  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from transforms.graph.engine import resolve_engine  # noqa: E402
from transforms.graph.pagerank import weighted_pagerank  # noqa: E402
from transforms.metrics.engagement import amplification, cascade_hops, genuine_engagements, true_reach, with_percentiles  # noqa: E402
from transforms.metrics.person_metrics import (  # noqa: E402
    PERCENTILE_COLUMNS,
    influence_edges,
    influence_vertices,
    person_metrics,
    scored_persons,
)

TABLE = "gold/person_metrics"
QUALITY_TABLE = "silver/account_quality"
COMMENT = (
    "Clout person metrics: one row per person and score_date, from genuine engagement only (bots, spam and "
    "inactive accounts engage nobody), over a rolling window with exponential decay. *_percentile columns: share "
    "of that date's persons (in %) with a lower value."
)
COLUMN_COMMENTS = {
    "person_id": "Person (all linked accounts together)",
    "platforms": "Platforms of the person's accounts that are not bots",
    "true_reach": "Distinct genuine persons who engaged the person's content, each counted once with the decay of their latest engagement",
    "engagers": "Distinct genuine persons who engaged the person in the window (undecayed)",
    "reach_by_platform": "true_reach per platform",
    "posts": "Posts, quotes and replies the person wrote in the window",
    "reacted_posts_share": "Share of the person's posts that drew a genuine reshare, quote or reply",
    "reactions_per_post": "Genuine reactions (reshare, quote, reply; one per person and post) per post, decayed",
    "weighted_reactions_per_post": "reactions_per_post with each reactor weighted 1/log2(1 + posts they reacted to): amplification",
    "hop_1": "Distinct genuine persons who reshared the person's posts directly",
    "hop_2": "Distinct genuine persons reached at the 2nd hop of reshare chains",
    "hop_3": "Distinct genuine persons reached at the 3rd hop of reshare chains",
    "network_influence": "Weighted PageRank of the genuine-engagement graph (engager to author); sums to 1 per date",
    "influence_vs_average": "network_influence over the mean person's (2.0: twice the average)",
    "score_date": "Day the metrics describe (the window ends with it)",
}


def compute_metrics(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, engine: str) -> tuple[DataFrame, dict[str, Any]]:
    """The metrics of every scored person on a date (not written) and how PageRank ran.

    Runs Spark jobs: the two checkpoints of engagements and persons, the PageRank
    iterations, and two counts for the run log (verdicts, engagements); the metrics
    themselves stay lazy until written.
    """
    settings = config.metrics
    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    verdicts = spark.read.format("delta").load(warehouse.path(QUALITY_TABLE)).where(F.col("score_date") == F.lit(score_date))
    engagements = genuine_engagements(events, accounts, verdicts, score_date, settings.window_days, settings.half_life_days).localCheckpoint(eager=True)
    persons = scored_persons(verdicts).localCheckpoint(eager=True)
    vertices = influence_vertices(persons, accounts, score_date, settings.pagerank_prior)
    run = weighted_pagerank(vertices, influence_edges(engagements), config.graph.pagerank, engine)
    metrics = person_metrics(
        persons,
        true_reach(engagements),
        amplification(events, accounts, engagements, score_date, settings.window_days),
        cascade_hops(engagements, events, settings.max_hop),
        run.vertices,
        settings.max_hop,
    )
    ranked = with_percentiles(metrics, list(PERCENTILE_COLUMNS), steps=settings.percentile_steps)
    pagerank = {
        "verdicts": verdicts.count(),
        "genuine_engagements": engagements.count(),
        "engine": run.engine,
        "iterations": run.iterations,
        "converged": run.converged,
        "l1_change": run.change,
        "partitions": run.partitions,
    }
    return ranked.withColumn("score_date", F.lit(score_date)), pagerank


def run_metrics(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, engine: str) -> dict[str, Any]:
    """Writes one date's metrics (replacing that date) and returns what it wrote.

    Raises:
        RuntimeError: If the quality stage has no verdicts at all yet.
    """
    if not table_exists(spark, warehouse.path(QUALITY_TABLE)):
        raise RuntimeError(f"no {QUALITY_TABLE} in {warehouse.root}: run the quality stage for {score_date} first")
    metrics, pagerank = compute_metrics(spark, config, warehouse, score_date, engine)
    replace_partition(metrics, warehouse.path(TABLE), "score_date", score_date.isoformat())
    register_table(spark, warehouse, TABLE)
    if table_comment(spark, warehouse.path(TABLE)) != COMMENT:  # comments are commits of their own: only when missing
        comment_table(spark, warehouse, TABLE, COMMENT, {c: COLUMN_COMMENTS[c] for c in metrics.columns if c in COLUMN_COMMENTS})
    written = spark.read.format("delta").load(warehouse.path(TABLE)).where(F.col("score_date") == F.lit(score_date))
    stats = written.agg(
        F.count("*").alias("persons"),
        F.sum((F.col("engagers") > 0).cast("long")).alias("reached"),
        F.max("network_influence").alias("top_influence"),
    ).first()
    return {
        "score_date": score_date.isoformat(),
        "rows_in": {"account verdicts": pagerank.pop("verdicts"), "genuine engagements": pagerank.pop("genuine_engagements")},
        "rows_out": {TABLE: stats["persons"]},
        "persons_reached": stats["reached"] or 0,
        "empty": stats["persons"] == 0,
        "pagerank": pagerank,
    }


def metrics_text(outcome: dict[str, Any]) -> str:
    """One date's metrics run for people."""
    pagerank = outcome["pagerank"]
    if outcome["empty"]:
        why = "no account verdicts for it (run the quality stage for this date)" if not outcome["rows_in"]["account verdicts"] else "every account is a bot"
        return f"person metrics {outcome['score_date']}: no persons to score: {why}; wrote an empty partition"
    state = "converged" if pagerank["converged"] else "did not converge"
    return (
        f"person metrics {outcome['score_date']}: {outcome['rows_out'][TABLE]:,} persons, {outcome['persons_reached']:,} reached by genuine engagement; "
        f"network influence on the {pagerank['engine']} engine: {pagerank['iterations']} iterations, {state} "
        f"(L1 change {pagerank['l1_change'] or 0:.2e}, {pagerank['partitions'] or '-'} partitions)"
    )


def score_dates(date: dt.date | None, start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    """The dates a run covers: ``--date``, or every day of ``--from .. --to``."""
    if start or end:
        if not (start and end) or end < start:
            raise SystemExit("jobs.metrics: --from and --to go together, --from first")
        return [start + dt.timedelta(days=d) for d in range((end - start).days + 1)]
    return [date or dt.date.today()]


def metrics_stage(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, log: RunLog) -> None:
    """The metrics stage as a run logs it: timed, with the engine that ran and rows written."""
    with log.stage("metrics") as stage:
        engine = resolve_engine(spark, config.graph.engine)
        log.event("graph_engine", f"graph engine: {engine} (asked for {config.graph.engine})", engine=engine, requested=config.graph.engine)
        stage.outcome = run_metrics(spark, config, warehouse, score_date, engine)
        log.text(lambda: metrics_text(stage.outcome))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.metrics", description="True reach, amplification and network influence per person.")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    parser.add_argument("--date", type=iso_date, default=None, help="score date (default: today, UTC)")
    parser.add_argument("--from", dest="start", type=iso_date, default=None, help="first date of a backfill")
    parser.add_argument("--to", dest="end", type=iso_date, default=None, help="last date of a backfill")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    dates = score_dates(args.date, args.start, args.end)
    config = profile_from(args)
    log = RunLog("clout-metrics", config.logging.format)
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-metrics")
    warehouse = Warehouse(args.warehouse, config.database)
    try:
        for score_date in dates:  # a backfill: one date after another, each replaced atomically
            metrics_stage(spark, config, warehouse, score_date, log)
    finally:
        log.summary()


if __name__ == "__main__":
    main()
