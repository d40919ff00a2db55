"""Benchmark: ingest throughput on the built-in sample.

``python -m jobs.benchmark_ingest --events 1000000`` generates the sample (if the folder
does not hold one of that size already), ingests it into a fresh warehouse and prints
records read per second and events per second of the ingest stage.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402


def ensure_sample(sample: Path, events: int, seed: int) -> None:
    """Generates the sample into ``sample`` unless it already holds one of that size."""
    summary = sample / "truth" / "summary.json"
    if summary.is_file() and json.loads(summary.read_text()).get("n_events_requested") == events:
        return
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "jobs.generate_sample", "--out", str(sample), "--events", str(events), "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"generated {events:,} events in {time.monotonic() - started:.1f}s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jobs.benchmark_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sample", default=None, help="sample folder (default: a temporary one)")
    add_profile_arguments(parser)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="clout-bench-"))
    sample = Path(args.sample) if args.sample else work / "sample"
    ensure_sample(sample, args.events, args.seed)

    config = profile_from(args)
    warehouse = Warehouse(str(work / "warehouse"), "clout_bench")
    spark = build_spark(config, warehouse=warehouse.root, app_name="clout-benchmark-ingest")
    from jobs.ingest import run_ingest

    started = time.monotonic()
    ledger = run_ingest(spark, config, str(sample), warehouse)
    seconds = time.monotonic() - started
    records = sum(row.records_read for row in ledger)
    events = spark.read.format("delta").load(warehouse.path("silver/events")).count()
    cores = spark.sparkContext.defaultParallelism
    print(f"ingest of {args.events:,}-event sample on {cores} cores: {records:,} records, {events:,} events in {seconds:.1f}s")
    print(f"throughput: {records / seconds:,.0f} records/s, {events / seconds:,.0f} events/s")
    spark.stop()
    shutil.rmtree(work / "warehouse", ignore_errors=True)


if __name__ == "__main__":
    main()
