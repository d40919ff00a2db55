"""The Clout pipeline: runs the stages in order on one input and one warehouse.

``python -m jobs.pipeline --input DIR --warehouse DIR [--date YYYY-MM-DD] [--stages ...]``
(or ``spark-submit jobs/pipeline.py ...``). Stages, in order: ``ingest`` (raw input to the
bronze and silver tables), ``quality`` (one verdict per account for the score date),
``metrics`` (true reach, amplification and network influence per person,
``gold/person_metrics`` and ``gold/influence_edges``), ``score`` (the Clout score with its
reasons, ``gold/scores``) and ``topics`` (topic scores with their evidence and the leaders of
every topic, ``gold/topic_scores`` and ``gold/topic_leaders``). A run that scores ends by
printing the date's top persons; one that runs the topics stage then prints the leaders of
``[topics] demo_topics`` and plans the campaign of ``[topics] demo_campaign``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any, Sequence

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import SparkSession  # noqa: E402

from jobs.common.cli import add_profile_arguments, iso_date, profile_from  # noqa: E402
from jobs.common.config import CloutConfig  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.lock import single_writer  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402

STAGES = ("ingest", "quality", "metrics", "score", "topics")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.pipeline", description="Run the Clout pipeline.")
    parser.add_argument("--input", help="folder with one sub-folder per source (needed by ingest)")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    parser.add_argument("--date", type=iso_date, default=dt.date.today(), help="score date (default: today, UTC)")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES), help="stages to run, in order")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def run_pipeline(
    spark: SparkSession,
    config: CloutConfig,
    warehouse: Warehouse,
    score_date: dt.date,
    stages: Sequence[str],
    log: RunLog,
    input_dir: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Runs the stages in order in one session, each timed in ``log``; returns each stage's
    outcome by name. A failing stage stops the run (its error propagates)."""
    unknown = [name for name in stages if name not in STAGES]
    if unknown:
        raise ValueError(f"unknown stages {unknown}; the stages are {', '.join(STAGES)}")
    if "ingest" in stages and not input_dir:
        raise ValueError("the ingest stage needs an input folder")
    outcomes: dict[str, dict[str, Any]] = {}
    for name in stages:
        if name == "ingest":
            from jobs.ingest import ingest_stage

            outcomes[name] = ingest_stage(spark, config, input_dir, warehouse, log)
        elif name == "quality":
            from jobs.quality import quality_stage

            outcomes[name] = quality_stage(spark, config, warehouse, score_date, log)
        elif name == "metrics":
            from jobs.metrics import metrics_stage

            outcomes[name] = metrics_stage(spark, config, warehouse, score_date, log)
        elif name == "score":
            from jobs.score import score_stage

            outcomes[name] = score_stage(spark, config, warehouse, score_date, log)
        elif name == "topics":
            from jobs.topics import topics_stage

            outcomes[name] = topics_stage(spark, config, warehouse, score_date, log)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if "ingest" in args.stages and not args.input:
        raise SystemExit("jobs.pipeline: the ingest stage needs --input")
    config = profile_from(args)
    log = RunLog("clout-pipeline", config.logging.format)
    log.event("run_started", f"pipeline for {args.date}: stages {', '.join(args.stages)}", score_date=args.date, stages=args.stages, warehouse=args.warehouse, profile=config.profile)
    with single_writer(args.warehouse, "jobs.pipeline"):
        spark = build_spark(config, warehouse=args.warehouse, app_name="clout-pipeline")
        warehouse = Warehouse(args.warehouse, config.database)
        try:
            outcomes = run_pipeline(spark, config, warehouse, args.date, args.stages, log, args.input)
        finally:
            log.summary()
    if "score" in outcomes:
        from jobs.score import print_leaders

        print_leaders(log, outcomes["score"])
    if "topics" in outcomes:
        from jobs.plan_campaign import print_demo_topics

        print_demo_topics(spark, config, warehouse, args.date, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
