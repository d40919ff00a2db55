"""Metrics stage: true reach, amplification and network influence per person and day.

Runnable on its own (``python -m jobs.metrics --warehouse DIR --date D`` or
``--from D1 --to D2`` to backfill; ``spark-submit jobs/metrics.py ...``) and as the
``metrics`` stage of ``jobs.pipeline``, after ``quality`` (it reads the verdicts of the
date). Writes ``gold/person_metrics``, partitioned by ``score_date``; re-running a date
replaces that date atomically and leaves the others untouched.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import run_dated_stage  # noqa: E402
from jobs.common.config import CloutConfig  # noqa: E402
from jobs.common.delta import Warehouse, table_exists, write_date  # noqa: E402
from jobs.common.persons import person_rows  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from transforms.graph.engine import resolve_engine  # noqa: E402
from transforms.graph.pagerank import weighted_pagerank  # noqa: E402
from transforms.metrics.engagement import (  # noqa: E402
    amplification,
    cascade_hops,
    genuine_engagements,
    influential_engagers,
    last_activity,
    true_reach,
    with_percentiles,
)
from transforms.metrics.person_metrics import (  # noqa: E402
    PERCENTILE_COLUMNS,
    influence_edges,
    influence_vertices,
    person_metrics,
    scored_persons,
)
from transforms.score.influence import top_influence_edges  # noqa: E402

TABLE = "gold/person_metrics"
LINKS_TABLE = "gold/influence_edges"
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
    "influence_mass": "Network influence on a scale unrelated persons do not move: 1 plus 0.85 of each genuine engager's own mass, split over whom they engage",
    "influential_engagers": "Distinct genuine engagers whose own influence_mass is at least [score] influential_mass (1: nobody engages them)",
    "last_active_date": "Last day in the window the person posted, reshared or drew genuine engagement",
    "quiet_days": "Days from last_active_date to score_date (null: no activity in the window)",
    "score_date": "Day the metrics describe (the window ends with it)",
}


LINKS_COMMENT = (
    "Clout influence links: per person and score_date, the persons they influence (who engage them) and the persons "
    "who influence them (whom they engage), strongest first, from genuine engagement in the window."
)
LINKS_COLUMN_COMMENTS = {
    "person_id": "Person the links are about",
    "direction": "influences: other_person_id engages the person; influenced_by: the person engages other_person_id",
    "rank": "1 for the strongest link of the person in this direction",
    "other_person_id": "The other person of the link",
    "strength": "Share of the engager's decayed genuine engagement that goes to the engaged person (0-1)",
    "engagement": "Decayed genuine engagements from the engager to the engaged person in the window",
    "score_date": "Day the links describe (the window ends with it)",
}


def compute_metrics(
    spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, engine: str
) -> tuple[DataFrame, DataFrame, dict[str, Any]]:
    """The metrics of every scored person on a date, their influence links (neither
    written) and how PageRank ran.

    Runs Spark jobs: the checkpoints of engagements, persons and ranks, the PageRank
    iterations, and two counts for the run log (verdicts, engagements); the metrics
    themselves stay lazy until written.
    """
    settings = config.metrics
    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    accounts = person_rows(spark, config, warehouse, "silver/accounts")
    verdicts = person_rows(spark, config, warehouse, QUALITY_TABLE).where(F.col("score_date") == F.lit(score_date))
    engagements = genuine_engagements(events, accounts, verdicts, score_date, settings.window_days, settings.half_life_days).localCheckpoint(eager=True)
    persons = scored_persons(verdicts).localCheckpoint(eager=True)
    vertices = influence_vertices(persons, accounts, score_date, settings.pagerank_prior)
    links = influence_edges(engagements)
    run = weighted_pagerank(vertices, links, config.graph.pagerank, engine)
    ranks = run.vertices.localCheckpoint(eager=True)  # read by the metrics and by who counts as the top
    metrics = person_metrics(
        persons,
        true_reach(engagements),
        amplification(events, accounts, engagements, score_date, settings.window_days),
        cascade_hops(engagements, events, settings.max_hop),
        ranks,
        influential_engagers(engagements, ranks, config.score.influential_mass),
        last_activity(events, accounts, engagements, score_date, settings.window_days),
        score_date,
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
    strongest = top_influence_edges(links, config.score.influence_links).withColumn("score_date", F.lit(score_date))
    return ranked.withColumn("score_date", F.lit(score_date)), strongest, pagerank


def run_metrics(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, engine: str) -> dict[str, Any]:
    """Writes one date's metrics (replacing that date) and returns what it wrote.

    Raises:
        RuntimeError: If the quality stage has no verdicts at all yet.
    """
    if not table_exists(spark, warehouse.path(QUALITY_TABLE)):
        raise RuntimeError(f"no {QUALITY_TABLE} in {warehouse.root}: run the quality stage for {score_date} first")
    metrics, links, pagerank = compute_metrics(spark, config, warehouse, score_date, engine)
    persons = write_date(spark, warehouse, TABLE, metrics, score_date, COMMENT, COLUMN_COMMENTS)
    linked = write_date(spark, warehouse, LINKS_TABLE, links, score_date, LINKS_COMMENT, LINKS_COLUMN_COMMENTS)
    written = spark.read.format("delta").load(warehouse.path(TABLE)).where(F.col("score_date") == F.lit(score_date))
    stats = written.agg(
        F.sum((F.col("engagers") > 0).cast("long")).alias("reached"),
    ).first()
    return {
        "score_date": score_date.isoformat(),
        "rows_in": {"account verdicts": pagerank.pop("verdicts"), "genuine engagements": pagerank.pop("genuine_engagements")},
        "rows_out": {TABLE: persons, LINKS_TABLE: linked},
        "persons_reached": stats["reached"] or 0,
        "empty": persons == 0,
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


def metrics_stage(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, log: RunLog) -> dict[str, Any]:
    """The metrics stage as a run logs it: timed, with the engine that ran and rows written."""
    with log.stage("metrics") as stage:
        engine = resolve_engine(spark, config.graph.engine)
        log.event("graph_engine", f"graph engine: {engine} (asked for {config.graph.engine})", engine=engine, requested=config.graph.engine)
        stage.outcome = run_metrics(spark, config, warehouse, score_date, engine)
        log.text(lambda: metrics_text(stage.outcome))
    return stage.outcome


def main(argv: list[str] | None = None) -> None:
    run_dated_stage(argv, "jobs.metrics", "True reach, amplification and network influence per person.", metrics_stage)


if __name__ == "__main__":
    main()
