"""Backtest: how well the Clout score of a day ranks persons by the genuine engagers they
draw in the days after it, beside simple baselines.

``python -m jobs.backtest --warehouse DIR --date D --horizon DAYS [--top K] [--json]`` (or
``spark-submit jobs/backtest.py ...``) reads ``gold/scores`` and ``gold/person_metrics`` of
``D`` and ``silver/events``, ``silver/accounts`` and ``silver/account_quality``, and
prints, for the score and each baseline (past distinct genuine engagers, past engagement
events, follower counts), Spearman's rank correlation with the distinct genuine engagers
of ``D+1 .. D+horizon`` and the overlap of the top 100 (``--top``), then whether the score beats
counting past engagers. Writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import add_profile_arguments, iso_date, profile_from  # noqa: E402
from jobs.common.config import CloutConfig  # noqa: E402
from jobs.common.delta import Warehouse, table_exists  # noqa: E402
from jobs.common.persons import person_rows  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from transforms.score.backtest import RANKINGS, TOP_K, backtest_figures, backtest_persons  # noqa: E402

SCORES_TABLE = "gold/scores"
METRICS_TABLE = "gold/person_metrics"
# Which stage writes each input, for the message when one is missing.
INPUTS = {
    SCORES_TABLE: "score",
    METRICS_TABLE: "metrics",
    "silver/events": "ingest",
    "silver/accounts": "ingest",
    "silver/account_quality": "quality",
}
# Inputs that must hold rows of the score date.
DATED_INPUTS = (SCORES_TABLE, METRICS_TABLE, "silver/account_quality")
PERSON_TABLES = ("silver/accounts", "silver/account_quality")


def _labels(window_days: int) -> dict[str, str]:
    return {
        "score": "Clout score",
        "past_engagers": f"past genuine engagers ({window_days} d)",
        "past_engagements": f"past engagement events ({window_days} d)",
        "followers": "followers (where known)",
    }


def verdict(rankings: list[dict[str, Any]], k: int = TOP_K) -> tuple[bool | None, str]:
    """Whether the score beats counting past genuine engagers, and a sentence saying so.

    The score beats them when it is ahead on one figure (Spearman, top-``k`` overlap) and
    not behind on the other; a score ahead on one and behind on the other is mixed (None).
    """
    figures = {r["ranking"]: r for r in rankings}
    score, past = figures["score"], figures["past_engagers"]
    if score["spearman"] is None or past["spearman"] is None:
        return None, "no verdict: the future or a ranking has a single value for every person (no rank correlation)"
    numbers = (
        f"Spearman {score['spearman']:.3f} vs {past['spearman']:.3f}, "
        f"top-{k} overlap {score['top_overlap']:.2f} vs {past['top_overlap']:.2f}"
    )
    ahead = [round(score[f] - past[f], 12) for f in ("spearman", "top_overlap")]
    if all(a >= 0 for a in ahead) and any(a > 0 for a in ahead):
        return True, f"the Clout score beats counting past genuine engagers ({numbers})"
    if all(a <= 0 for a in ahead):
        worse = "only ties with" if all(a == 0 for a in ahead) else "does not beat"
        return False, f"the Clout score {worse} counting past genuine engagers ({numbers})"
    return None, f"mixed: the Clout score is ahead of counting past genuine engagers on one figure and behind on the other ({numbers})"


def _figure(value: Any) -> float | None:
    return None if value is None else float(value)


def run_backtest(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, horizon_days: int, k: int = TOP_K) -> dict[str, Any]:
    """The backtest's figures for one score date (nothing written).

    Runs Spark jobs: a check per dated input that it holds the date, one checkpoint of the
    scored persons with their future and baselines, one for every figure (a single row),
    and the last event date after the score date.

    Raises:
        SystemExit: If an input table is missing or holds no rows of the date.
    """
    tables = {}
    for table, stage in INPUTS.items():
        if not table_exists(spark, warehouse.path(table)):
            raise SystemExit(f"jobs.backtest: no {table} in {warehouse.root}: run the {stage} stage first")
        # Person ids as the gold tables write them (pseudonyms with [privacy] pseudonymise).
        tables[table] = person_rows(spark, config, warehouse, table) if table in PERSON_TABLES else spark.read.format("delta").load(warehouse.path(table))
    for table in DATED_INPUTS:
        if not tables[table].where(F.col("score_date") == F.lit(score_date)).limit(1).count():
            raise SystemExit(f"jobs.backtest: {table} has no rows of {score_date}: run the {INPUTS[table]} stage for that date first")
    window_days = config.metrics.window_days
    persons = backtest_persons(
        tables[SCORES_TABLE],
        tables[METRICS_TABLE],
        tables["silver/events"],
        tables["silver/accounts"],
        tables["silver/account_quality"],
        score_date,
        horizon_days,
        window_days,
    ).localCheckpoint(eager=True)
    row = backtest_figures(persons, k).first().asDict()
    last_event = tables["silver/events"].where(F.col("event_date") > F.lit(score_date)).agg(F.max("event_date")).first()[0]
    future_to = score_date + dt.timedelta(days=horizon_days)
    labels = _labels(window_days)
    rankings = [
        {
            "ranking": name,
            "label": labels[name],
            "persons": row["followers_known"] if name == "followers" else row["persons"],
            "spearman": _figure(row[f"spearman_{name}"]),
            "top_overlap": _figure(row[f"top_overlap_{name}"]),
        }
        for name in RANKINGS
    ]
    beats, sentence = verdict(rankings, k)
    return {
        "score_date": score_date.isoformat(),
        "horizon_days": horizon_days,
        "future_from": (score_date + dt.timedelta(days=1)).isoformat(),
        "future_to": future_to.isoformat(),
        "past_window_days": window_days,
        "last_event_date": last_event.isoformat() if last_event else None,
        "future_complete": last_event is not None and last_event >= future_to,
        "persons": row["persons"],
        "persons_with_future_engagers": row["persons_with_future"],
        "followers_known": row["followers_known"],
        "top_k": k,
        "rankings": rankings,
        "score_on_followers_known": {
            "persons": row["followers_known"],
            "spearman": _figure(row["spearman_score_followers_known"]),
            "top_overlap": _figure(row["top_overlap_score_followers_known"]),
        },
        "spearman_gap_past_engagers": {
            "gap": _figure(row["spearman_gap_past_engagers"]),
            "standard_error": _figure(row["spearman_gap_past_engagers_se"]),
        },
        "beats_past_engagers": beats,
        "verdict": sentence,
    }


def _number(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def backtest_text(outcome: dict[str, Any]) -> str:
    """The backtest for people: a heading, the table, the coverage of followers, the verdict."""
    k = outcome["top_k"]
    lines = [
        f"backtest of the Clout score of {outcome['score_date']} against the distinct genuine engagers of "
        f"{outcome['future_from']} .. {outcome['future_to']} ({outcome['horizon_days']} days): "
        f"{outcome['persons']:,} scored persons, {outcome['persons_with_future_engagers']:,} drew someone",
    ]
    if not outcome["future_complete"]:
        last = outcome["last_event_date"] or "the score date"
        lines.append(f"note: silver/events ends on {last}, before {outcome['future_to']}: the future is cut short")
    header = ("ranking", "persons", "Spearman", f"top-{k} overlap")
    rows = [(r["label"], f"{r['persons']:,}", _number(r["spearman"], 4), _number(r["top_overlap"], 2)) for r in outcome["rankings"]]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join([row[0].ljust(widths[0]), *[cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]]))
    known = outcome["score_on_followers_known"]
    lines.append(
        f"followers are known for {outcome['followers_known']:,} of {outcome['persons']:,} persons; on those the Clout score has "
        f"Spearman {_number(known['spearman'], 4)}, top-{k} overlap {_number(known['top_overlap'], 2)}"
    )
    lines.append(gap_text(outcome["spearman_gap_past_engagers"]))
    lines.append(f"verdict: {outcome['verdict']}")
    return "\n".join(lines)


def gap_text(gap: dict[str, float | None]) -> str:
    """The Spearman gap between the score and past engagers, and whether it is more than noise."""
    if gap["gap"] is None:
        return "Spearman gap to past genuine engagers: n/a"
    if gap["standard_error"] is None:
        return f"Spearman gap to past genuine engagers: {gap['gap']:+.4f} (too few persons for a standard error)"
    size = abs(gap["gap"]) / gap["standard_error"] if gap["standard_error"] else float("inf")
    judged = "within noise (under 2 standard errors)" if size < 2 else f"{size:.1f} standard errors"
    return f"Spearman gap to past genuine engagers: {gap['gap']:+.4f}, standard error {gap['standard_error']:.4f}: {judged}"


def at_least_one(value: str) -> int:
    """An argparse type for a whole number of at least 1 (days, persons)."""
    try:
        number = int(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from error
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return number


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.backtest", description="How well the Clout score ranks persons by the genuine engagers they draw next.")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    parser.add_argument("--date", type=iso_date, required=True, help="score date D (gold/scores and gold/person_metrics of D)")
    parser.add_argument("--horizon", type=at_least_one, required=True, help="days after D whose distinct genuine engagers are the future (D+1 .. D+horizon)")
    parser.add_argument("--top", type=at_least_one, default=TOP_K, metavar="K", help=f"size of the tops whose overlap is measured (default {TOP_K})")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-backtest")
    outcome = run_backtest(spark, config, Warehouse(args.warehouse, config.database), args.date, args.horizon, args.top)
    print(json.dumps(outcome, ensure_ascii=False) if args.json else backtest_text(outcome), flush=True)


if __name__ == "__main__":
    main()
