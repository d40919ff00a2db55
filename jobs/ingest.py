"""Ingest stage: raw platform exports -> bronze, silver/events, silver/accounts, quarantine.

Runnable on its own (``python -m jobs.ingest`` or ``spark-submit jobs/ingest.py``) and as
the ``ingest`` stage of ``jobs.pipeline``. Files already ingested (same path, size and
modification time) are skipped; records already ingested from other files are counted as
duplicates; so re-running on the same input changes nothing. The tables' reads and
writes are in ``jobs.common.ingest_io``, the order of a run's steps in
``jobs.common.ingest_run``, the mapping and classification in ``transforms``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import SparkSession  # noqa: E402

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.config import CloutConfig  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.ingest_run import INTERRUPTED, LedgerRow, adapter_for, run_ingest  # noqa: E402
from jobs.common.lock import single_writer  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.summary import INGEST_TABLES, ingest_outcome, ingest_text, table_versions  # noqa: E402

__all__ = ["INTERRUPTED", "LedgerRow", "adapter_for", "ingest_stage", "main", "parse_args", "run_ingest"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.ingest", description="Ingest raw platform exports into Delta.")
    parser.add_argument("--input", required=True, help="folder with one sub-folder per source")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def ingest_stage(spark: SparkSession, config: CloutConfig, input_dir: str, warehouse: Warehouse, log: RunLog) -> dict[str, Any]:
    """The ingest stage as a run logs it: timed, with what it read and wrote."""
    with log.stage("ingest") as stage:
        before = table_versions(spark, warehouse, INGEST_TABLES)
        stage.outcome = ingest_outcome(spark, warehouse, run_ingest(spark, config, input_dir, warehouse), before)
        log.text(lambda: ingest_text(stage.outcome))
    return stage.outcome


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    log = RunLog("clout-ingest", config.logging.format)
    with single_writer(args.warehouse, "jobs.ingest"):
        spark = build_spark(config, warehouse=args.warehouse, app_name="clout-ingest")
        try:
            ingest_stage(spark, config, args.input, Warehouse(args.warehouse, config.database), log)
        finally:
            log.summary()


if __name__ == "__main__":
    main()
