"""Account quality on tiny inline DataFrames: each signal, the verdict and its reasons."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from jobs.common.config import QualitySettings, Ramp
from jobs.common.model_store import load_model, save_model
from transforms.graph.components import connected_components
from transforms.quality.assess import quality_features
from transforms.quality.features import (
    activity_features,
    engagement_features,
    known_accounts,
    normalized_text,
    ring_features,
    text_features,
)
from transforms.quality.model import as_evidence, fit_quality_model, with_model_score
from transforms.quality.signals import ramp, with_reasons, with_signals, with_verdict
from tests.unit.silver_rows import T0, accounts_df, event, events_df

SETTINGS = QualitySettings()
AS_OF = dt.date(2026, 11, 1)


def judged(spark, events, accounts=(), model_probability=None, as_of=AS_OF):
    """Features -> signals -> verdict -> reasons, with a fixed model probability (threshold 0.7)."""
    features = quality_features(events_df(spark, events), accounts_df(spark, accounts), SETTINGS, as_of)
    probability = F.lit(model_probability).cast("double")
    features = (
        features.withColumn("model_probability", probability)
        .withColumn("model_threshold", F.lit(0.7))
        .withColumn("model_score", as_evidence(probability, 0.7))
    )
    verdicts = with_verdict(with_signals(features, SETTINGS), SETTINGS, as_of)
    return {r["account_id"]: r for r in with_reasons(verdicts, SETTINGS, as_of, "test-model").collect()}


def test_normalized_text_keeps_the_message_and_drops_what_spam_rotates(spark):
    df = spark.createDataFrame([("Free crypto!!! Claim now 👉 https://bit.ly/ab12 @bob 2024 #win",)], ["text"])
    assert df.select(normalized_text(F.col("text"))).first()[0] == "free crypto claim now win"


def test_text_features_measure_repetition_links_stuffing_and_mentions(spark):
    tags = ["a", "b", "c", "d"]
    rows = [event("post", "s", i * 60, post=f"p{i}", text=f"Win now https://x.co/a #{i}", tags=tags) for i in range(4)]
    rows += [event("mention", "s", i * 60, post=f"p{i}", target="v") for i in range(4)]
    rows += [event("post", "s", 900, post="p8", text="hello world", tags=tags), event("post", "s", 960, post="p9", text="another day", tags=tags)]
    got = text_features(events_df(spark, rows)).select(
        "account_id", "text_posts", F.round("repeated_text_share", 4).alias("repeated_text"), F.round("link_share", 4).alias("links"),
        "top_link", "top_link_posts", F.round("repeated_link_share", 4).alias("repeated_link"),
        F.round("hashtags_per_post", 4).alias("hashtags"), F.round("mentions_per_post", 4).alias("mentions"),
    )
    expected = spark.createDataFrame(
        [("s", 6, 0.5, 0.6667, "https://x.co/a", 4, 0.6667, 4.0, 0.6667)],
        "account_id string, text_posts bigint, repeated_text double, links double, top_link string, top_link_posts bigint, "
        "repeated_link double, hashtags double, mentions double",
    )
    assert_df_equality(got, expected, ignore_nullable=True)


def test_interarrival_regularity_tells_a_metronome_from_bursts(spark):
    metronome = [event("reshare", "m", i * 3600, target="x", post=f"m{i}", parent="x1") for i in range(5)]
    bursty_gaps = [10, 10, 10, 10_000]
    times = [sum(bursty_gaps[:i]) for i in range(len(bursty_gaps) + 1)]
    bursty = [event("reshare", "b", t, target="x", post=f"b{t}", parent="x1") for t in times]
    got = {r["account_id"]: r for r in activity_features(events_df(spark, metronome + bursty)).collect()}
    assert got["m"]["interarrival_cv"] == 0.0 and got["m"]["burstiness"] == -1.0
    mean, std = statistics.fmean(bursty_gaps), statistics.pstdev(bursty_gaps)
    assert got["b"]["interarrival_cv"] == pytest.approx(std / mean)
    assert got["b"]["burstiness"] == pytest.approx((std - mean) / (std + mean))
    assert (got["b"]["actions"], got["b"]["active_days"], got["b"]["reshare_share"]) == (5, 1, 1.0)


def test_clockwork_share_and_target_concentration(spark):
    scheduler = [event("reshare", "a", h * 3600 + 17 * 60, target="patron", post=f"a{h}", parent=f"q{h}") for h in range(10)]
    person = [event("reshare", "p", h * 3600 + m * 60, target=t, post=f"p{h}", parent=f"r{h}") for h, m, t in
              [(0, 1, "x"), (1, 14, "y"), (2, 14, "z"), (3, 40, "x"), (4, 55, "w")]]
    got = engagement_features(events_df(spark, scheduler + person)).select(
        "account_id", "engagements", "engaged_accounts", "clockwork_share", "top_reshare_target_share"
    )
    expected = spark.createDataFrame(
        [("a", 10, 1, 1.0, 1.0), ("p", 5, 4, 0.4, 0.4)],
        "account_id string, engagements bigint, engaged_accounts bigint, clockwork_share double, top_reshare_target_share double",
    )
    assert_df_equality(got, expected, ignore_nullable=True, ignore_row_order=True)


def ring_and_fans():
    """Five accounts resharing each other's posts, and two fans of one celebrity."""
    members = [f"r{i}" for i in range(5)]
    rows = []
    for i, poster in enumerate(members):
        rows.append(event("post", poster, i * 86400, post=f"rp{i}", text="our topic", platform="bluesky"))
        for member in members:
            if member != poster:
                rows.append(event("reshare", member, i * 86400 + 60, target=poster, post=f"rs{i}{member}", parent=f"rp{i}", platform="bluesky"))
    for i in range(4):
        rows.append(event("post", "celeb", i * 86400, post=f"cp{i}", text="news", platform="bluesky"))
        for fan in ("f1", "f2"):
            rows.append(event("like", fan, i * 86400 + 30, target="celeb", parent=f"cp{i}", platform="bluesky"))
    return rows


