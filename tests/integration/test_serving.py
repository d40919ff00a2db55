"""Where users read Clout's tables, for real: BI tools over JDBC (the Spark Thrift Server),
readers without Spark (delta-rs), and the notebooks, all on the sample run's warehouse
(with its metrics and scores: the ``sample_scores`` fixture)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import signal
import subprocess
import sys
import time
from typing import Any

import pyarrow as pa
import pytest
from pyspark.sql import functions as F

from jobs.common.config import PROJECT_ROOT
from jobs.run_notebooks import default_notebooks
from tests.integration.standalone import LOOPBACK, cluster_env, free_port, spark_home

pytestmark = pytest.mark.integration

TEST_PROFILE = str(PROJECT_ROOT / "conf" / "test.toml")


def _comparable(value: Any) -> Any:
    """A cell as a value ``==`` can compare: NaN equals NaN, structs and lists all the way down."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {name: _comparable(item) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_comparable(item) for item in value]
    return value


def _rows(table: pa.Table, key: list[str]) -> list[dict[str, Any]]:
    return sorted((_comparable(row) for row in table.to_pylist()), key=lambda row: tuple(row[k] for k in key))


def _assert_same_table(path: str, spark, key: list[str], partitions: list[tuple[str, str, str]] | None = None) -> int:
    """delta-rs and Spark return the same columns, types and whole rows (partition columns,
    timestamps, arrays and structs included) of one Delta table; returns the row count."""
    from deltalake import DeltaTable

    by_delta_rs = DeltaTable(path).to_pyarrow_table(partitions=partitions)
    read = spark.read.format("delta").load(path)
    for column, _, value in partitions or []:
        read = read.where(F.col(column) == F.lit(value).cast(read.schema[column].dataType))
    by_spark = read.toArrow()
    assert [(f.name, f.type) for f in by_delta_rs.schema] == [(f.name, f.type) for f in by_spark.schema]
    assert by_delta_rs.num_rows == by_spark.num_rows
    order = [(column, "ascending") for column in key]
    if by_delta_rs.sort_by(order).equals(by_spark.sort_by(order)):
        return by_delta_rs.num_rows
    # Arrow calls NaN unequal to itself; row by row, NaN is equal and a difference is named
    for mine, theirs in zip(_rows(by_delta_rs, key), _rows(by_spark, key)):
        assert mine == theirs
    return by_delta_rs.num_rows


def test_delta_rs_reads_the_same_rows_as_spark(sample_run, spark):
    events = sample_run.warehouse.path("silver/events")
    # silver/events is MERGEd into (edits replace rows) and partitioned by event_date
    assert _assert_same_table(events, spark, ["event_id"]) > 60_000
    assert "event_date" in spark.read.format("delta").load(events).inputFiles()[0]
    verdicts = sample_run.warehouse.path("silver/account_quality")
    assert _assert_same_table(verdicts, spark, ["score_date", "platform", "account_id"]) > 1000


def test_delta_rs_reads_the_same_scores_as_spark(sample_scores, spark):
    run = sample_scores.run
    of_the_date = [("score_date", "=", run.score_date.isoformat())]
    rows = _assert_same_table(run.warehouse.path("gold/scores"), spark, ["person_id"], of_the_date)
    assert rows == sample_scores.again["rows_out"]["gold/scores"] > 100


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
def sql_endpoint(sample_topics, tmp_path_factory):
    """``python -m jobs.serve_sql`` over the sample run's warehouse, stopped at the end.

    Started after the topics stage: the server registers the tables it finds when it starts.
    """
    sample_run, _ = sample_topics
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


def test_a_bi_tool_queries_the_tables_over_jdbc(sql_endpoint, sample_scores, spark):
    sample_run = sample_scores.run
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

    scores = spark.read.format("delta").load(sample_run.warehouse.path("gold/scores"))
    # ties share a rank: person_id makes the ten of a tie at the limit the same on both sides
    leaders = _beeline(
        sql_endpoint,
        f"SELECT person_id, score, rank FROM clout.gold_scores "
        f"WHERE score_date = DATE'{date}' ORDER BY rank, person_id LIMIT 10",
    )
    expected_leaders = scores.where(F.col("score_date") == F.lit(sample_run.score_date)).orderBy("rank", "person_id").limit(10).collect()
    assert len(expected_leaders) == 10
    assert [(r["person_id"], float(r["score"]), int(r["rank"])) for r in leaders] == [
        (r["person_id"], r["score"], r["rank"]) for r in expected_leaders
    ]

    leader = expected_leaders[0]["person_id"]
    leader_history = _beeline(
        sql_endpoint,
        f"SELECT score_date, score, rank FROM clout.gold_scores WHERE person_id = '{leader}' ORDER BY score_date",
    )
    expected_history = scores.where(F.col("person_id") == leader).orderBy("score_date").collect()
    assert [(r["score_date"], float(r["score"]), int(r["rank"])) for r in leader_history] == [
        (r["score_date"].isoformat(), r["score"], r["rank"]) for r in expected_history
    ]
    assert date in [r["score_date"] for r in leader_history]


