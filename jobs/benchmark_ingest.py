"""Benchmark: the ingest stage against the I/O floor, and the cost of a daily batch.

``python -m jobs.benchmark_ingest --events 500000`` generates the built-in sample (unless
``--sample`` holds one of that size), then times two commands on the same files, each a
process of its own with its session start:

- the ingest stage, ``python -m jobs.ingest`` into a fresh warehouse;
- the bare job: Spark reads the same raw files as text, pulls two fields out of each JSON
  line and writes Parquet (``python -m jobs.benchmark_ingest --bare-job``).

It prints both times, the ingest's records per second, the ratio of the two, and the
peak resident memory of the driver's Python process. ``--daily 10`` also cuts the sample
into 10 consecutive slices of time (each source's lines in file order, Graph API documents
by month, CSV rows under their header) and ingests them one after the other into one
warehouse, printing each batch's time and the last batch's over the first's.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.common.cli import add_profile_arguments  # noqa: E402
from jobs.common.ingest_io import READ_MODES  # noqa: E402


def ensure_sample(sample: Path, events: int, seed: int) -> None:
    """Generates the sample into ``sample`` unless it already holds one of that size and seed."""
    summary = sample / "truth" / "summary.json"
    if summary.is_file():
        held = json.loads(summary.read_text())
        if (held.get("n_events_requested"), held.get("seed")) == (events, seed):
            return
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "jobs.generate_sample", "--out", str(sample), "--events", str(events), "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"generated {events:,} events in {time.monotonic() - started:.1f}s")


# ---------------------------------------------------------------- the bare job


def bare_job(input_dir: str, out: str, conf: str | None) -> None:
    """Reads every raw file as text, keeps two JSON fields of each line, writes Parquet."""
    from pyspark.sql import functions as F

    from jobs.common.config import load_config
    from jobs.common.spark import build_spark

    config = load_config(conf)
    spark = build_spark(config, warehouse=out, app_name="clout-bare-job")
    folders = [str(p) for p in sorted(Path(input_dir).iterdir()) if p.name in READ_MODES]
    lines = spark.read.option("recursiveFileLookup", "true").text(folders)
    lines.select(
        F.get_json_object("value", "$.id").alias("id"), F.get_json_object("value", "$.created_at").alias("created_at")
    ).write.mode("overwrite").parquet(f"{out}/bare")
    spark.stop()


# ---------------------------------------------------------------- timing


def timed_run(command: list[str], log: Path) -> tuple[float, float]:
    """Runs a command to its end; returns its seconds and the peak RSS (MB) of any child so far."""
    started = time.monotonic()
    with log.open("w") as out:
        subprocess.run(command, check=True, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    # ru_maxrss of children is the largest of any child waited for so far (kB on Linux).
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def ingest_command(input_dir: Path, warehouse: Path, conf: str | None) -> list[str]:
    command = [sys.executable, "-m", "jobs.ingest", "--input", str(input_dir), "--warehouse", str(warehouse)]
    return command + (["--conf", conf] if conf else [])


def records_read(log: Path) -> int:
    """Records the ingest run read: the sum of the "read" column of its summary table."""
    total, in_table = 0, False
    for line in log.read_text().splitlines():
        fields = line.removeprefix("[clout]").split()
        if fields[:3] == ["source", "files", "read"]:
            in_table = True
            continue
        if in_table and len(fields) == 7 and fields[1].isdigit():
            total += int(fields[2].replace(",", ""))
        elif in_table:
            in_table = False
    return total


# ---------------------------------------------------------------- daily batches


def _open_text(path: Path, mode: str):
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8", newline="", compresslevel=1) if mode == "w" else gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(mode, encoding="utf-8", newline="")


def _deal_in_order(units: list[tuple[Path, list]], count: int) -> list[list[tuple[Path, list]]]:
    """Cuts the units of a source, in file order, into ``count`` consecutive runs.

    The sample writes each source's files in time order, so a run is a slice of time.
    """
    size = max(1, -(-sum(len(items) for _, items in units) // count))
    batches: list[list[tuple[Path, list]]] = [[] for _ in range(count)]
    position = 0
    for path, items in units:
        offset = 0
        while offset < len(items):
            index = (position + offset) // size
            take = min(len(items) - offset, (index + 1) * size - (position + offset))
            batches[index].append((path, items[offset : offset + take]))
            offset += take
        position += len(items)
    return batches


def split_into_batches(sample: Path, out: Path, count: int) -> list[Path]:
    """Cuts a sample into ``count`` input folders that together hold every record once."""
    folders = [out / f"batch-{index + 1:02d}" for index in range(count)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    identities = sample / "identities.csv"
    if identities.is_file():
        shutil.copy(identities, folders[0] / "identities.csv")
    for source, mode in READ_MODES.items():
        files = sorted(p for p in (sample / source).rglob("*") if p.is_file()) if (sample / source).is_dir() else []
        if mode == "file":
            # Graph API documents are named ...-YYYYMM: deal them out month by month.
            by_month = sorted(files, key=lambda p: (p.stem.rsplit("-", 1)[-1], p.name))
            for folder, chunk in zip(folders, _deal_in_order([(p, [p]) for p in by_month], count)):
                for path, _ in chunk:
                    target = folder / path.relative_to(sample)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, target)
            continue
        units, headers = [], {}
        for path in files:
            with _open_text(path, "r") as handle:
                if mode == "csv":
                    rows = list(csv.reader(handle))
                    headers[path], items = rows[0], rows[1:]
                else:
                    items = handle.readlines()
            units.append((path, items))
        for folder, chunk in zip(folders, _deal_in_order(units, count)):
            for path, items in chunk:
                target = folder / path.relative_to(sample)
                target.parent.mkdir(parents=True, exist_ok=True)
                with _open_text(target, "w") as handle:
                    if mode == "csv":
                        writer = csv.writer(handle)
                        writer.writerow(headers[path])
                        writer.writerows(items)
                    else:
                        handle.writelines(items)
    return folders


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jobs.benchmark_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sample", default=None, help="sample folder (default: a temporary one)")
    parser.add_argument("--daily", type=int, default=0, help="also ingest the sample as this many batches, one after the other")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses and logs")
    parser.add_argument("--bare-job", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    add_profile_arguments(parser)
    args = parser.parse_args(argv)
    if args.bare_job:
        bare_job(args.input, args.out, args.conf)
        return

    work = Path(tempfile.mkdtemp(prefix="clout-bench-ingest-"))
    sample = Path(args.sample) if args.sample else work / "sample"
    ensure_sample(sample, args.events, args.seed)
    conf = args.conf

    ingest_seconds, ingest_rss = timed_run(ingest_command(sample, work / "warehouse", conf), work / "ingest.log")
    records = records_read(work / "ingest.log")
    bare = [sys.executable, "-m", "jobs.benchmark_ingest", "--bare-job", "--input", str(sample), "--out", str(work / "bare")]
    bare_seconds, _ = timed_run(bare + (["--conf", conf] if conf else []), work / "bare.log")
    print(f"sample: {args.events:,} events requested, {records:,} records read (seed {args.seed})")
    print(f"ingest stage: {ingest_seconds:.1f} s, {records / ingest_seconds:,.0f} records/s, peak RSS of the driver process {ingest_rss:,.0f} MB (Python; the JVM it starts is not counted)")
    print(f"bare job (text -> two JSON fields -> Parquet): {bare_seconds:.1f} s")
    print(f"ratio {ingest_seconds / bare_seconds:.2f}")

    if args.daily:
        batches = split_into_batches(sample, work / "batches", args.daily)
        warehouse = work / "daily-warehouse"
        times = []
        for index, batch in enumerate(batches, 1):
            seconds, _ = timed_run(ingest_command(batch, warehouse, conf), work / f"daily-{index:02d}.log")
            times.append(seconds)
            print(f"batch {index:2d} of {len(batches)}: {seconds:.1f} s ({records_read(work / f'daily-{index:02d}.log'):,} records)")
        print(f"last batch over first: {times[-1] / times[0]:.2f}")
    if not args.keep:
        shutil.rmtree(work / "warehouse", ignore_errors=True)
        shutil.rmtree(work / "daily-warehouse", ignore_errors=True)
        shutil.rmtree(work / "bare", ignore_errors=True)
    print(f"logs: {work}")


if __name__ == "__main__":
    main()
