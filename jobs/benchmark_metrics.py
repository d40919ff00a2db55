"""Benchmark: time of the metrics stage on the built-in sample, beside a bare Spark job.

``python -m jobs.benchmark_metrics --events 1000000 [10000000] --work DIR`` generates each
sample (unless ``DIR`` holds one of that size), ingests it and runs the quality stage for
its last day (unless the warehouse holds them already), then times, in one session:

- the metrics stage for that day (true reach, amplification, hops, weighted PageRank);
- a bare Spark job on the same ``silver/events``: distinct engagers per target account in
  the window, written as Parquet (reading and aggregating the events once: the floor any
  metric over them pays), and prints the ratio;

and the driver JVM's peak resident memory after each size (it must stay flat).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.benchmark_ingest import ensure_sample  # noqa: E402
from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.metrics import TABLE, run_metrics  # noqa: E402
from jobs.quality import run_quality  # noqa: E402
from jobs.summary import QUALITY_TABLES  # noqa: E402
from transforms.graph.engine import resolve_engine  # noqa: E402
from transforms.quality.features import ENGAGEMENT_TYPES  # noqa: E402


def driver_peak_rss_mb(spark: SparkSession) -> float:
    """Peak resident memory of the driver JVM (VmHWM), in MB."""
    pid = spark._jvm.java.lang.ProcessHandle.current().pid()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bare_engagers(spark: SparkSession, warehouse: Warehouse, score_date: dt.date, window_days: int, out: str) -> float:
    """Seconds of the reference job: distinct engagers per target in the window, to Parquet."""
    started = time.monotonic()
    first_day = score_date - dt.timedelta(days=window_days)
    (
        spark.read.format("delta").load(warehouse.path("silver/events"))
        .where(F.col("event_date").between(F.lit(first_day), F.lit(score_date)) & F.col("event_type").isin(*ENGAGEMENT_TYPES))
        .groupBy("platform", "target_account_id")
        .agg(F.countDistinct("actor_account_id").alias("engagers"))
        .write.mode("overwrite").parquet(out)
    )
    return time.monotonic() - started


def prepare(spark: SparkSession, config, sample: Path, warehouse: Warehouse, score_date: dt.date) -> None:
    """Ingest and quality for the score date, unless the warehouse holds them already."""
    if not Path(warehouse.path("silver/events")).is_dir():
        from jobs.ingest import run_ingest

        started = time.monotonic()
        run_ingest(spark, config, str(sample), warehouse)
        print(f"  ingested in {time.monotonic() - started:.1f}s")
    quality = Path(warehouse.path(QUALITY_TABLES[0]))
    if not (quality / f"score_date={score_date.isoformat()}").is_dir():
        started = time.monotonic()
        run_quality(spark, config, warehouse, score_date)
        print(f"  quality in {time.monotonic() - started:.1f}s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jobs.benchmark_metrics", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000], help="sample sizes, in events")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", default="/tmp/clout-bench-metrics", help="folder for the samples and warehouses, kept between runs")
    add_profile_arguments(parser)
    args = parser.parse_args(argv)
    config = profile_from(args)
    work = Path(args.work)
    spark = build_spark(config, warehouse=str(work / "session"), app_name="clout-benchmark-metrics")
    engine = resolve_engine(spark, config.graph.engine)
    cores = spark.sparkContext.defaultParallelism
    for events in args.events:
        sample = work / f"sample-{events}"
        ensure_sample(sample, events, args.seed)
        score_date = dt.date.fromisoformat(json.loads((sample / "truth" / "summary.json").read_text())["end_date"])
        warehouse = Warehouse(str(work / f"warehouse-{events}"), "clout_bench")
        prepare(spark, config, sample, warehouse, score_date)
        stored = spark.read.format("delta").load(warehouse.path("silver/events")).count()
        bare = bare_engagers(spark, warehouse, score_date, config.metrics.window_days, str(work / f"bare-{events}"))
        started = time.monotonic()
        outcome = run_metrics(spark, config, warehouse, score_date, engine)
        seconds = time.monotonic() - started
        pagerank = outcome["pagerank"]
        print(f"metrics stage, {events:,}-event sample ({stored:,} events, {outcome['rows_out'][TABLE]:,} persons) on {cores} cores: {seconds:.1f}s")
        print(f"  network influence: {pagerank['engine']} engine, {pagerank['iterations']} iterations, converged={pagerank['converged']}")
        print(f"  bare Spark (distinct engagers per target to Parquet): {bare:.1f}s")
        print(f"  ratio {seconds / bare:.1f}")
        print(f"  driver peak RSS {driver_peak_rss_mb(spark):.0f} MB")
    spark.stop()


if __name__ == "__main__":
    main()
