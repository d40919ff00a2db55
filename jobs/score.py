"""Score stage: the Clout score, 1-100 per person and day, with its components and reasons.

Runnable on its own (``python -m jobs.score --warehouse DIR --date D`` or ``--from D1
--to D2`` to backfill, dates in order so each day's changes read the day before;
``spark-submit jobs/score.py ...``) and as the ``score`` stage of ``jobs.pipeline``, after
``metrics`` (it reads ``gold/person_metrics`` of the date and earlier ``gold/scores``).
Writes ``gold/scores``, partitioned by ``score_date``; re-running a date replaces it
atomically. How a score is made: :mod:`transforms.score.score`.
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
from jobs.common.run_log import RunLog  # noqa: E402
from transforms.metrics.engagement import with_percentiles  # noqa: E402
from transforms.score.explain import with_changes, with_rank, with_reasons  # noqa: E402
from transforms.score.score import clout_scores  # noqa: E402

TABLE = "gold/scores"
METRICS_TABLE = "gold/person_metrics"
CHANGE_DAYS = (1, 7)
OUTPUT_COLUMNS = (
    "person_id", "score", "rank", "percentile", "score_change_1d", "score_change_7d",
    "reach_score", "amplification_score", "influence_score", "reach_points", "amplification_points", "influence_points",
    "active_score", "decay", "quiet_days", "platforms", "reasons", "model_version", "score_date",
)
COMMENT = (
    "Clout scores: one row per scored person and score_date. score (1-100) is the calibrated weighted mean of three "
    "log-scaled components (true reach, amplification, network influence), decayed when the person goes quiet; "
    "*_points are each component's share of score - 1; reasons say what is behind it. No bot, spam or inactive account "
    "engagement counts."
)
COLUMN_COMMENTS = {
    "person_id": "Person (all linked accounts together)",
    "score": "Clout score, 1 (floor) to 100, one decimal",
    "rank": "1 + persons of the date with a higher score (ties share a rank)",
    "percentile": "Share of the date's persons (in %) with a lower score",
    "score_change_1d": "score minus the person's score the day before (null: not scored then)",
    "score_change_7d": "score minus the person's score seven days before (null: not scored then)",
    "reach_score": "True reach sub-score, 0-100: log-scaled decayed distinct genuine engagers",
    "amplification_score": "Amplification sub-score, 0-100: log-scaled weighted genuine reactions per post, with 2nd/3rd-hop reach",
    "influence_score": "Network influence sub-score, 0-100: log-scaled weighted-PageRank influence mass",
    "reach_points": "Points of score - 1 that true reach contributes",
    "amplification_points": "Points of score - 1 that amplification contributes",
    "influence_points": "Points of score - 1 that network influence contributes",
    "active_score": "The score before quiet decay",
    "decay": "Share of active_score - 1 kept after quiet decay (1: active)",
    "quiet_days": "Days since the person last posted, reshared or drew genuine engagement (null: not in the window)",
    "platforms": "Platforms of the person's accounts that are not bots",
    "reasons": "What is behind the score, in words with numbers, largest contribution first",
    "model_version": "Version of the score's settings (weights, scales, calibration anchors)",
    "score_date": "Day the score describes",
}
HISTORY_SCHEMA = "person_id string, score_date date, score double"


def score_history(spark: SparkSession, warehouse: Warehouse, score_date: dt.date) -> DataFrame:
    """The earlier scores the day's changes are measured against (none before the first run)."""
    if not table_exists(spark, warehouse.path(TABLE)):
        return spark.createDataFrame([], HISTORY_SCHEMA)
    earlier = [score_date - dt.timedelta(days=n) for n in CHANGE_DAYS]
    return (
        spark.read.format("delta").load(warehouse.path(TABLE))
        .where(F.col("score_date").isin(*earlier))
        .select("person_id", "score_date", "score")
    )


def compute_scores(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date) -> DataFrame:
    """The scores of one date (not written): one row per person of ``gold/person_metrics``."""
    metrics = spark.read.format("delta").load(warehouse.path(METRICS_TABLE)).where(F.col("score_date") == F.lit(score_date))
    settings = config.score
    return (
        clout_scores(metrics, settings, config.metrics.window_days)
        .transform(lambda scores: with_reasons(scores, config.metrics.window_days, settings.influential_mass))
        .transform(with_rank)
        .transform(lambda scores: with_percentiles(scores, ["score"], steps=config.metrics.percentile_steps))
        .withColumnRenamed("score_percentile", "percentile")
        .transform(lambda scores: with_changes(scores, score_history(spark, warehouse, score_date), CHANGE_DAYS))
        .withColumn("model_version", F.lit(settings.model_version))
        .select(*OUTPUT_COLUMNS)
    )