def test_ring_partners_are_found_and_fans_of_one_account_are_not_a_ring(spark):
    got = ring_features(events_df(spark, ring_and_fans()), min_shared_posts=3, min_overlap=0.5, max_engagers_per_post=200)
    expected = spark.createDataFrame(
        [(f"r{i}", 4, 1.0, 3.0, "r0", 5, 1.0) for i in range(5)] + [("f1", 1, 0.0, 4.0, "f1", 2, 0.0), ("f2", 1, 0.0, 4.0, "f1", 2, 0.0)],
        "account_id string, ring_partners bigint, ring_internal_share double, ring_shared_posts double, ring_id string, ring_size bigint, "
        "ring_group_internal_share double",
    )
    assert_df_equality(got.drop("platform"), expected, ignore_nullable=True, ignore_row_order=True)


def test_crowded_posts_are_no_evidence_of_a_ring(spark):
    # Each ring post has four reacting accounts, each celebrity post two.
    got = ring_features(events_df(spark, ring_and_fans()), min_shared_posts=3, min_overlap=0.5, max_engagers_per_post=3)
    assert sorted(r["account_id"] for r in got.collect()) == ["f1", "f2"]


def test_ring_members_are_flagged_with_a_checkable_reason(spark):
    verdicts = judged(spark, ring_and_fans(), as_of=dt.date(2026, 10, 10))
    assert {a for a, r in verdicts.items() if r["is_bot"]} == {f"r{i}" for i in range(5)}
    assert verdicts["r0"]["kind"] == "engagement_ring"
    assert verdicts["r0"]["reasons"] == [
        "reacts to the same posts as 4 other accounts (3.0 posts in common on average); 100% of its reactions go to that group's posts",
        "one of a closed group of 5 accounts that react to each other's posts: 100% of the group's reactions stay inside it, 100% of this account's",
    ]
    assert verdicts["f1"]["kind"] == "genuine"


