"""Who is scored, the influence graph and the assembled person metrics, on tiny inline rows."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality

from tests.unit.silver_rows import accounts_df
from transforms.metrics.person_metrics import influence_edges, influence_vertices, person_metrics, scored_persons

AS_OF = dt.date(2026, 10, 31)


def verdicts(spark, rows):
    return spark.createDataFrame(rows, "platform string, account_id string, person_id string, is_bot boolean")


def test_persons_with_any_account_that_is_not_a_bot_are_scored_with_their_platforms(spark):
    rows = [
        ("twitter", "a1", "p-ann", False),
        ("bluesky", "a2", "p-ann", True),     # one of ann's accounts is a bot: ann is still scored
        ("mastodon", "a3", "p-ann", False),
        ("twitter", "b1", "p-bot", True),     # every account a bot: not scored
        ("reddit", "c1", None, False),        # no person named: the account is its own person
    ]
    expected = spark.createDataFrame(
        [("p-ann", ["mastodon", "twitter"]), ("reddit:c1", ["reddit"])], "person_id string, platforms array<string>"
    )
    assert_df_equality(scored_persons(verdicts(spark, rows)), expected, ignore_row_order=True, ignore_nullable=True)


def test_influence_edges_add_up_each_pairs_decayed_engagement(spark):
    engagements = spark.createDataFrame(
        [("p-b", "p-a", 1.0), ("p-b", "p-a", 0.5), ("p-c", "p-a", 0.25), ("p-a", "p-b", 1.0)],
        "engager_person_id string, author_person_id string, decay double",
    )
    expected = spark.createDataFrame([("p-b", "p-a", 1.5), ("p-c", "p-a", 0.25), ("p-a", "p-b", 1.0)], "src string, dst string, weight double")
    assert_df_equality(influence_edges(engagements), expected, ignore_row_order=True, ignore_nullable=True)


def test_account_signal_priors_weigh_verified_and_older_persons_more(spark):
    persons = spark.createDataFrame([("p-old",), ("p-new",), ("p-none",)], "person_id string")
    accounts = accounts_df(
        spark,
        [
            {"platform": "twitter", "account_id": "o1", "person_id": "p-old", "verified": True, "created_at": dt.datetime(2016, 10, 31)},
            {"platform": "bluesky", "account_id": "o2", "person_id": "p-old", "verified": False, "created_at": dt.datetime(2026, 1, 1)},
            {"platform": "twitter", "account_id": "n1", "person_id": "p-new", "created_at": dt.datetime(2025, 10, 31)},
        ],
    )
    got = {r["id"]: r["prior"] for r in influence_vertices(persons, accounts, AS_OF, "account_signals").collect()}
    # old: verified, age capped at 5 years -> 1 + 1 + 1; new: one year -> 1 + 0 + 1/5 (365 of 365.25 days).
    assert got == pytest.approx({"p-old": 3.0, "p-new": 1.0 + (365 / 365.25) / 5, "p-none": 1.0})
    uniform = {r["id"]: r["prior"] for r in influence_vertices(persons, accounts, AS_OF, "uniform").collect()}
    assert uniform == {"p-old": 1.0, "p-new": 1.0, "p-none": 1.0}


def test_person_metrics_give_zeros_to_persons_nobody_engaged_and_relate_influence_to_the_average(spark):
    persons = spark.createDataFrame([("p-a", ["twitter"]), ("p-b", ["bluesky"])], "person_id string, platforms array<string>")
    reach = spark.createDataFrame([("p-a", 1.5, 2, {"twitter": 1.5}), ("p-bot", 9.0, 9, {"twitter": 9.0})],
                                  "person_id string, true_reach double, engagers long, reach_by_platform map<string,double>")
    amplification = spark.createDataFrame([("p-a", 4, 0.5, 1.0, 0.75)],
                                          "person_id string, posts long, reacted_posts_share double, reactions_per_post double, weighted_reactions_per_post double")
    hops = spark.createDataFrame([("p-a", 2, 1)], "person_id string, hop_1 long, hop_2 long")
    ranks = spark.createDataFrame([("p-a", 0.8, 2.5), ("p-b", 0.2, 1.0)], "id string, rank double, mass double")
    influential = spark.createDataFrame([("p-a", 1)], "person_id string, influential_engagers long")
    activity = spark.createDataFrame([("p-a", dt.date(2026, 10, 21))], "person_id string, last_active_date date")
    got = person_metrics(persons, reach, amplification, hops, ranks, influential, activity, AS_OF, max_hop=2)
    expected = spark.createDataFrame(
        [
            ("p-a", ["twitter"], 1.5, 2, {"twitter": 1.5}, 4, 0.5, 1.0, 0.75, 2, 1, 0.8, 1.6, 2.5, 1, dt.date(2026, 10, 21), 10),
            # Nobody engaged p-b and it did nothing in the window: zeros, and no quiet days to count.
            ("p-b", ["bluesky"], 0.0, 0, {}, 0, 0.0, 0.0, 0.0, 0, 0, 0.2, 0.4, 1.0, 0, None, None),
        ],
        "person_id string, platforms array<string>, true_reach double, engagers long, reach_by_platform map<string,double>, "
        "posts long, reacted_posts_share double, reactions_per_post double, weighted_reactions_per_post double, "
        "hop_1 long, hop_2 long, network_influence double, influence_vs_average double, influence_mass double, "
        "influential_engagers long, last_active_date date, quiet_days int",
    )
    # Maps cannot be sorted on: order both by person.
    assert_df_equality(got.orderBy("person_id"), expected.orderBy("person_id"), ignore_nullable=True)
