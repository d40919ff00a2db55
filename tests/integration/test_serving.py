"""Where users read Clout's tables, for real: BI tools over JDBC (the Spark Thrift Server),
readers without Spark (delta-rs), and the notebooks, all on the sample run's warehouse."""

from __future__ import annotations

import csv
import io
import re
import signal
import subprocess
import sys
import time

import pytest
from pyspark.sql import functions as F

from jobs.common.config import PROJECT_ROOT
from jobs.run_notebooks import default_notebooks
from tests.integration.standalone import LOOPBACK, cluster_env, free_port, spark_home

pytestmark = pytest.mark.integration

TEST_PROFILE = str(PROJECT_ROOT / "conf" / "test.toml")


def test_delta_rs_reads_the_same_rows_as_spark(sample_run, spark):
    from deltalake import DeltaTable

    path = sample_run.warehouse.path("silver/account_quality")
    columns = ["platform", "account_id", "kind", "is_bot", "bot_score"]
    by_delta_rs = DeltaTable(path).to_pandas(columns=columns)
    by_spark = spark.read.format("delta").load(path).select(*columns).toPandas()
    key = ["platform", "account_id"]
    assert len(by_delta_rs) == len(by_spark) > 1000
    left = by_delta_rs.sort_values(key).reset_index(drop=True)
    right = by_spark.sort_values(key).reset_index(drop=True)
    assert left.equals(right)


def _beeline(port: int, query: str) -> list[dict[str, str]]:
    result = subprocess.run(
        [
            str(spark_home() / "bin" / "beeline"),
            "-u", f"jdbc:hive2://{LOOPBACK}:{port}/clout", "-n", "bi-tool",
            "--silent=true", "--showHeader=true", "--outputformat=csv2", "-e", query,
        ],
        env=cluster_env(), capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    # beeline echoes its prompt ("0: jdbc:hive2://...> ") before the output, even when silent.
    output = re.sub(r"^\d+: jdbc:hive2://\S+> ?", "", result.stdout, flags=re.MULTILINE)
    return list(csv.DictReader(io.StringIO(output.strip())))


@pytest.fixture(scope="module")
def sql_endpoint(sample_run, tmp_path_factory):
    """``python -m jobs.serve_sql`` over the sample run's warehouse, stopped at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve-sql") / "serve_sql.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jobs.serve_sql", "--warehouse", sample_run.warehouse.root, "--port", str(port), "--conf", TEST_PROFILE],
            cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 240
            while "[clout] ready" not in log.read_text() and server.poll() is None and time.monotonic() < deadline:
                time.sleep(1)
            assert "[clout] ready" in log.read_text(), log.read_text()[-4000:]
            yield port
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_a_bi_tool_queries_the_tables_over_jdbc(sql_endpoint, sample_run, spark):
    date = sample_run.score_date.isoformat()
    verdicts = spark.read.format("delta").load(sample_run.warehouse.path("silver/account_quality"))

    per_kind = _beeline(
        sql_endpoint,
        f"SELECT kind, count(*) AS accounts FROM clout.silver_account_quality "
        f"WHERE score_date = DATE'{date}' GROUP BY kind ORDER BY kind",
    )
    of_the_date = verdicts.where(F.col("score_date") == F.lit(sample_run.score_date))
    expected = {row["kind"]: row["count"] for row in of_the_date.groupBy("kind").count().collect()}
    assert {row["kind"]: int(row["accounts"]) for row in per_kind} == expected

    top = _beeline(
        sql_endpoint,
        f"SELECT platform, account_id, bot_score FROM clout.silver_account_quality "
        f"WHERE score_date = DATE'{date}' ORDER BY bot_score DESC, platform, account_id LIMIT 20",
    )
    expected_top = of_the_date.orderBy(F.desc("bot_score"), "platform", "account_id").limit(20).collect()
    assert [(r["platform"], r["account_id"]) for r in top] == [(r["platform"], r["account_id"]) for r in expected_top]

    one = expected_top[0]
    history = _beeline(
        sql_endpoint,
        f"SELECT score_date, kind, bot_score FROM clout.silver_account_quality "
        f"WHERE platform = '{one['platform']}' AND account_id = '{one['account_id']}' ORDER BY score_date",
    )
    assert [row["score_date"] for row in history] == [date]
    assert history[0]["kind"] == one["kind"]


def test_every_notebook_runs_on_the_warehouse_and_draws_its_figures(sample_run, tmp_path):
    figures = tmp_path / "figures"
    result = subprocess.run(
        [sys.executable, "-m", "jobs.run_notebooks", "--warehouse", sample_run.warehouse.root, "--out", str(figures), "--conf", TEST_PROFILE],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-6000:]
    notebooks = [p.stem for p in default_notebooks()]
    drawn = {folder.name: sorted(folder.glob("*.png")) for folder in figures.iterdir()}
    assert sorted(drawn) == notebooks
    assert all(pngs and all(p.stat().st_size > 5_000 for p in pngs) for pngs in drawn.values()), drawn