def test_ramp_is_zero_below_start_one_above_full_and_needs_evidence(spark):
    setting = Ramp(0.3, 0.7, 5)
    df = spark.createDataFrame([(0.2, 9), (0.5, 9), (0.9, 9), (0.9, 4), (None, 9)], "v double, n int")
    got = [round(r[0], 4) for r in df.select(ramp(F.col("v"), setting, F.col("n"))).collect()]
    assert got == [0.0, 0.5, 1.0, 0.0, 0.0]


def test_spam_account_is_named_with_its_numbers(spark):
    tags = [f"t{i}" for i in range(6)]
    spam = [event("post", "spam1", i * 600, post=f"s{i}", text="Free crypto!!! Claim now https://bit.ly/x", tags=tags) for i in range(6)]
    verdicts = judged(spark, spam, as_of=dt.date(2026, 10, 2))
    row = verdicts["spam1"]
    assert (row["is_bot"], row["kind"], row["bot_score"]) == (True, "spam", 1.0)
    assert row["reasons"] == [
        "83% of its 6 posts repeat the same text",
        "100% of its 6 posts are the same link (https://bit.ly/x)",
        "6.0 hashtags per post over 6 posts",
    ]


def test_bursts_of_nothing_but_mentions_are_spam_and_a_chatty_person_is_not(spark):
    day = 86400
    # Mentions of their own (no post around them, as edge lists give them), and nothing else:
    # 15 a day on 3 days is the mention_only_bursts rule (full at 12 a day).
    burst = [event("mention", "pinger", d * day + i * 60, target=f"u{i}", platform="snap") for d in range(3) for i in range(15)]
    # 3 a day on 10 days and nothing else: below the rule's start (6 a day).
    calm = [event("mention", "calm", d * day + i * 60, target=f"u{i}", platform="snap") for d in range(10) for i in range(3)]
    # 15 mentions in one day, but also 5 replies of their own: not "nothing else".
    chatty = [event("mention", "chatty", i * 60, target=f"u{i}", platform="snap") for i in range(15)]
    chatty += [event("reply", "chatty", 3600 + i * 600, target=f"u{i}", platform="snap") for i in range(5)]
    rows = judged(spark, burst + calm + chatty, as_of=dt.date(2026, 10, 5))
    assert (rows["pinger"]["is_bot"], rows["pinger"]["kind"], rows["pinger"]["bot_score"]) == (True, "spam", 1.0)
    assert rows["pinger"]["reasons"] == ["mentions other accounts 45 times on 3 days and does nothing else"]
    assert [(rows[a]["is_bot"], rows[a]["kind"]) for a in ("calm", "chatty")] == [(False, "genuine")] * 2


def test_one_spammy_habit_alone_is_not_spam(spark):
    # A person who always links their own blog, but writes each post anew.
    posts = [event("post", "blogger", i * 86400, post=f"b{i}", text=f"new essay number {'abcdefgh'[i]} https://blog.example") for i in range(8)]
    row = judged(spark, posts, as_of=dt.date(2026, 10, 10))["blogger"]
    assert (row["is_bot"], row["kind"]) == (False, "genuine")
    assert row["reasons"] == ["no bot signal (bot score 0.00)", "8 actions on 8 days"]


def test_genuine_reasons_count_in_words_people_use(spark):
    rows = [event("reply", "newcomer", 0, target="host", post="r1", parent="h1", text="welcome!")]
    row = judged(spark, rows, as_of=dt.date(2026, 10, 2))["newcomer"]
    assert row["reasons"] == ["no bot signal (bot score 0.00)", "1 action on 1 day", "engagement spread over 1 account, at most 100% to one"]


