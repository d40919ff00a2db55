"""The quality stage end to end on a generated sample with planted bots, rings and quiet accounts."""

import csv
import datetime as dt
from collections import defaultdict

import pytest
from pyspark.sql import functions as F

from jobs.common.labels import LabelFormat, read_labels
from jobs.quality import TABLE
from transforms.quality.evaluation import evaluate_verdicts

pytestmark = pytest.mark.integration

SCORE_DATE = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def judged(spark, sample_run):
    assert sample_run.score_date == SCORE_DATE
    warehouse = sample_run.warehouse
    verdicts = spark.read.format("delta").load(warehouse.path(TABLE)).where(F.col("score_date") == F.lit(SCORE_DATE)).cache()
    truth = read_labels(spark, str(sample_run.sample / "truth" / "accounts.csv"), LabelFormat())
    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    known = events.select("platform", F.col("actor_account_id").alias("account_id")).union(accounts.select("platform", "account_id")).distinct()
    quarantine = spark.read.format("delta").load(warehouse.path("silver/quarantine"))
    return sample_run.sample, verdicts, truth, sample_run.first, sample_run.again, known, quarantine


def test_one_row_per_known_account_and_a_rerun_replaces_the_date(judged):
    _, verdicts, _, first, again, known, _ = judged
    assert first == again
    assert verdicts.count() == sum(first.values())
    assert verdicts.select("platform", "account_id").distinct().count() == verdicts.count()
    assert known.join(verdicts, ["platform", "account_id"], "left_anti").count() == 0


# The evidence each kind's reasons name (the sentences of transforms.quality.signals.with_reasons).
KIND_EVIDENCE = {
    "spam": ("repeat the same text", "are the same link", "hashtags per post", "mentions of other accounts per post", "and does nothing else"),
    "automated_amplifier": ("at the same minute of the hour", "reshares go to one account"),
    "engagement_ring": ("reacts to the same posts as", "one of a closed group of"),
    "fake_follower": ("in one day and never posted", "accounts that never post and began", "looks like a bought follower"),
}


def test_every_planted_bot_is_called_by_its_own_kind_with_high_precision(judged):
    _, verdicts, truth, _, _, known, _ = judged
    report = evaluate_verdicts(verdicts, truth)
    # Labelled accounts without a verdict are only those the input never shows (3 genuine
    # ones here, whose activity the sample did not write): no labelled bot goes unscored.
    absent = truth.join(known, ["platform", "account_id"], "left_anti")
    assert report.unscored == absent.count() <= 3
    assert absent.where(F.col("kind") != "genuine").count() == 0
    # Measured on this sample (seed 7): 211 bots flagged, no false positive, none missed.
    assert report.overall.precision >= 0.99, report.overall
    assert report.overall.recall >= 0.99, report.overall
    named = {k.kind: k.named / k.accounts for k in report.by_kind if k.kind != "genuine"}
    assert set(named) == set(KIND_EVIDENCE)
    assert all(share >= 0.98 for share in named.values()), named


def names_one_of(phrases):
    """A predicate on one reason: it holds one of ``phrases``."""
    return lambda sentence: F.greatest(*[sentence.contains(p) for p in phrases], F.lit(False))


def test_a_bots_reasons_name_the_evidence_of_its_kind(judged):
    _, verdicts, _, _, _, _, _ = judged
    bots = verdicts.where("is_bot").select("kind", "reasons")
    evidence = F.lit(False)
    for kind, phrases in KIND_EVIDENCE.items():
        evidence = F.when(F.col("kind") == kind, F.exists("reasons", names_one_of(phrases))).otherwise(evidence)
    kinds = {row["kind"] for row in bots.select("kind").distinct().collect()}
    assert kinds == set(KIND_EVIDENCE)
    assert bots.where(~evidence).collect() == []


def test_every_planted_ring_of_five_or_more_is_flagged_as_a_ring(judged):
    sample, verdicts, _, _, _, _, _ = judged
    rings = defaultdict(list)
    with open(sample / "truth" / "rings.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rings[row["ring_id"]].append((row["platform"], row["account_id"]))
    members = [(ring, *account) for ring, accounts in rings.items() if len(accounts) >= 5 for account in accounts]
    assert len({m[0] for m in members}) >= 5
    kinds = {(r["platform"], r["account_id"]): r["kind"] for r in verdicts.where(F.col("kind") == "engagement_ring").collect()}
    missed = [m for m in members if kinds.get((m[1], m[2])) != "engagement_ring"]
    assert missed == []


def test_quiet_accounts_are_inactive_and_verdicts_agree_with_their_flags(judged):
    sample, verdicts, _, _, _, _, _ = judged
    cutoff = SCORE_DATE - dt.timedelta(days=90)
    with open(sample / "truth" / "inactive.csv", newline="", encoding="utf-8") as handle:
        quiet = {(r["platform"], r["account_id"]) for r in csv.DictReader(handle) if dt.date.fromisoformat(r["last_active_date"]) < cutoff}
    assert quiet
    inactive = {(r["platform"], r["account_id"]) for r in verdicts.where("is_inactive").select("platform", "account_id").collect()}
    assert quiet <= inactive
    assert verdicts.where("bot_score < 0 or bot_score > 1 or is_genuine = (is_bot or is_inactive)").count() == 0


def test_every_planted_malformed_record_is_quarantined(spark, judged):
    sample, *_, quarantine = judged
    planted = spark.read.option("header", True).csv(str(sample / "truth" / "malformed.csv"))
    where = F.when(F.col("source") == "facebook", F.col("record_path")).otherwise(F.col("source_position").cast("string"))
    quarantined = quarantine.select("source", F.element_at(F.split("source_file", "/"), -1).alias("file"), where.alias("line"))
    assert planted.count() > 100
    assert planted.join(quarantined, ["source", "file", "line"], "left_anti").collect() == []
