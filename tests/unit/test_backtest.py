"""The backtest of the Clout score: average ranks and Spearman, top-k overlap, the future
window's day boundaries, the baselines, and the job on small Delta tables."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import pytest
from chispa import assert_df_equality
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.stat import Correlation

from jobs.backtest import backtest_text, gap_text, main, run_backtest, verdict
from jobs.common.delta import Warehouse
from tests.unit.silver_rows import T0, accounts_df, event, events_df
from transforms.score.backtest import (
    average_ranks,
    backtest_persons,
    future_engagers,
    spearman,
    spearman_gap_error,
    top_k_overlap,
)

DAY = 86400
# T0 is 2026-10-01 (day 0); the score date is day 9.
SCORE_DATE = dt.date(2026, 10, 10)
HORIZON = 3
WINDOW = 90
ALL_PERSONS = ["p-alice", "twitter:bob", "p-carol", "p-dave", "twitter:erin"]


def day(n: int) -> int:
    """Seconds after T0 of day ``n`` (T0 + n days, same hour)."""
    return n * DAY


def test_days_of_the_fixture():
    assert (T0 + dt.timedelta(seconds=day(9))).date() == SCORE_DATE


# -- average ranks and Spearman ---------------------------------------------------------


def values_df(spark, columns, rows):
    """Rows of doubles (and a string ``person_id`` when it comes first)."""
    schema = ", ".join(f"{c} string" if c == "person_id" else f"{c} double" for c in columns)
    return spark.createDataFrame(rows, schema)


@pytest.mark.parametrize("buckets", [1, 1000])
def test_tied_values_share_their_average_rank(spark, buckets):
    frame = values_df(spark, ["x", "y"], [(10.0, 1.0), (20.0, 1.0), (20.0, None), (40.0, 1.0), (50.0, 0.0)])
    expected = spark.createDataFrame(
        [("x", 10.0, 1.0), ("x", 20.0, 2.5), ("x", 40.0, 4.0), ("x", 50.0, 5.0), ("y", 0.0, 1.0), ("y", 1.0, 3.0)],
        "column string, value double, rank double",
    )
    assert_df_equality(average_ranks(frame, ["x", "y"], buckets=buckets), expected, ignore_row_order=True, ignore_nullable=True)


def test_spearman_of_five_persons_with_a_tie(spark):
    # score ranks 1, 2.5, 2.5, 4, 5; future ranks 1, 3, 2, 5, 4. Around the mean rank 3:
    # sum dx*dy = 4 + 0 + 0.5 + 2 + 2 = 8.5, sum dx^2 = 9.5, sum dy^2 = 10.
    rows = [(10.0, 1.0), (20.0, 3.0), (20.0, 2.0), (40.0, 5.0), (50.0, 4.0)]
    frame = values_df(spark, ["score", "future"], rows)
    got = spearman(frame, "future", ["score"], buckets=2).first()["score"]
    assert got == pytest.approx(8.5 / math.sqrt(95.0), abs=1e-12)
    # Ranking the tie 2 and 3 instead would give 0.8.
    assert got != pytest.approx(0.8)
    # Spark ML's Spearman (average ranks for ties) agrees on this small input.
    vectors = VectorAssembler(inputCols=["score", "future"], outputCol="features").transform(frame)
    assert Correlation.corr(vectors, "features", method="spearman").first()[0][0, 1] == pytest.approx(got, abs=1e-12)


def test_spearman_agrees_with_spark_ml_on_many_ties_and_buckets(spark):
    rng = random.Random(11)
    rows = []
    for _ in range(300):
        future = float(rng.choice([0, 0, 0, 0, 1, 1, 2, 3, 5, 8]))
        rows.append((future + rng.random() * 4, future, float(rng.randint(0, 4)), float(rng.choice([0, 0, 7]))))
    columns = ["score", "future", "a", "b"]
    frame = values_df(spark, columns, rows)
    got = spearman(frame, "future", ["score", "a", "b"], buckets=7).first()
    matrix = Correlation.corr(VectorAssembler(inputCols=columns, outputCol="features").transform(frame), "features", method="spearman").first()[0]
    for i, column in ((0, "score"), (2, "a"), (3, "b")):
        assert got[column] == pytest.approx(matrix[i, 1], abs=1e-9)


def test_a_ranking_with_a_single_value_has_no_rank_correlation(spark):
    frame = values_df(spark, ["score", "future"], [(1.0, 0.0), (2.0, 0.0), (3.0, 0.0)])
    assert spearman(frame, "future", ["score"]).first()["score"] is None


def test_spearman_leaves_out_rows_with_nulls(spark):
    frame = values_df(spark, ["followers", "future"], [(1.0, 1.0), (2.0, 2.0), (None, 0.0), (3.0, 3.0)])
    assert spearman(frame, "future", ["followers"]).first()["followers"] == pytest.approx(1.0)


# -- top-k overlap ----------------------------------------------------------------------


def test_the_spearman_gap_has_a_standard_error_from_groups_of_persons(spark):
    import numpy as np
    from pyspark.sql import functions as F
    from scipy.stats import rankdata

    generator = random.Random(5)
    rows = []
    for i in range(600):
        future = float(max(0, generator.randint(-6, 4)))  # mostly ties at 0, as a real future is
        rows.append((f"p{i}", future, future + generator.random() * 3, future + generator.random() * 6))
    frame = values_df(spark, ["person_id", "future", "score", "past"], rows)
    got = spearman_gap_error(frame, "future", "score", "past", folds=8).first()

    # The same by hand: ranks over all rows, then the correlation gap in each group.
    folds = dict(frame.select("person_id", (F.abs(F.xxhash64("person_id")) % 8).alias("fold")).collect())
    future, score, past = (rankdata([row[c] for row in rows]) for c in (1, 2, 3))
    def gap(index):
        return np.corrcoef(score[index], future[index])[0, 1] - np.corrcoef(past[index], future[index])[0, 1]
    gaps = [gap(np.array([folds[row[0]] == k for row in rows])) for k in range(8)]
    assert got["gap"] == pytest.approx(gap(np.ones(len(rows), dtype=bool)), abs=1e-12)
    assert got["gap"] > 0.05  # the score is the less noisy copy of the future
    assert got["gap_se"] == pytest.approx(np.std(gaps, ddof=1) / math.sqrt(8), abs=1e-12)
    assert 0 < got["gap_se"] < got["gap"]


def test_gap_text_says_whether_a_gap_is_more_than_noise():
    assert gap_text({"gap": -0.0014, "standard_error": 0.001}) == (
        "Spearman gap to past genuine engagers: -0.0014, standard error 0.0010: within noise (under 2 standard errors)"
    )
    assert gap_text({"gap": 0.03, "standard_error": 0.01}) == "Spearman gap to past genuine engagers: +0.0300, standard error 0.0100: 3.0 standard errors"
    assert gap_text({"gap": 0.5, "standard_error": None}) == "Spearman gap to past genuine engagers: +0.5000 (too few persons for a standard error)"


def test_top_k_overlap_breaks_ties_by_person_id(spark):
    frame = values_df(
        spark,
        ["person_id", "ranking", "future"],
        [
            ("a", 1.0, 5.0),   # future top 3: a, then b and c of the three tied at 3 (d is last by id)
            ("b", 2.0, 3.0),
            ("c", 9.0, 3.0),
            ("d", 10.0, 3.0),
            ("e", 9.0, 0.0),   # ranking top 3: d, c, then e before f (tied at 9, by id)
            ("f", 9.0, 1.0),
        ],
    )
    assert top_k_overlap(frame, "ranking", "future", k=3).first()["overlap"] == pytest.approx(1 / 3)
    assert top_k_overlap(frame, "future", "future", k=3).first()["overlap"] == 1.0


def test_top_k_overlap_of_fewer_rows_than_k_is_a_share_of_the_rows(spark):
    frame = values_df(spark, ["person_id", "ranking", "future"], [("a", 1.0, 1.0), ("b", 2.0, None), ("c", 3.0, 0.0)])
    assert top_k_overlap(frame, "ranking", "future", k=100).first()["overlap"] == 1.0


# -- the future window and the baselines ------------------------------------------------


def verdicts_df(spark, genuine=(), bots=(), score_date=SCORE_DATE):
    rows = [("twitter", a, True, False, score_date) for a in genuine] + [("twitter", a, False, True, score_date) for a in bots]
    return spark.createDataFrame(rows, "platform string, account_id string, is_genuine boolean, is_bot boolean, score_date date")


def test_the_future_is_the_days_after_the_score_date_up_to_the_horizon(spark):
    rows = [
        event("like", "on_d", day(9), target="alice"),          # the score date itself: past, not future
        event("like", "first", day(10), target="alice"),        # D+1
        event("reply", "last", day(12), target="alice", post="c1", parent="p1"),  # D+horizon
        event("like", "late", day(13), target="alice"),         # D+horizon+1
        event("like", "bot", day(11), target="alice"),          # a bot engages nobody
        event("like", "first", day(11), target="alice"),        # the same person again: once
        event("like", "alice2", day(11), target="alice"),       # alice's own account
        event("follow", "follower", day(11), target="alice"),   # a follow is no engagement
    ]
    accounts = accounts_df(spark, [{"platform": "twitter", "account_id": a, "person_id": "p-alice"} for a in ("alice", "alice2")])
    verdicts = verdicts_df(spark, genuine=["on_d", "first", "last", "late", "alice2", "follower"], bots=["bot"])
    got = future_engagers(events_df(spark, rows), accounts, verdicts, SCORE_DATE, HORIZON)
    expected = spark.createDataFrame([("p-alice", 2)], "person_id string, future_engagers long")
    assert_df_equality(got, expected, ignore_nullable=True)


def world(spark):
    """Five scored persons, their engagers before, on and after the score date, bots, and
    rows of another date that must not be read."""
    genuine = ["g1", "g2", "g3", "g4", "g5", "g6", "alice", "alice2", "bob", "carol", "dave", "dave2", "erin"]
    events = [
        # the future, D+1 .. D+3: alice 3 persons, bob 2, carol 1, dave and erin nobody
        event("like", "g1", day(10), target="alice"),
        event("like", "g1", day(11), target="alice"),
        event("like", "g2", day(11), target="alice"),
        event("reply", "g3", day(12), target="alice", post="c1", parent="p1"),
        event("like", "g1", day(10), target="bob"),
        event("like", "g2", day(12), target="bob"),
        event("like", "g1", day(11), target="carol"),
        event("like", "b1", day(10), target="alice"),     # a bot (genuine on another date)
        event("like", "alice2", day(10), target="alice"),  # her own account
        event("like", "b1", day(10), target="erin"),
        event("like", "g5", day(13), target="carol"),      # D+4: after the horizon
        # the past window (D-89 .. D), every engagement event counted, bots included
        event("like", "g6", day(9), target="carol"),       # on D: past, not future
        event("like", "g4", day(9), target="dave"),
        event("like", "g4", day(7), target="dave"),
        event("like", "b1", day(8), target="erin"),
        event("like", "b2", day(8), target="erin"),
        event("reshare", "b1", day(7), target="erin", post="r1", parent="e1"),
        event("reply", "b2", day(6), target="erin", post="c2", parent="e1"),
        event("mention", "b1", day(5), target="erin"),
        event("like", "g1", day(9 - 89), target="bob"),    # D-89: the window's first day
        event("like", "g1", day(9 - 90), target="bob"),    # D-90: before it
        event("post", "erin", day(4), post="e1"),          # not an engagement
    ]
    accounts = [
        {"platform": "twitter", "account_id": "alice", "person_id": "p-alice", "followers_count": 100},
        {"platform": "twitter", "account_id": "alice2", "person_id": "p-alice"},
        {"platform": "twitter", "account_id": "bob"},      # no person named, no count: twitter:bob
        {"platform": "twitter", "account_id": "carol", "person_id": "p-carol", "followers_count": 300},
        {"platform": "twitter", "account_id": "dave", "person_id": "p-dave", "followers_count": 50},
        {"platform": "twitter", "account_id": "dave2", "person_id": "p-dave", "followers_count": 200},
    ]
    other_date = SCORE_DATE - dt.timedelta(days=1)
    verdicts = verdicts_df(spark, genuine=genuine, bots=["b1", "b2"]).unionByName(verdicts_df(spark, genuine=["b1"], score_date=other_date))
    scores = spark.createDataFrame(
        [(p, s, SCORE_DATE) for p, s in zip(ALL_PERSONS, [90.0, 70.0, 50.0, 30.0, 10.0])] + [("twitter:g1", 99.0, other_date)],
        "person_id string, score double, score_date date",
    )
    metrics = spark.createDataFrame(
        [(p, e, SCORE_DATE) for p, e in zip(ALL_PERSONS, [0, 1, 2, 3, 4])] + [("twitter:g1", 7, SCORE_DATE), ("p-alice", 50, other_date)],
        "person_id string, engagers long, score_date date",
    )
    return {
        "gold/scores": scores,
        "gold/person_metrics": metrics,
        "silver/events": events_df(spark, events),
        "silver/accounts": accounts_df(spark, accounts),
        "silver/account_quality": verdicts,
    }


def persons_of_world(spark):
    tables = world(spark)
    return backtest_persons(
        tables["gold/scores"], tables["gold/person_metrics"], tables["silver/events"], tables["silver/accounts"],
        tables["silver/account_quality"], SCORE_DATE, HORIZON, WINDOW,
    )


def test_every_scored_person_gets_the_future_and_the_baselines(spark):
    expected = spark.createDataFrame(
        [
            ("p-alice", 90.0, 3.0, 0.0, 0.0, 100.0),
            ("twitter:bob", 70.0, 2.0, 1.0, 1.0, None),
            ("p-carol", 50.0, 1.0, 2.0, 1.0, 300.0),
            ("p-dave", 30.0, 0.0, 3.0, 2.0, 200.0),
            ("twitter:erin", 10.0, 0.0, 4.0, 5.0, None),
        ],
        "person_id string, score double, future_engagers double, past_engagers double, past_engagements double, followers double",
    )
    assert_df_equality(persons_of_world(spark), expected, ignore_row_order=True, ignore_nullable=True)


# Spearman with the future (ranks alice..erin 5, 4, 3, 1.5, 1.5): the score (5, 4, 3, 2, 1)
# 9.5 / sqrt(10 * 9.5); past engagers the reverse; past engagement events (1, 2.5, 2.5, 4, 5)
# -9 / 9.5; followers over alice, carol, dave (ranks 1, 3, 2 against 3, 2, 1) -0.5.
EXPECTED_SPEARMAN = {
    "score": 9.5 / math.sqrt(95.0),
    "past_engagers": -9.5 / math.sqrt(95.0),
    "past_engagements": -9.0 / 9.5,
    "followers": -0.5,
}


# -- verdict and text -------------------------------------------------------------------


def rankings(score, past):
    return [
        {"ranking": "score", "label": "Clout score", "persons": 5, "spearman": score[0], "top_overlap": score[1]},
        {"ranking": "past_engagers", "label": "past genuine engagers (90 d)", "persons": 5, "spearman": past[0], "top_overlap": past[1]},
    ]


def test_verdict_says_whether_the_score_beats_counting_past_engagers():
    assert verdict(rankings((0.6, 0.4), (0.5, 0.4)))[0] is True
    assert verdict(rankings((0.5, 0.3), (0.5, 0.4)))[0] is False
    assert verdict(rankings((0.5, 0.4), (0.5, 0.4))) == (
        False, "the Clout score only ties with counting past genuine engagers (Spearman 0.500 vs 0.500, top-100 overlap 0.40 vs 0.40)"
    )
    mixed, text = verdict(rankings((0.6, 0.3), (0.5, 0.4)))
    assert mixed is None and text.startswith("mixed:")
    assert verdict(rankings((None, 1.0), (0.5, 0.4)))[0] is None


# -- the job on Delta tables ------------------------------------------------------------


def test_the_job_prints_the_figures_of_delta_tables(spark, tmp_path, capsys):
    warehouse = tmp_path / "warehouse"
    for table, frame in world(spark).items():
        partition = "event_date" if table == "silver/events" else "score_date" if "score_date" in frame.columns else None
        writer = frame.write.format("delta").mode("overwrite")
        (writer.partitionBy(partition) if partition else writer).save(str(warehouse / table))

    main(["--warehouse", str(warehouse), "--date", SCORE_DATE.isoformat(), "--horizon", str(HORIZON), "--top", "2", "--conf", "conf/test.toml", "--json"])
    outcome = json.loads(capsys.readouterr().out)
    assert (outcome["future_from"], outcome["future_to"], outcome["past_window_days"]) == ("2026-10-11", "2026-10-13", 90)
    # The last event is on D+4: the future is complete.
    assert (outcome["last_event_date"], outcome["future_complete"]) == ("2026-10-14", True)
    assert (outcome["persons"], outcome["persons_with_future_engagers"], outcome["followers_known"]) == (5, 3, 3)
    figures = {r["ranking"]: r for r in outcome["rankings"]}
    assert [r["ranking"] for r in outcome["rankings"]] == ["score", "past_engagers", "past_engagements", "followers"]
    for name in ("score", "past_engagers", "past_engagements", "followers"):
        assert figures[name]["spearman"] == pytest.approx(EXPECTED_SPEARMAN[name], abs=1e-12), name
    # Future top 2: alice, bob; among persons with followers alice, carol, and by followers carol, dave.
    assert {name: r["top_overlap"] for name, r in figures.items()} == {"score": 1.0, "past_engagers": 0.0, "past_engagements": 0.0, "followers": 0.5}
    # The score on those three persons ranks them exactly as their future.
    assert figures["followers"]["persons"] == 3
    assert outcome["score_on_followers_known"] == {"persons": 3, "spearman": pytest.approx(1.0), "top_overlap": 1.0}
    assert outcome["beats_past_engagers"] is True
    assert outcome["spearman_gap_past_engagers"]["gap"] == pytest.approx(EXPECTED_SPEARMAN["score"] - EXPECTED_SPEARMAN["past_engagers"], abs=1e-12)

    text = backtest_text(outcome)
    lines = text.splitlines()
    assert lines[1].split() == ["ranking", "persons", "Spearman", "top-2", "overlap"]
    assert lines[2].split()[-3:] == ["5", "0.9747", "1.00"]
    assert lines[5].split()[-3:] == ["3", "-0.5000", "0.50"]
    assert len({len(line) for line in lines[1:6]}) == 1  # an aligned table
    assert lines[-1] == "verdict: the Clout score beats counting past genuine engagers (Spearman 0.975 vs -0.975, top-2 overlap 1.00 vs 0.00)"


def test_the_job_names_the_stage_to_run_for_a_missing_table(spark, tmp_path, config):
    with pytest.raises(SystemExit, match="no gold/scores .* run the score stage first"):
        run_backtest(spark, config, Warehouse(str(tmp_path), config.database), SCORE_DATE, HORIZON)