def test_behaviour_only_follow_burst_is_a_bought_follower(spark):
    burst = [event("follow", "ff", i * 20, target=f"u{i}", platform="bluesky") for i in range(40)]
    burst += [event("like", "ff", 900 + i, target="u1", parent=f"x{i}", platform="bluesky") for i in range(5)]
    row = judged(spark, burst, as_of=dt.date(2026, 10, 2))["ff"]
    assert (row["is_bot"], row["kind"]) == (True, "fake_follower")
    assert row["reasons"] == ["followed 40 accounts in one day and never posted"]


def test_a_batch_of_new_followers_that_only_follow_and_like_one_account_is_bought(spark):
    day = 86400
    # 60 accounts begin within the same hour by following the buyer, then like a post or two of it.
    bought = [event("follow", f"b{i}", 30 + i * 30, target="buyer", platform="bluesky") for i in range(60)]
    bought += [event("like", f"b{i}", 4 * 3600 + i * 60 + k, target="buyer", parent=f"bp{k}", platform="bluesky") for i in range(60) for k in range(i % 2 + 1)]
    # 30 lurkers who did the same for another account: too few to be a batch; and 60 more
    # who began by following it over a day, a few an hour, as people who join for it do.
    lurkers = [event("follow", f"l{i}", 600 + i * 60, target="star", platform="bluesky") for i in range(30)]
    lurkers += [event("follow", f"s{i}", 600 + i * 1440, target="star", platform="bluesky") for i in range(60)]
    # 60 who followed the buyer that day too, but began earlier or post: people.
    people = [event("like", f"e{i}", -3 * day, target="x", parent="x1", platform="bluesky") for i in range(30)]
    people += [event("follow", f"e{i}", 400 + i * 60, target="buyer", platform="bluesky") for i in range(30)]
    people += [event("follow", f"w{i}", 500 + i * 60, target="buyer", platform="bluesky") for i in range(30)]
    people += [event("post", f"w{i}", 2 * day + i, post=f"w{i}p", text=f"hello {i}", platform="bluesky") for i in range(30)]
    rows = judged(spark, bought + lurkers + people, as_of=dt.date(2026, 10, 5))
    assert {(rows[f"b{i}"]["is_bot"], rows[f"b{i}"]["kind"]) for i in range(60)} == {(True, "fake_follower")}
    assert "one of 60 accounts that never post and began, in the same hour, by following the same account" in rows["b0"]["reasons"]
    people_ids = [*(f"l{i}" for i in range(30)), *(f"s{i}" for i in range(60)), *(f"e{i}" for i in range(30)), *(f"w{i}" for i in range(30))]
    assert not any(rows[a]["is_bot"] for a in people_ids)


def test_inactive_account_says_since_when(spark):
    rows = [event("post", "old", -92 * 86400, post="o1", text="hello")]
    row = judged(spark, rows, as_of=dt.date(2026, 10, 1))["old"]
    assert (row["is_bot"], row["is_inactive"], row["is_genuine"], row["kind"]) == (False, True, False, "inactive")
    assert row["reasons"] == ["no own activity in the 90 days before 2026-10-01 (last active 2026-07-01)"]


def test_accounts_first_seen_after_the_score_date_are_not_known_on_it(spark):
    day = dt.timedelta(days=1)
    events = [
        event("reshare", "early", 0, target="author", post="r1", parent="a1"),
        event("reshare", "later", 5 * 86400, target="newcomer", post="r2", parent="n1"),
    ]
    accounts = [
        {"platform": "twitter", "account_id": "profiled", "snapshot_ts": T0},
        {"platform": "twitter", "account_id": "profiled_later", "snapshot_ts": T0 + 3 * day},
        {"platform": "twitter", "account_id": "created", "created_at": T0 - 400 * day},
        {"platform": "twitter", "account_id": "newcomer"},
    ]
    known = known_accounts(events_df(spark, events), accounts_df(spark, accounts), T0.date() + day)
    assert sorted(r["account_id"] for r in known.collect()) == ["author", "created", "early", "profiled"]
    everyone = known_accounts(events_df(spark, events), accounts_df(spark, accounts), None)
    assert sorted(r["account_id"] for r in everyone.collect()) == ["created", "newcomer", "profiled", "profiled_later"]


