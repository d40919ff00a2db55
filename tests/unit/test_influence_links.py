"""Who influences whom, who counts as a top engager, and when a person was last active."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality

from tests.unit.silver_rows import accounts_df, event, events_df
from transforms.metrics.engagement import influential_engagers, last_activity
from transforms.score.influence import top_influence_edges

AS_OF = dt.date(2026, 10, 31)
DAY = 86400


def test_links_keep_the_strongest_k_each_way_with_the_share_of_the_engagers_attention(spark):
    edges = spark.createDataFrame(
        [("p-b", "p-a", 3.0), ("p-b", "p-c", 1.0), ("p-c", "p-a", 2.0), ("p-d", "p-a", 0.5), ("p-a", "p-c", 1.0)],
        "src string, dst string, weight double",
    )
    expected = spark.createDataFrame(
        [
            # p-a is all of p-c's and p-d's engagement and 3/4 of p-b's; k = 2 keeps the first two
            # (a tie on strength goes to the larger engagement).
            ("p-a", "influences", 1, "p-c", 1.0, 2.0),
            ("p-a", "influences", 2, "p-d", 1.0, 0.5),
            ("p-c", "influences", 1, "p-a", 1.0, 1.0),
            ("p-c", "influences", 2, "p-b", 0.25, 1.0),
            ("p-b", "influenced_by", 1, "p-a", 0.75, 3.0),
            ("p-b", "influenced_by", 2, "p-c", 0.25, 1.0),
            ("p-c", "influenced_by", 1, "p-a", 1.0, 2.0),
            ("p-d", "influenced_by", 1, "p-a", 1.0, 0.5),
            ("p-a", "influenced_by", 1, "p-c", 1.0, 1.0),
        ],
        "person_id string, direction string, rank int, other_person_id string, strength double, engagement double",
    )
    assert_df_equality(top_influence_edges(edges, 2), expected, ignore_row_order=True, ignore_nullable=True)


def test_influential_engagers_are_the_distinct_engagers_whose_mass_reaches_the_bar(spark):
    # p-000 and p-001 carry mass 30 and 20 (the bar: 20 counts); p-002 just under it.
    masses = {"p-000": 30.0, "p-001": 20.0, "p-002": 19.99}
    ranks = spark.createDataFrame([(f"p-{i:03d}", masses.get(f"p-{i:03d}", 1.0)) for i in range(200)], "id string, mass double")
    engagements = spark.createDataFrame(
        [("p-000", "p-star"), ("p-000", "p-star"), ("p-001", "p-star"), ("p-002", "p-star"), ("p-001", "p-other"), ("p-050", "p-plain")],
        "engager_person_id string, author_person_id string",
    )
    expected = spark.createDataFrame([("p-star", 2), ("p-other", 1)], "person_id string, influential_engagers long")
    assert_df_equality(influential_engagers(engagements, ranks, 20.0), expected, ignore_row_order=True, ignore_nullable=True)
    # A fixed bar: 10,000 unrelated persons of mass 1 joining change no count.
    crowd = ranks.unionByName(spark.createDataFrame([(f"q-{i}", 1.0) for i in range(10_000)], "id string, mass double"))
    assert_df_equality(influential_engagers(engagements, crowd, 20.0), expected, ignore_row_order=True, ignore_nullable=True)


def test_last_activity_is_the_latest_own_content_or_genuine_engagement_received(spark):
    events = events_df(spark, [
        event("post", "ann", 0, post="a1"),                      # 2026-10-01
        event("like", "ann", 20 * DAY, target="bob", parent="b1"),  # a like is no content of ann's
        event("reshare", "bob", 5 * DAY, target="ann", post="r1", parent="a1"),
        event("post", "old", -100 * DAY, post="o1"),              # before the 90-day window
    ])
    accounts = accounts_df(spark, [{"platform": "twitter", "account_id": "ann", "person_id": "p-ann"}])
    engagements = spark.createDataFrame(
        [("p-ann", dt.date(2026, 10, 12))], "author_person_id string, event_date date"
    )
    got = last_activity(events, accounts, engagements, AS_OF, 90)
    expected = spark.createDataFrame(
        [("p-ann", dt.date(2026, 10, 12)), ("twitter:bob", dt.date(2026, 10, 6))], "person_id string, last_active_date date"
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)
