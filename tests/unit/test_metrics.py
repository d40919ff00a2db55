"""True reach and amplification on tiny inline DataFrames."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality

from tests.unit.silver_rows import accounts_df, event, events_df
from transforms.metrics.engagement import amplification, cascade_hops, genuine_engagements, true_reach, with_percentiles

AS_OF = dt.date(2026, 10, 31)  # T0 is 2026-10-01: events at day d are 30 - d days old.
DAY = 86400


def verdicts_df(spark, genuine=(), bots=()):
    rows = [("twitter", a, True) for a in genuine] + [("twitter", a, False) for a in bots]
    return spark.createDataFrame(rows, "platform string, account_id string, is_genuine boolean")


def engagements(spark, events, genuine, bots=(), accounts=(), half_life=30.0):
    return genuine_engagements(events_df(spark, events), accounts_df(spark, accounts), verdicts_df(spark, genuine, bots), AS_OF, 90, half_life)


def test_a_person_reshared_only_by_bots_has_no_reach(spark):
    rows = [event("post", "alice", 0, post="p1")] + [event("reshare", f"bot{i}", 60, target="alice", post=f"r{i}", parent="p1") for i in range(5)]
    reach = true_reach(engagements(spark, rows, genuine=["alice"], bots=[f"bot{i}" for i in range(5)]))
    assert reach.count() == 0


def test_reach_counts_people_once_with_their_latest_decay(spark):
    rows = [
        event("post", "alice", 0, post="p1"),
        # bob engages three times, the last 0 days before the score date: counts once, 1.0.
        event("like", "bob", 0, target="alice", parent="p1"),
        event("reply", "bob", 10 * DAY, target="alice", post="c1", parent="p1"),
        event("like", "bob", 30 * DAY, target="alice", parent="p1"),
        # carol once, 30 days (one half-life) before: 0.5.
        event("reshare", "carol", 0, target="alice", post="r1", parent="p1"),
        # alice's second account is alice: not reach.
        event("like", "alice2", 0, target="alice", parent="p1"),
    ]
    accounts = [{"platform": "twitter", "account_id": a, "person_id": "p-alice"} for a in ("alice", "alice2")]
    reach = true_reach(engagements(spark, rows, genuine=["bob", "carol", "alice2"], accounts=accounts)).collect()
    assert [(r["person_id"], r["engagers"], round(r["true_reach"], 4), dict(r["reach_by_platform"])) for r in reach] == [
        ("p-alice", 2, 1.5, {"twitter": 1.5})
    ]


def test_reactions_are_per_post_per_person_and_frequent_reactors_weigh_less(spark):
    posts_a = [event("post", "amy", 30 * DAY, post=f"a{i}") for i in range(10)]
    posts_b = [event("post", "ben", 30 * DAY, post=f"b{i}") for i in range(100)]
    # 10 distinct rare people reshare each of amy's 10 posts... (one post each: weight 1)
    to_amy = [event("reshare", f"fan{p}_{i}", 30 * DAY, target="amy", post=f"ra{p}{i}", parent=f"a{p}") for p in range(10) for i in range(10)]
    # ...while one person reshares ben's posts 100 times (one reaction per post, weight 1/log2(101)).
    to_ben = [event("reshare", "looper", 30 * DAY, target="ben", post=f"rb{p}", parent=f"b{p}") for p in range(100)]
    # and reshares ben's first post 5 more times: still one reaction to it.
    to_ben += [event("reshare", "looper", 30 * DAY, target="ben", post=f"rb0x{k}", parent="b0") for k in range(5)]
    rows = posts_a + posts_b + to_amy + to_ben
    genuine = ["looper"] + [f"fan{p}_{i}" for p in range(10) for i in range(10)]
    found = engagements(spark, rows, genuine=genuine)
    got = amplification(events_df(spark, rows), accounts_df(spark, []), found, AS_OF, 90)
    by_person = {r["person_id"]: r for r in got.collect()}
    amy, ben = by_person["twitter:amy"], by_person["twitter:ben"]
    assert (amy["posts"], amy["reacted_posts_share"], amy["reactions_per_post"], amy["weighted_reactions_per_post"]) == (10, 1.0, 10.0, 10.0)
    assert (ben["posts"], ben["reacted_posts_share"], ben["reactions_per_post"]) == (100, 1.0, 1.0)
    assert ben["weighted_reactions_per_post"] == pytest.approx(1 / 6.658211482751795)


def test_percentiles_rank_each_metric_among_all_rows(spark):
    metrics = spark.createDataFrame([(f"p{i}", float(i)) for i in range(1, 11)], "person_id string, reach double")
    got = with_percentiles(metrics, ["reach"], steps=10)
    expected = spark.createDataFrame([(f"p{i}", float(i), float((i - 1) * 10)) for i in range(1, 11)], "person_id string, reach double, reach_percentile double")
    assert_df_equality(got, expected, ignore_nullable=True, ignore_row_order=True)


def test_cascade_hops_follow_reshares_of_reshares_and_count_people_once(spark):
    bsky = "bluesky"
    rows = [
        event("post", "alice", 0, post="p", platform=bsky),
        event("reshare", "bob", 60, target="alice", post="rb", parent="p", platform=bsky),        # hop 1
        event("reshare", "carol", 120, target="bob", post="rc", parent="rb", platform=bsky),      # hop 2
        event("reshare", "dave", 180, target="carol", post="rd", parent="rc", platform=bsky),     # hop 3
        event("reshare", "erin", 181, target="carol", post="re", parent="rc", platform=bsky),     # hop 3
        event("reshare", "frank", 240, target="dave", post="rf", parent="rd", platform=bsky),     # hop 4: beyond
        event("reshare", "bob", 300, target="dave", post="rb2", parent="rd", platform=bsky),      # bob again: stays hop 1
        event("reshare", "bot", 301, target="bob", post="rx", parent="rb", platform=bsky),        # a bot: not counted
    ]
    genuine = ["alice", "bob", "carol", "dave", "erin", "frank"]
    verdicts = spark.createDataFrame([(bsky, a, True) for a in genuine] + [(bsky, "bot", False)], "platform string, account_id string, is_genuine boolean")
    events = events_df(spark, rows)
    found = genuine_engagements(events, accounts_df(spark, []), verdicts, AS_OF, 90, 30.0)
    got = {r["person_id"]: (r["hop_1"], r["hop_2"], r["hop_3"]) for r in cascade_hops(found, events).collect()}
    assert got["bluesky:alice"] == (1, 1, 2)


def test_a_chain_through_a_bots_reshare_reaches_nobody_below_it(spark):
    bsky = "bluesky"
    rows = [
        event("post", "alice", 0, post="p", platform=bsky),
        event("reshare", "bob", 60, target="alice", post="rb", parent="p", platform=bsky),        # hop 1
        event("reshare", "bot", 90, target="alice", post="rx", parent="p", platform=bsky),        # a bot's reshare
        event("reshare", "carol", 120, target="bot", post="rc", parent="rx", platform=bsky),      # via the bot: no hop
        event("reshare", "dave", 180, target="carol", post="rd", parent="rc", platform=bsky),     # below it: no hop
    ]
    verdicts = spark.createDataFrame(
        [(bsky, a, True) for a in ("alice", "bob", "carol", "dave")] + [(bsky, "bot", False)], "platform string, account_id string, is_genuine boolean"
    )
    events = events_df(spark, rows)
    found = genuine_engagements(events, accounts_df(spark, []), verdicts, AS_OF, 90, 30.0)
    got = {r["person_id"]: (r["hop_1"], r["hop_2"], r["hop_3"]) for r in cascade_hops(found, events).collect()}
    assert got["bluesky:alice"] == (1, 0, 0)
