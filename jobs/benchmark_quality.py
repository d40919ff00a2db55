"""Benchmark: time of the quality stage on the built-in sample.

``python -m jobs.benchmark_quality --events 1000000 --sample DIR --warehouse DIR`` generates
the sample (unless ``--sample`` holds one of that size), ingests it (unless ``--warehouse``
already holds it), then times the quality stage for the sample's last day and prints
accounts per kind and the verdicts' figures against the sample's truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import functions as F  # noqa: E402

from jobs.benchmark_ingest import ensure_sample  # noqa: E402
from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.quality import TABLE, run_quality  # noqa: E402
from jobs.summary import quality_outcome, quality_text  # noqa: E402
from jobs.common.labels import LabelFormat, read_labels  # noqa: E402
from transforms.quality.evaluation import evaluate_verdicts, format_report  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jobs.benchmark_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sample", default=None, help="sample folder (default: a temporary one)")
    parser.add_argument("--warehouse", default=None, help="warehouse folder, kept between runs (default: a temporary one)")
    add_profile_arguments(parser)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="clout-bench-"))
    sample = Path(args.sample) if args.sample else work / "sample"
    ensure_sample(sample, args.events, args.seed)
    summary = json.loads((sample / "truth" / "summary.json").read_text())
    score_date = dt.date.fromisoformat(summary["end_date"])

    config = profile_from(args)
    warehouse = Warehouse(args.warehouse or str(work / "warehouse"), "clout_bench")
    spark = build_spark(config, warehouse=warehouse.root, app_name="clout-benchmark-quality")
    if not Path(warehouse.path("silver/events")).is_dir():
        from jobs.ingest import run_ingest

        started = time.monotonic()
        run_ingest(spark, config, str(sample), warehouse)
        print(f"ingested in {time.monotonic() - started:.1f}s")

    events = spark.read.format("delta").load(warehouse.path("silver/events")).count()
    started = time.monotonic()
    kinds = run_quality(spark, config, warehouse, score_date)
    seconds = time.monotonic() - started
    cores = spark.sparkContext.defaultParallelism
    print(f"quality stage on the {args.events:,}-event sample ({events:,} events) on {cores} cores: {seconds:.1f}s")
    print(quality_text(quality_outcome(kinds)))

    truth = read_labels(spark, str(sample / "truth" / "accounts.csv"), LabelFormat())
    verdicts = spark.read.format("delta").load(warehouse.path(TABLE)).where(F.col("score_date") == F.lit(score_date))
    print(format_report(evaluate_verdicts(verdicts, truth), "verdicts against the sample's truth"))
    spark.stop()


if __name__ == "__main__":
    main()
