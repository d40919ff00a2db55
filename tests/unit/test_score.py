"""The Clout score on tiny inline rows: components, calibration, decay, reasons, rank, changes."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from transforms.score.explain import with_changes, with_rank, with_reasons
from transforms.score.score import ScoreSettings, calibrated, clout_scores, quiet_decay

# The anchors the expected values below are worked out with (not the shipped calibration).
ANCHORS = ((0.0, 1.0), (0.1, 20.0), (0.3, 50.0), (0.45, 70.0), (1.0, 100.0))
# Round full values, so the expected sub-scores below are easy to work out: 99 engagers are
# half of 9,999 on the log scale, 9 influential engagers half of 99.
SETTINGS = ScoreSettings(anchors=ANCHORS, reach_weight=0.4, amplification_weight=0.2, influence_weight=0.4,
                         reach_full=9_999.0, influence_full=99.0)
WINDOW = 90
METRICS_SCHEMA = (
    "person_id string, true_reach double, engagers long, posts long, reacted_posts_share double, reactions_per_post double, "
    "weighted_reactions_per_post double, hop_1 long, hop_2 long, hop_3 long, influence_vs_average double, "
    "influence_mass double, influential_engagers long, quiet_days int"
)


def metrics_row(person, *, reach=0.0, engagers=0, posts=0, share=0.0, per_post=0.0, weighted=0.0, hops=(0, 0, 0),
                vs_average=0.0, mass=1.0, influential=0, quiet=0):
    return (person, reach, engagers, posts, share, per_post, weighted, *hops, vs_average, mass, influential, quiet)


def scored(spark, rows, settings=SETTINGS):
    return clout_scores(spark.createDataFrame(rows, METRICS_SCHEMA), settings, WINDOW)


def test_each_component_is_log_scaled_to_its_full_value_and_the_points_add_up(spark):
    # 99 engagers: half of full on the log scale, so 50; 9 influential engagers: 50;
    # amplification (reactions + hops/2) / (posts + 3) = sqrt(21) - 1: 50. Decayed reach and
    # the person's own influence mass are not what the score counts.
    amplification = (math.sqrt(21) - 1) * (7 + 3)
    half = metrics_row("p-half", reach=12.5, engagers=99, posts=7, weighted=(amplification - 4 * 0.5) / 7,
                       hops=(5, 3, 1), mass=400.0, influential=9)
    nobody = metrics_row("p-nobody", quiet=None)
    full = metrics_row("p-full", reach=50_000.0, engagers=60_000, posts=10, weighted=500.0, mass=5_000.0, influential=120)
    rows = {r["person_id"]: r for r in scored(spark, [half, nobody, full]).collect()}

    p = rows["p-half"]
    assert (p["reach_score"], p["amplification_score"], p["influence_score"]) == pytest.approx((50.0, 50.0, 50.0))
    # raw 0.5 lies between the anchors (0.45, 70) and (1, 100).
    assert p["raw_score"] == pytest.approx(0.5)
    assert p["score"] == pytest.approx(round(70 + 0.05 * 30 / 0.55, 1))
    assert (p["reach_points"], p["amplification_points"], p["influence_points"]) == pytest.approx((28.68, 14.34, 28.68))
    assert p["reach_points"] + p["amplification_points"] + p["influence_points"] == pytest.approx(p["score"] - 1)
    # Nobody engaged and nothing in the window: the floor, no points.
    n = rows["p-nobody"]
    assert (n["score"], n["reach_points"], n["amplification_points"], n["influence_points"]) == (1.0, 0.0, 0.0, 0.0)
    # 100 needs every component at its full value.
    assert rows["p-full"]["score"] == 100.0


def test_one_lucky_post_is_not_evidence_of_amplification(spark):
    lucky = metrics_row("p-lucky", posts=1, weighted=4.0)          # 4 reactions on one post: 4 / (1 + 3) = 1
    steady = metrics_row("p-steady", posts=40, weighted=4.0)       # 4 reactions on each of 40 posts: 160 / 43
    rows = {r["person_id"]: r["amplification_score"] for r in scored(spark, [lucky, steady]).collect()}
    assert rows["p-lucky"] == pytest.approx(100 * math.log1p(1.0) / math.log1p(20.0))
    assert rows["p-steady"] == pytest.approx(100 * math.log1p(160 / 43) / math.log1p(20.0))


def test_calibration_passes_through_its_anchors_and_is_linear_between(spark):
    raws = [0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.725, 1.0, 1.2]
    frame = spark.createDataFrame([(r,) for r in raws], "raw double").withColumn("score", calibrated(F.col("raw"), SETTINGS.anchors))
    got = [row["score"] for row in frame.orderBy("raw").collect()]
    assert got == pytest.approx([1.0, 10.5, 20.0, 35.0, 50.0, 70.0, 85.0, 100.0, 100.0])


def test_a_quiet_person_decays_smoothly_to_the_floor_by_the_end_of_the_window(spark):
    days = spark.range(0, 121).select(F.col("id").cast("int").alias("quiet_days"))
    kept = [row["kept"] for row in days.select(quiet_decay(F.col("quiet_days"), 7, WINDOW).alias("kept")).orderBy("quiet_days").collect()]
    assert kept[:8] == [1.0] * 8                                  # the grace week
    assert kept[30] == pytest.approx((1 - 23 / 83) ** 2)           # about half after 30 quiet days
    assert 0.45 < kept[30] < 0.6
    assert kept[60] < 0.15 and kept[90] == 0.0 and kept[120] == 0.0
    drops = [a - b for a, b in zip(kept, kept[1:])]
    assert min(drops) >= 0.0                                       # never rises while quiet
    assert max(drops) < 0.025                                      # and never falls by more than 2.5% of its points in a day
    never = spark.createDataFrame([(None,)], "quiet_days int").select(quiet_decay(F.col("quiet_days"), 7, WINDOW).alias("kept"))
    assert never.first()["kept"] == 0.0


def test_decay_scales_the_points_above_the_floor(spark):
    active = metrics_row("p-active", reach=99.0, engagers=120, mass=10.0, quiet=3)
    quiet = metrics_row("p-quiet", reach=99.0, engagers=120, mass=10.0, quiet=30)
    rows = {r["person_id"]: r for r in scored(spark, [active, quiet]).collect()}
    assert rows["p-active"]["decay"] == 1.0
    assert rows["p-quiet"]["active_score"] == pytest.approx(rows["p-active"]["score"], abs=0.05)
    expected = 1 + (rows["p-active"]["active_score"] - 1) * (1 - 23 / 83) ** 2
    assert rows["p-quiet"]["score"] == pytest.approx(round(expected, 1))


def test_reasons_say_what_is_behind_the_score_largest_contribution_first(spark):
    rows = [
        metrics_row("p-star", reach=300.0, engagers=412, posts=31, share=0.45, per_post=2.44, weighted=2.0, hops=(20, 40, 16),
                    vs_average=14.2, mass=60.0, influential=3, quiet=2),
        metrics_row("p-quiet", reach=2.0, engagers=1, posts=1, share=1.0, per_post=1.0, weighted=1.0, vs_average=1.6, mass=1.85, quiet=38),
        metrics_row("p-none", quiet=None),
    ]
    reasons = {r["person_id"]: r["reasons"] for r in with_reasons(scored(spark, rows), WINDOW, 20.0).collect()}
    assert reasons["p-star"] == [
        "engaged by 412 distinct genuine people in 90 days",
        "engaged by 3 highly influential persons (influence mass 20+)",
        "2.4 genuine reactions per post over 31 posts (45% drew a reshare, quote or reply); 56 more people at the 2nd and 3rd hop of reshares",
    ]
    assert reasons["p-quiet"][-1] == "quiet for 38 days: 39% of its active level"
    assert reasons["p-quiet"][0] == "engaged by 1 distinct genuine person in 90 days"
    assert "network influence 1.6 times the average person's" in reasons["p-quiet"]
    assert reasons["p-none"] == [
        "no genuine engagement in 90 days",
        "no posts of their own in 90 days",
        "network influence 0.0 times the average person's",
        "no activity in 90 days: at the floor",
    ]


def test_rank_counts_the_persons_above_and_ties_share_a_rank_across_partitions(spark):
    scores = [50.0, 72.5, 1.0, 1.0, 33.3, 72.5, 99.0, 1.0] * 3 + [64.0]
    frame = spark.createDataFrame([(f"p{i:02d}", s) for i, s in enumerate(scores)], "person_id string, score double").repartition(5)
    got = {r["person_id"]: r["rank"] for r in with_rank(frame).collect()}
    expected = {f"p{i:02d}": 1 + sum(other > s for other in scores) for i, s in enumerate(scores)}
    assert got == expected
    assert sorted(set(got.values())) == [1, 4, 10, 11, 14, 17]


def test_rank_keeps_every_row_of_a_large_skewed_date(spark):
    # Most persons sit at the floor, as on a real date: every row must come back ranked.
    frame = spark.range(0, 20_000, numPartitions=8).select(
        F.col("id").cast("string").alias("person_id"),
        F.when(F.col("id") % 10 == 0, F.round(1 + (F.col("id") % 997) / 10.0, 1)).otherwise(F.lit(1.0)).alias("score"),
    )
    ranked = with_rank(frame)
    floor = ranked.where("score = 1.0").select("rank").distinct().collect()
    assert ranked.count() == 20_000
    assert [row["rank"] for row in floor] == [1 + frame.where("score > 1.0").count()]
    top = ranked.orderBy(F.desc("score")).first()
    assert top["rank"] == 1


def test_changes_compare_with_the_same_person_one_and_seven_days_before(spark):
    today = spark.createDataFrame(
        [("p-a", dt.date(2026, 11, 8), 40.0), ("p-b", dt.date(2026, 11, 8), 12.5), ("p-new", dt.date(2026, 11, 8), 5.0)],
        "person_id string, score_date date, score double",
    )
    history = spark.createDataFrame(
        [("p-a", dt.date(2026, 11, 7), 38.5), ("p-a", dt.date(2026, 11, 1), 45.0), ("p-b", dt.date(2026, 11, 7), 12.5),
         ("p-b", dt.date(2026, 11, 3), 2.0)],  # five days before: neither look-back
        "person_id string, score_date date, score double",
    )
    expected = spark.createDataFrame(
        [("p-a", dt.date(2026, 11, 8), 40.0, 1.5, -5.0), ("p-b", dt.date(2026, 11, 8), 12.5, 0.0, None), ("p-new", dt.date(2026, 11, 8), 5.0, None, None)],
        "person_id string, score_date date, score double, score_change_1d double, score_change_7d double",
    )
    assert_df_equality(with_changes(today, history), expected, ignore_row_order=True, ignore_nullable=True)


@pytest.mark.parametrize(
    "override, message",
    [
        ({"reach_weight": 0.6}, "add up to 1"),
        ({"anchors": ((0.0, 1.0), (0.5, 40.0), (0.4, 60.0), (1.0, 100.0))}, "increase"),
        ({"anchors": ((0.0, 5.0), (1.0, 100.0))}, "run from"),
        ({"influence_full": 0.0}, "influence_full"),
        ({"influential_mass": 1.0}, "influential_mass"),
    ],
)
def test_settings_refuse_a_score_that_would_not_be_calibrated(override, message):
    with pytest.raises(ValueError, match=message):
        ScoreSettings(**override)
