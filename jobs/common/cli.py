"""Pieces shared by the jobs' command lines."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Callable

from pyspark.sql import SparkSession

from jobs.common.config import CloutConfig, ConfigError, load_config
from jobs.common.delta import Warehouse
from jobs.common.lock import single_writer
from jobs.common.run_log import RunLog
from jobs.common.spark import build_spark, log_spark_to_console


def iso_date(value: str) -> dt.date:
    """An argparse type for ``YYYY-MM-DD`` dates."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from error


def add_date_arguments(parser: argparse.ArgumentParser) -> None:
    """``--date D``, or ``--from D1 --to D2`` to backfill every day between."""
    parser.add_argument("--date", type=iso_date, default=None, help="score date (default: today, UTC)")
    parser.add_argument("--from", dest="start", type=iso_date, default=None, help="first date of a backfill")
    parser.add_argument("--to", dest="end", type=iso_date, default=None, help="last date of a backfill")


def score_dates(date: dt.date | None, start: dt.date | None, end: dt.date | None, parser_name: str = "clout") -> list[dt.date]:
    """The dates a run covers: ``--date``, or every day of ``--from .. --to``, in order."""
    if start or end:
        if not (start and end) or end < start:
            raise SystemExit(f"{parser_name}: --from and --to go together, --from first")
        return [start + dt.timedelta(days=d) for d in range((end - start).days + 1)]
    return [date or dt.datetime.now(dt.timezone.utc).date()]


def run_dated_stage(
    argv: list[str] | None,
    prog: str,
    description: str,
    stage: Callable[..., Any],
    finish: Callable[[RunLog, Any], None] | None = None,
) -> None:
    """A stage's own command line: ``--warehouse``, ``--date`` or ``--from/--to``, the
    profile options; runs ``stage(spark, config, warehouse, date, log)`` for each date in
    order (each replaced atomically), then the run summary, then ``finish(log, outcome of
    the last date)`` if given."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    add_date_arguments(parser)
    add_profile_arguments(parser)
    args = parser.parse_args(argv)
    dates = score_dates(args.date, args.start, args.end, parser_name=prog)
    config = profile_from(args)
    app = "clout-" + prog.removeprefix("jobs.")
    log = RunLog(app, config.logging.format)
    with single_writer(args.warehouse, prog):
        spark = build_spark(config, warehouse=args.warehouse, app_name=app)
        warehouse = Warehouse(args.warehouse, config.database)
        outcomes: list[Any] = []
        try:
            for score_date in dates:
                outcomes.append(stage(spark, config, warehouse, score_date, log))
        finally:
            log.summary()
    if finish is not None and outcomes:
        finish(log, outcomes[-1])


def add_profile_arguments(parser: argparse.ArgumentParser) -> None:
    """``--conf PROFILE``, repeatable ``--set SECTION.KEY=VALUE`` overrides and ``--verbose``."""
    parser.add_argument("--conf", default=None, help="profile (default conf/local.toml)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one profile setting, e.g. --set quality.model=s3://bucket/models/quality/v1 (repeatable)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="Spark's own log on the console (default: in <warehouse>/_logs/, the run log says which file)",
    )


def profile_from(args: argparse.Namespace) -> CloutConfig:
    """The profile named by :func:`add_profile_arguments`' options, overrides applied.

    A bad profile or override ends the job with its one-line reason, not a traceback.
    ``--verbose`` applies to every SparkSession the job builds next.
    """
    log_spark_to_console(getattr(args, "verbose", False))
    try:
        return load_config(args.conf, args.overrides)
    except ConfigError as error:
        raise SystemExit(f"clout: {error}") from error


def ingested_input(config: CloutConfig, input_path: str, warehouse_dir: str | None, job: str) -> tuple[SparkSession, Warehouse]:
    """Ingests a labelled input into a warehouse of its own (default: a temp folder per input).

    Training and evaluation read raw exports the pipeline's warehouse never sees; a second
    run on the same input finds its files ingested already and skips them.
    """
    from jobs.common.ingest_io import as_input_folder
    from jobs.ingest import run_ingest

    input_dir = as_input_folder(input_path)
    root = warehouse_dir or str(Path(tempfile.gettempdir()) / f"clout-{job}-{Path(input_dir).name}")
    spark = build_spark(config, warehouse=root, app_name=f"clout-{job}-quality")
    warehouse = Warehouse(root, config.database)
    run_ingest(spark, config, input_dir, warehouse)
    return spark, warehouse
