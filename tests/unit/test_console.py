"""The console of a run keeps what a user acts on: Spark's own log goes to a file under the
warehouse (``--verbose`` keeps it on the console), and the run log says which file."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from jobs.common import run_log
from jobs.common.cli import add_profile_arguments, profile_from
from jobs.common.config import PROJECT_ROOT
from jobs.common.run_log import RunLog
from jobs.common.spark import log_spark_to_console, spark_log_file

# A tiny job: the shared command line, a run log, one session, and a plan too wide to print
# whole, which Spark warns about ("Truncated the string representation of a plan").
JOB = textwrap.dedent(
    """
    import argparse

    from jobs.common.cli import add_profile_arguments, profile_from
    from jobs.common.run_log import RunLog
    from jobs.common.spark import build_spark

    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse")
    add_profile_arguments(parser)
    args = parser.parse_args()
    config = profile_from(args)
    log = RunLog("clout-console-test", config.logging.format)
    log.event("run_started", "console test")
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-console-test")
    spark.sql("EXPLAIN SELECT " + ", ".join(f"{i} AS c{i}" for i in range(40))).collect()
    spark._jvm.org.apache.logging.log4j.LogManager.getLogger("clout.console.test").warn("console-test-marker")
    spark.stop()
    log.event("run_finished", "done")
    """
)
TRUNCATED = "Truncated the string representation of a plan"


def test_spark_log_goes_to_a_file_under_the_warehouse_and_the_run_log_says_which(tmp_path):
    warehouse = tmp_path / "warehouse"
    result = subprocess.run(
        [sys.executable, "-c", JOB, "--warehouse", str(warehouse), "--conf", "conf/test.toml"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    (log_file,) = (warehouse / "_logs").glob("clout-console-test-*.log")
    assert result.stdout.splitlines() == ["[clout] console test", f"[clout] Spark's log: {log_file}", "[clout] done"]
    assert result.stderr == ""  # nor Spark's banners, nor the JVM's own warnings
    spark_log = log_file.read_text()
    assert f"WARN SparkStringUtils: {TRUNCATED}" in spark_log
    assert "WARN test: console-test-marker" in spark_log
    assert "Setting default log level" not in spark_log  # the file's level is the profile's: no shell banner


def test_the_file_is_under_the_warehouse_or_a_local_temp_folder_and_verbose_keeps_the_console(tmp_path):
    log_file, note = spark_log_file(str(tmp_path / "wh"), "clout-pipeline", verbose=False)
    assert log_file.parent == tmp_path / "wh" / "_logs" and log_file.parent.is_dir()
    assert log_file.name.startswith("clout-pipeline-") and log_file.suffix == ".log" and note == ""

    log_file, note = spark_log_file("s3://bucket/clout", "clout-pipeline", verbose=False)
    assert log_file.parent == Path(tempfile.gettempdir()) / "clout-logs"
    assert note == " (the warehouse s3://bucket/clout is not a local folder)"

    assert spark_log_file(str(tmp_path / "wh"), "clout-pipeline", verbose=True) == (None, "")
    own = "-Dlog4j2.configurationFile=/etc/spark/log4j2.properties"
    assert spark_log_file(str(tmp_path / "wh"), "clout-pipeline", java_options=own, verbose=False) == (None, "")

    parser = argparse.ArgumentParser()
    add_profile_arguments(parser)
    try:
        profile_from(parser.parse_args(["--conf", "conf/test.toml", "--verbose"]))
        assert spark_log_file(str(tmp_path / "wh"), "clout-pipeline") == (None, "")
        profile_from(parser.parse_args(["--conf", "conf/test.toml"]))
        assert spark_log_file(str(tmp_path / "wh"), "clout-pipeline")[0] is not None
    finally:
        log_spark_to_console(False)  # the test session's own Spark stays quiet


def test_the_spark_log_line_is_an_event_of_the_run_log():
    stream = io.StringIO()
    log = RunLog("clout-test", "json", stream)
    run_log.note("spark_log", "Spark's log: /wh/_logs/clout-test.log", path="/wh/_logs/clout-test.log")
    (event,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert (event["event"], event["path"], event["run_id"]) == ("spark_log", "/wh/_logs/clout-test.log", log.run_id)