def test_a_bi_tool_queries_the_leaders_of_a_topic_over_jdbc(sql_endpoint, sample_topics, spark):
    sample_run, _ = sample_topics
    date = sample_run.score_date.isoformat()
    leaders = _beeline(
        sql_endpoint,
        f"SELECT leader_rank, person_id, topic_score, score, reach FROM clout.gold_topic_leaders "
        f"WHERE score_date = DATE'{date}' AND topic = 'ai' ORDER BY leader_rank",
    )
    expected = (
        spark.read.format("delta").load(sample_run.warehouse.path("gold/topic_leaders"))
        .where((F.col("score_date") == F.lit(sample_run.score_date)) & (F.col("topic") == "ai")).orderBy("leader_rank").collect()
    )
    assert len(expected) >= 3
    assert [(int(r["leader_rank"]), r["person_id"], float(r["topic_score"]), float(r["score"]), int(r["reach"])) for r in leaders] == [
        (r["leader_rank"], r["person_id"], r["topic_score"], r["score"], r["reach"]) for r in expected
    ]


def test_every_notebook_runs_on_the_warehouse_and_draws_its_figures(sample_topics, spark, tmp_path):
    sample_run, _ = sample_topics
    figures = tmp_path / "figures"
    result = subprocess.run(
        [sys.executable, "-m", "jobs.run_notebooks", "--warehouse", sample_run.warehouse.root, "--out", str(figures), "--conf", TEST_PROFILE],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-6000:]
    notebooks = [p.stem for p in default_notebooks()]
    assert "03_scores" in notebooks
    drawn = {folder.name: sorted(folder.glob("*.png")) for folder in figures.iterdir() if folder.is_dir()}
    assert sorted(drawn) == notebooks
    assert all(pngs and all(p.stat().st_size > 5_000 for p in pngs) for pngs in drawn.values()), drawn
    # every plot of every figure draws data (bars, points, image cells), not an empty frame
    marks = json.loads((figures / "figures.json").read_text())
    assert sorted(marks) == notebooks
    assert {name: [f["figure"] for f in listed] for name, listed in marks.items()} == {name: [p.name for p in pngs] for name, pngs in drawn.items()}
    empty = {(name, f["figure"]): f["marks"] for name, listed in marks.items() for f in listed if not f["marks"] or 0 in f["marks"]}
    assert not empty, empty
    # 03: the distribution with its anchors, the sub-scores, the top 100's points, the top
    # person's history and links (and movers, when some score has a day to move from)
    assert len(drawn["03_scores"]) >= 5, drawn["03_scores"]
    # 04: a topic's leaders, their audiences' overlap, the influence graph among them; and a planned campaign
    assert len(drawn["04_topic_leaders"]) >= 3, drawn["04_topic_leaders"]
    assert re.search(r"^campaign on technology > ai \(", result.stdout, flags=re.MULTILINE), result.stdout[-4000:]

    scores = spark.read.format("delta").load(sample_run.warehouse.path("gold/scores"))
    latest = scores.agg(F.max("score_date")).first()[0]
    leader = scores.where(F.col("score_date") == F.lit(latest)).orderBy("rank", "person_id").first()
    out = result.stdout
    assert f"score date: {latest}" in out
    assert f"{leader['person_id']} (" in out and f"score {leader['score']:.1f}, rank {leader['rank']} on {latest}" in out
    for target in ("20.0", "50.0", "70.0"):
        assert re.search(rf"^\s*(median|95th percentile|99th percentile)\s+{re.escape(target)}\s", out, flags=re.MULTILINE), out[-4000:]
    if scores.select("score_date").distinct().count() == 1:  # nothing to move from: said, not failed
        assert f"score_change_1d: null for every person on {latest}" in out
        assert f"score_change_7d: null for every person on {latest}" in out
