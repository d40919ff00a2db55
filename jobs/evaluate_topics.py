"""Evaluates topic leaders against labelled ones: precision at 10 per topic, topics per person.

``python -m jobs.evaluate_topics --warehouse DIR --leaders CSV --persons CSV [--date D] [--k 10] [--json]``

``--leaders`` holds ``topic,person_id`` rows (the labelled leaders), ``--persons``
``person_id,platform,account_id`` rows (the labelled persons' accounts): the built-in
sample's ``truth/leaders.csv`` and ``truth/persons.csv``. Reads ``gold/topic_scores`` of the
date (default: the latest) and ``silver/accounts``; writes nothing.
"""

from __future__ import annotations

import argparse
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
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.persons import person_rows  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.topics import TABLE, latest_date, read_date, topics_outcome  # noqa: E402
from transforms.topics.evaluation import labelled_persons, leader_precision  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.evaluate_topics", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    parser.add_argument("--leaders", required=True, help="CSV of labelled leaders: topic,person_id")
    parser.add_argument("--persons", required=True, help="CSV of the labelled persons' accounts: person_id,platform,account_id")
    parser.add_argument("--date", type=iso_date, default=None, help="score date (default: the latest in the warehouse)")
    parser.add_argument("--k", type=int, default=10, help="precision at k (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def evaluate_topics(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, leaders_csv: str, persons_csv: str, score_date=None,
                    k: int = 10) -> dict[str, Any]:
    """Precision at ``k`` per labelled topic and what the date's topic scores hold."""
    score_date = score_date or latest_date(spark, warehouse, TABLE)
    scores = read_date(spark, warehouse, TABLE, score_date)
    leaders = spark.read.option("header", True).csv(leaders_csv).select("topic", F.col("person_id").alias("label_person_id"))
    accounts = spark.read.option("header", True).csv(persons_csv).select(F.col("person_id").alias("label_person_id"), "platform", "account_id")
    persons = labelled_persons(person_rows(spark, config, warehouse, "silver/accounts"), accounts)
    rows = leader_precision(scores, persons, leaders, k).orderBy("topic").collect()  # one row per labelled topic
    precision = {r["topic"]: {"labelled": r["labelled"], "k": r["k"], "hits": r["hits"], "precision": r["precision"]} for r in rows}
    outcome = topics_outcome(scores, read_date(spark, warehouse, "gold/topic_leaders", score_date), None)
    return {"score_date": score_date.isoformat(), "k": k, "precision": precision,
            "min_precision": min((p["precision"] for p in precision.values()), default=None), **outcome}


def evaluation_text(found: dict[str, Any]) -> str:
    spread = found["topics_per_person"]
    lines = [
        f"topics on {found['score_date']}: {found['persons_with_topics']:,} persons have topics "
        f"(per person: mean {spread['mean']}, median {spread['p50']}, p90 {spread['p90']}, max {spread['max']}); "
        f"{found['topics_with_leaders']} topics have leaders",
        f"precision at {found['k']} (at the number labelled where fewer) per labelled topic:",
    ]
    for topic, p in found["precision"].items():
        lines.append(f"  {topic:>16}: {p['precision']:.2f} ({p['hits']} of the top {p['k']}; {p['labelled']} labelled)")
    lines.append(f"  {'lowest':>16}: {found['min_precision']:.2f}" if found["min_precision"] is not None else "  no labelled topic")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-evaluate-topics")
    found = evaluate_topics(spark, config, Warehouse(args.warehouse, config.database), args.leaders, args.persons, args.date, args.k)
    print(json.dumps(found, ensure_ascii=False) if args.json else evaluation_text(found), flush=True)


if __name__ == "__main__":
    main()