def score_distribution(scores: DataFrame) -> dict[str, Any]:
    """Score percentiles of the persons above the floor, and of the active ones among them
    (not decayed: the population the calibration anchors describe)."""
    grid = [0.5, 0.9, 0.95, 0.99]
    above = F.col("reach_points") + F.col("amplification_points") + F.col("influence_points") > 0
    active = above & (F.col("decay") == 1.0)
    row = scores.agg(
        F.count("*").alias("persons"),
        F.sum(above.cast("long")).alias("above"),
        F.sum(active.cast("long")).alias("active"),
        F.percentile_approx(F.when(above, F.col("score")), grid, 10_000).alias("above_scores"),
        F.percentile_approx(F.when(active, F.col("score")), grid, 10_000).alias("active_scores"),
        F.max("score").alias("top"),
    ).first()
    names = ["p50", "p90", "p95", "p99"]
    return {
        "persons": row["persons"],
        "scored_above_floor": row["above"] or 0,
        "active_above_floor": row["active"] or 0,
        "above_floor": dict(zip(names, row["above_scores"] or [])),
        "active": dict(zip(names, row["active_scores"] or [])),
        "top": row["top"],
    }


def top_persons(scores: DataFrame, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` best-ranked persons with their reasons (a bounded collect)."""
    rows = scores.where(F.col("rank") <= limit).orderBy("rank", "person_id").limit(limit)
    return [
        {"rank": r["rank"], "person_id": r["person_id"], "score": r["score"], "platforms": list(r["platforms"] or []), "reasons": list(r["reasons"])}
        for r in rows.select("rank", "person_id", "score", "platforms", "reasons").collect()
    ]


def run_score(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date) -> dict[str, Any]:
    """Writes one date's scores (replacing that date) and returns what it wrote.

    Raises:
        RuntimeError: If the metrics stage has not written ``gold/person_metrics`` yet.
    """
    if not table_exists(spark, warehouse.path(METRICS_TABLE)):
        raise RuntimeError(f"no {METRICS_TABLE} in {warehouse.root}: run the metrics stage for {score_date} first")
    written = write_date(spark, warehouse, TABLE, compute_scores(spark, config, warehouse, score_date), score_date, COMMENT, COLUMN_COMMENTS)
    scores = spark.read.format("delta").load(warehouse.path(TABLE)).where(F.col("score_date") == F.lit(score_date))
    return {
        "score_date": score_date.isoformat(),
        "model_version": config.score.model_version,
        "rows_out": {TABLE: written},
        "empty": written == 0,
        "distribution": score_distribution(scores),
        "leaders": top_persons(scores, config.score.leaders_shown),
    }


def score_text(outcome: dict[str, Any]) -> str:
    """One date's score run for people."""
    if outcome["empty"]:
        return f"scores {outcome['score_date']}: no persons in {METRICS_TABLE} for this date; wrote an empty partition"
    spread = outcome["distribution"]
    active = ", ".join(f"{name} {value:.1f}" for name, value in spread["active"].items())
    return (
        f"scores {outcome['score_date']} ({outcome['model_version']}): {outcome['rows_out'][TABLE]:,} persons, "
        f"{spread['scored_above_floor']:,} above the floor, {spread['active_above_floor']:,} of them active "
        f"({active}; top {spread['top']:.1f})"
    )


def leaders_text(outcome: dict[str, Any]) -> str:
    """The top persons of the date with the reasons behind their scores."""
    lines = [f"top {len(outcome['leaders'])} persons on {outcome['score_date']}:"]
    for leader in outcome["leaders"]:
        lines.append(f"{leader['rank']:>4}. {leader['score']:>5.1f}  {leader['person_id']}  ({', '.join(leader['platforms'])})")
        lines.extend(f"{'':>13}- {reason}" for reason in leader["reasons"])
    return "\n".join(lines)


def score_stage(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, log: RunLog) -> dict[str, Any]:
    """The score stage as a run logs it; returns the outcome (with the date's leaders)."""
    with log.stage("score") as stage:
        stage.outcome = run_score(spark, config, warehouse, score_date)
        log.text(lambda: score_text(stage.outcome))
    return stage.outcome


def print_leaders(log: RunLog, outcome: dict[str, Any]) -> None:
    """Ends a run with the date's top persons and their reasons."""
    if not outcome["empty"]:
        log.event("top_persons", lambda: leaders_text(outcome), score_date=outcome["score_date"], persons=outcome["leaders"])


def main(argv: list[str] | None = None) -> None:
    # In date order, each day's changes read the days before; the run ends with the last date's top persons.
    run_dated_stage(argv, "jobs.score", "The Clout score per person, from gold/person_metrics.", score_stage, print_leaders)


if __name__ == "__main__":
    main()