def test_profile_only_bought_follower_reasons_show_the_profile(spark):
    account = {"platform": "twitter", "account_id": "ff2", "following_count": 4812, "followers_count": 9, "statuses_count": 3,
               "created_at": dt.datetime(2026, 9, 1), "default_profile_image": True}
    row = judged(spark, [event("reshare", "ff2", 0, target="x", post="r1", parent="x1")], [account], model_probability=0.97, as_of=dt.date(2026, 10, 2))["ff2"]
    assert (row["is_bot"], row["kind"]) == (True, "fake_follower")
    assert row["reasons"] == [
        "looks like a bought follower to model test-model (probability 0.97, flags from 0.70)",
        "follows 4,812 accounts, followed by 9",
        "posted 3 times since the account was created 30 days before its last activity",
        "keeps the default profile image",
    ]


def test_model_round_trip_and_routing_by_what_an_account_has(spark, tmp_path):
    profiles = [{"platform": "twitter", "account_id": f"bot{i}", "following_count": 2000 + i, "followers_count": 3} for i in range(12)]
    profiles += [{"platform": "twitter", "account_id": f"human{i}", "following_count": 150 + i, "followers_count": 400} for i in range(12)]
    posts = [event("post", f"bot{i}", j * 7, post=f"bp{i}-{j}", text="same") for i in range(12) for j in range(6)]
    posts += [event("post", f"human{i}", j * 5000, post=f"hp{i}-{j}", text=f"day {j}") for i in range(12) for j in range(6)]
    events = events_df(spark, posts)
    features = quality_features(events, accounts_df(spark, profiles), SETTINGS, None)
    labelled = features.withColumn("label", F.col("account_id").startswith("bot").cast("int"))
    model = fit_quality_model(labelled, "round-trip")
    save_model(model, str(tmp_path / "m"), {"note": "test"}, labelled)
    loaded = load_model(str(tmp_path / "m"))
    assert loaded.version == "round-trip"

    unknown = [event("post", "quiet", j * 100, post=f"q{j}", text=f"t {j}") for j in range(2)]
    unknown += [event("post", "newsy", j * 100, post=f"n{j}", text=f"t {j}", platform="snap") for j in range(6)]
    new_features = quality_features(events_df(spark, posts + unknown), accounts_df(spark, profiles), SETTINGS, None)
    before = {r["account_id"]: (r["model_used"], r["model_probability"]) for r in with_model_score(new_features, model).collect()}
    after = {r["account_id"]: (r["model_used"], r["model_probability"]) for r in with_model_score(new_features, loaded).collect()}
    assert after == before
    assert (loaded.profile_threshold, loaded.behaviour_threshold) == (model.profile_threshold, model.behaviour_threshold)
    assert after["bot0"][0] == "profile" and after["bot0"][1] > model.profile_threshold and after["human0"][1] < 0.5
    assert after["newsy"][0] == "behaviour"
    assert after["quiet"] == (None, None)  # no profile and two posts: too little to judge


def test_connected_components_label_chains_with_their_smallest_id_per_platform(spark):
    edges = spark.createDataFrame(
        [("x", "c", "d"), ("x", "b", "c"), ("x", "a", "b"), ("x", "e", "f"), ("y", "a", "z")], "platform string, src string, dst string"
    )
    got = connected_components(edges, ("platform",))
    expected = spark.createDataFrame(
        [("x", "a", "a"), ("x", "b", "a"), ("x", "c", "a"), ("x", "d", "a"), ("x", "e", "e"), ("x", "f", "e"), ("y", "a", "a"), ("y", "z", "a")],
        "platform string, vertex string, component string",
    )
    assert_df_equality(got, expected, ignore_nullable=True, ignore_row_order=True)
