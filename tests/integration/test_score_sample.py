"""The score stage end to end on the generated sample: what gold/scores holds, where BI
tools find it, and that the sample's planted bots and quiet persons score as they should."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from jobs.common.delta import column_comments, table_comment
from jobs.score import COMMENT, OUTPUT_COLUMNS, TABLE

pytestmark = pytest.mark.integration


def read_truth(sample: Path, name: str) -> list[dict[str, str]]:
    with open(sample / "truth" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def scores(spark, sample_scores) -> dict[str, dict]:
    run = sample_scores.run
    table = spark.read.format("delta").load(run.warehouse.path(TABLE)).where(F.col("score_date") == F.lit(run.score_date))
    return {row["person_id"]: row.asDict() for row in table.collect()}  # one per scored person: ~2k


def test_one_scored_row_per_person_of_the_metrics_with_its_explanation(spark, sample_scores, scores):
    run = sample_scores.run
    metrics = spark.read.format("delta").load(run.warehouse.path("gold/person_metrics")).where(F.col("score_date") == F.lit(run.score_date))
    assert set(scores) == {row.person_id for row in metrics.select("person_id").collect()}
    assert sample_scores.first["rows_out"] == sample_scores.again["rows_out"] == {TABLE: len(scores)}
    table = spark.read.format("delta").load(run.warehouse.path(TABLE))
    assert table.columns == list(OUTPUT_COLUMNS)
    assert table.where(F.col("score_date") == F.lit(run.score_date)).count() == len(scores)  # the rerun replaced the date

    for row in scores.values():
        assert 1.0 <= row["score"] <= 100.0
        assert row["reach_points"] + row["amplification_points"] + row["influence_points"] == pytest.approx(row["score"] - 1.0, abs=0.02)
        assert 3 <= len(row["reasons"]) <= 4
        assert row["model_version"] == "clout-score-v2"
        assert row["score_change_1d"] is None  # the sample has no scores of the day before

    # rank: 1 + persons with a higher score.
    ordered = sorted(s["score"] for s in scores.values())
    for row in list(scores.values())[:300]:
        assert row["rank"] == 1 + sum(1 for s in ordered if s > row["score"])
    # The leaders the run printed are the best ranks.
    leaders = sample_scores.first["leaders"]
    assert [leader["person_id"] for leader in leaders] == [p for p, _ in sorted(((p, r["rank"]) for p, r in scores.items()), key=lambda x: (x[1], x[0]))][:10]
    assert all(leader["reasons"] == scores[leader["person_id"]]["reasons"] for leader in leaders)


def test_the_table_is_registered_and_described_for_bi_tools(spark, sample_scores, scores):
    warehouse = sample_scores.run.warehouse
    path = warehouse.path(TABLE)
    assert table_comment(spark, path) == COMMENT
    comments = column_comments(spark, path)
    assert set(comments) == set(OUTPUT_COLUMNS)
    top = spark.sql(
        f"SELECT person_id, score FROM {warehouse.name(TABLE)} WHERE score_date = DATE'{sample_scores.run.score_date}' ORDER BY score DESC LIMIT 1"
    ).first()
    assert top.score == max(row["score"] for row in scores.values())
    assert spark.sql(f"SHOW PARTITIONS {warehouse.name(TABLE)}").count() >= 1


def test_planted_bots_are_in_no_top_100_and_planted_leaders_rank_high(sample_scores, scores):
    sample = sample_scores.run.sample
    bot_persons = {f"{row['platform']}:{row['account_id']}" for row in read_truth(sample, "accounts.csv") if row["kind"] != "genuine"}
    top_100 = {p for p, row in scores.items() if row["rank"] <= 100}
    assert len(top_100) >= 100
    assert not bot_persons & top_100
    assert not bot_persons & set(scores)  # bots are not scored at all
    leaders = {row["person_id"] for row in read_truth(sample, "leaders.csv")} & set(scores)
    assert leaders
    median_leader_percentile = sorted(scores[p]["percentile"] for p in leaders)[len(leaders) // 2]
    assert median_leader_percentile >= 90.0


def test_quiet_persons_keep_less_of_their_score_the_longer_they_are_quiet(sample_scores, scores, config):
    run = sample_scores.run
    grace = config.score.quiet_grace_days
    # A planted person is scored under its id when its accounts are linked, else under its one account's.
    accounts = defaultdict(list)
    for row in read_truth(run.sample, "persons.csv"):
        accounts[row["person_id"]].append(f"{row['platform']}:{row['account_id']}")
    quiet = [
        (key, dt.date.fromisoformat(row["quiet_since"]))
        for row in read_truth(run.sample, "quiet.csv")
        for key in [row["person_id"], *accounts[row["person_id"]]]
        if key in scores
    ]
    assert len(quiet) >= 20
    # Engagement with old posts can still arrive after a person stops: quiet counts from it.
    decaying = [p for p, _ in quiet if scores[p]["quiet_days"] is None or scores[p]["quiet_days"] > grace]
    assert len(decaying) >= len(quiet) // 2
    for person in decaying:
        row = scores[person]
        assert row["decay"] < 1.0 and (row["score"] < row["active_score"] or row["score"] == 1.0), person
        assert any(reason.startswith(("quiet for ", "no activity")) for reason in row["reasons"]), person
    # Nobody active is decayed.
    assert all(row["decay"] == 1.0 for row in scores.values() if row["quiet_days"] is not None and row["quiet_days"] <= grace)


def test_the_calibration_puts_the_sample_near_its_anchors(sample_scores):
    spread = sample_scores.first["distribution"]
    active = spread["active"]
    assert spread["scored_above_floor"] > spread["active_above_floor"] > 500
    # The anchors were fitted on this sample: the median active person above the floor
    # scores about 20, the 95th percentile about 50, the 99th about 70 (see conf [score]).
    assert 17 <= active["p50"] <= 23, active
    assert 45 <= active["p95"] <= 55, active
    assert 65 <= active["p99"] <= 75, active
    # Quiet persons sit lower; nobody reaches 100 (that needs every component at its top).
    assert spread["above_floor"]["p50"] < active["p50"]
    assert spread["top"] < 100.0
