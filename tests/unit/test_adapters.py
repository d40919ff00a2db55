"""Each adapter on records shaped like the platform's documented examples."""

import datetime as dt
import json

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from tests.unit.silver_rows import jetstream
from transforms.adapters import bluesky, edges, facebook, mastodon, reddit, research_csv, twitter, weibo

EVENT_COLUMNS = ["event_type", "actor_account_id", "target_account_id", "target_handle", "post_id", "parent_post_id", "root_post_id"]
EVENT_DDL = ", ".join(f"{c} string" for c in EVENT_COLUMNS)


def bronze(spark, source, raws):
    rows = [(source, f"{source}/part-0.jsonl", i + 1, r if isinstance(r, str) else json.dumps(r)) for i, r in enumerate(raws)]
    return spark.createDataFrame(rows, "source string, source_file string, source_position long, raw string")


def events_of(records):
    return records.select(F.explode("events").alias("e")).select(*[F.col(f"e.{c}") for c in EVENT_COLUMNS])


def assert_events(spark, records, expected):
    assert_df_equality(events_of(records), spark.createDataFrame(expected, EVENT_DDL), ignore_row_order=True, ignore_nullable=True)


def problems_of(records):
    return [r[0] for r in records.orderBy("source_position", "record_path").select("problem").collect()]


USER = {"id": 6253282, "id_str": "6253282", "screen_name": "TwitterAPI", "name": "Twitter API", "followers_count": 6133636,
        "friends_count": 12, "statuses_count": 3656, "created_at": "Wed May 23 06:01:13 +0000 2007", "verified": True,
        "default_profile": False, "description": "The Real Twitter API."}
ORIGINAL = {"created_at": "Thu Apr 06 15:24:15 +0000 2017", "id": 850006245121695744, "id_str": "850006245121695744",
            "text": "1/ Today we're sharing our vision for the future of the Twitter API platform! #api @jack", "user": USER, "lang": "en",
            "entities": {"hashtags": [{"text": "api", "indices": [77, 81]}], "user_mentions": [{"id_str": "12", "screen_name": "jack"}]}}


def test_twitter_v1_retweet_points_at_root_and_embeds_the_original(spark):
    retweet = {"created_at": "Thu Apr 06 16:00:00 +0000 2017", "id_str": "850006245121695745", "text": "RT @TwitterAPI: 1/ Today ...",
               "user": {"id_str": "99", "screen_name": "fan"}, "retweeted_status": ORIGINAL,
               "entities": {"user_mentions": [{"id_str": "6253282", "screen_name": "TwitterAPI"}]}}
    records = twitter.to_records(bronze(spark, "twitter", [retweet]))
    assert_events(spark, records, [
        ("reshare", "99", "6253282", "TwitterAPI", "850006245121695745", "850006245121695744", "850006245121695744"),
        ("post", "6253282", None, None, "850006245121695744", None, None),
        ("mention", "6253282", "12", "jack", "850006245121695744", None, None),
    ])
    accounts = records.select(F.explode("accounts").alias("a")).where("a.account_id = '6253282' AND a.followers_count IS NOT NULL")
    row = accounts.select("a.handle", "a.verified", "a.created_at").first()
    assert (row.handle, row.verified, row.created_at) == ("TwitterAPI", True, dt.datetime(2007, 5, 23, 6, 1, 13))


def test_twitter_v1_reply_and_quote(spark):
    reply = {"created_at": "Thu Apr 06 17:00:00 +0000 2017", "id_str": "2", "text": "@TwitterAPI great, cc @bob", "user": {"id_str": "7"},
             "in_reply_to_status_id_str": "850006245121695744", "in_reply_to_user_id_str": "6253282", "in_reply_to_screen_name": "TwitterAPI",
             "entities": {"user_mentions": [{"id_str": "6253282", "screen_name": "TwitterAPI"}, {"id_str": "8", "screen_name": "bob"}]}}
    quote = {"created_at": "Thu Apr 06 18:00:00 +0000 2017", "id_str": "3", "text": "look at this", "user": {"id_str": "7"},
             "is_quote_status": True, "quoted_status": ORIGINAL, "entities": {"user_mentions": []}}
    records = twitter.to_records(bronze(spark, "twitter", [reply, quote])).where("source_position = 1 OR source_position = 2")
    got = events_of(records).where("post_id IN ('2', '3')")
    expected = spark.createDataFrame([
        ("reply", "7", "6253282", "TwitterAPI", "2", "850006245121695744", None),
        ("mention", "7", "8", "bob", "2", None, None),
        ("quote", "7", "6253282", "TwitterAPI", "3", "850006245121695744", "850006245121695744"),
    ], EVENT_DDL)
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_twitter_v2_response_splits_into_tweet_and_user_records(spark):
    response = {
        "data": [{"id": "1445880548472328192", "text": "@TwitterDev thanks", "author_id": "2244994945", "created_at": "2021-10-06T22:00:00.000Z",
                  "conversation_id": "1445880000000000000", "in_reply_to_user_id": "783214",
                  "referenced_tweets": [{"type": "replied_to", "id": "1445880000000000001"}],
                  "entities": {"mentions": [{"start": 0, "end": 11, "username": "TwitterDev", "id": "783214"}], "hashtags": [{"tag": "Dev"}]}}],
        "includes": {"users": [{"id": "2244994945", "username": "TwitterDev", "name": "Twitter Dev", "public_metrics": {"followers_count": "513958"}}]},
    }
    records = twitter.to_records(bronze(spark, "twitter", [response, {"errors": [{"title": "Not Found Error", "detail": "Could not find tweet"}]}]))
    assert [r.record_path for r in records.orderBy("source_position", "record_path").collect()] == ["data[0]", "includes.users[0]", ""]
    assert problems_of(records)[2] == "API v2 response has no data (errors: Could not find tweet)"
    assert_events(spark, records, [("reply", "2244994945", "783214", None, "1445880548472328192", "1445880000000000001", "1445880000000000000")])
    followers = records.select(F.explode("accounts").alias("a")).where("a.followers_count IS NOT NULL").first()["a"]["followers_count"]
    assert followers == 513958


# Each malformed line with the reason it must get, in line order: one DataFrame, one run.
TWITTER_MALFORMED = [
    ('{"id_str": "1", "text": "cut', "line is not valid JSON (truncated or corrupted record)"),
    ({"id_str": "1", "created_at": "yesterday", "user": {"id_str": "2"}}, "created_at 'yesterday' is not a timestamp"),
    ({"id_str": "1", "created_at": "Thu Apr 06 15:24:15 +0000 2017"}, "author (user.id_str) is missing"),
    ({"id_str": {"$numberLong": "1"}, "created_at": "Thu Apr 06 15:24:15 +0000 2017", "user": {"id_str": "2"}}, "tweet id '{\"$numberLong\":\"1\"}' is not valid"),
    ({"id_str": "1", "created_at": "Thu Apr 06 15:24:15 +0000 2017", "user": "bob"}, "record does not match the Twitter v1.1 tweet layout: a field holds the wrong kind of value (for example an object where a string or number belongs)"),
    ("[1, 2]", "line is valid JSON but not an object; a Twitter v1.1 tweet record is a JSON object"),
]


def test_twitter_malformed_records_get_reasons(spark):
    records = twitter.to_records(bronze(spark, "twitter", [raw for raw, _ in TWITTER_MALFORMED]))
    assert problems_of(records) == [reason for _, reason in TWITTER_MALFORMED]
    assert [r[0] for r in records.select(F.size("events")).collect()] == [0] * len(TWITTER_MALFORMED)


def test_bluesky_posts_replies_reposts_likes_follows(spark):
    alice, bob, carol = "did:plc:alice", "did:plc:bob", "did:plc:carol"
    post_uri = f"at://{alice}/app.bsky.feed.post/3l3pte3p2e325"
    lines = [
        jetstream(alice, "app.bsky.feed.post", "3l3pte3p2e325", {"$type": "app.bsky.feed.post", "createdAt": "2024-09-09T19:46:02.102Z", "text": "hi @bob #atproto", "langs": ["en"],
                  "facets": [{"index": {"byteStart": 3, "byteEnd": 7}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": bob}]},
                             {"index": {"byteStart": 8, "byteEnd": 16}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "atproto"}]}]}),
        jetstream(bob, "app.bsky.feed.post", "r1", {"$type": "app.bsky.feed.post", "createdAt": "2024-09-09T20:00:00Z", "text": "yes",
                  "reply": {"root": {"uri": post_uri, "cid": "c"}, "parent": {"uri": post_uri, "cid": "c"}}}),
        jetstream(bob, "app.bsky.feed.repost", "rp1", {"$type": "app.bsky.feed.repost", "createdAt": "2024-09-09T20:01:00Z", "subject": {"uri": post_uri, "cid": "c"}}),
        jetstream(carol, "app.bsky.feed.repost", "rp2", {"$type": "app.bsky.feed.repost", "createdAt": "2024-09-09T20:02:00Z", "subject": {"uri": post_uri, "cid": "c"},
                  "via": {"uri": f"at://{bob}/app.bsky.feed.repost/rp1", "cid": "c"}}),
        jetstream(carol, "app.bsky.feed.like", "l1", {"$type": "app.bsky.feed.like", "createdAt": "2024-09-09T20:03:00Z", "subject": {"uri": post_uri, "cid": "c"}}),
        jetstream(carol, "app.bsky.graph.follow", "f1", {"$type": "app.bsky.graph.follow", "createdAt": "2024-09-09T20:04:00Z", "subject": alice}),
        jetstream(carol, "app.bsky.feed.like", "l0", None, operation="delete"),
        {"did": alice, "time_us": 1725911162329308, "kind": "identity", "identity": {"did": alice, "handle": "alice.bsky.social", "seq": 1, "time": "2024-09-09T19:46:02.000Z"}},
    ]
    records = bluesky.to_records(bronze(spark, "bluesky", lines))
    assert_events(spark, records, [
        ("post", alice, None, None, post_uri, None, None),
        ("mention", alice, bob, None, post_uri, None, None),
        ("reply", bob, alice, None, f"at://{bob}/app.bsky.feed.post/r1", post_uri, post_uri),
        ("reshare", bob, alice, None, f"at://{bob}/app.bsky.feed.repost/rp1", post_uri, post_uri),
        ("reshare", carol, alice, None, f"at://{carol}/app.bsky.feed.repost/rp2", f"at://{bob}/app.bsky.feed.repost/rp1", post_uri),
        ("like", carol, alice, None, None, post_uri, post_uri),
        ("follow", carol, alice, None, None, None, None),
    ])
    assert problems_of(records)[6] == f"delete of at://{carol}/app.bsky.feed.like/l0: deletions are not applied to the append-only event log"
    handle = records.select(F.explode("accounts").alias("a")).where("a.handle IS NOT NULL").select("a.account_id", "a.handle").first()
    assert tuple(handle) == (alice, "alice.bsky.social")


STATUS_ACCOUNT = {"id": "1", "username": "Gargron", "acct": "Gargron", "display_name": "Eugen", "bot": False, "locked": False,
                  "created_at": "2016-03-16T14:34:26.392Z", "note": "<p>Developer of Mastodon</p>", "followers_count": 322930,
                  "following_count": 459, "statuses_count": 61323}


def test_mastodon_reblog_reply_mentions_and_edits(spark):
    original = {"id": "103270115826048975", "created_at": "2019-12-08T03:48:33.901Z", "in_reply_to_id": None, "language": "en",
                "content": "<p>&quot;I lost my inheritance&quot; <a href=\"https://mastodon.social/tags/bank\" class=\"mention hashtag\">#<span>bank</span></a></p>",
                "account": STATUS_ACCOUNT, "mentions": [], "tags": [{"name": "bank"}], "reblog": None, "edited_at": None}
    reblog = {"id": "103270115826048999", "created_at": "2019-12-08T04:00:00.000Z", "content": "", "account": {"id": "2", "acct": "bob"},
              "reblog": original, "mentions": [], "tags": []}
    reply = {"id": "103270115826049000", "created_at": "2019-12-08T05:00:00.000Z", "in_reply_to_id": "103270115826048975",
             "in_reply_to_account_id": "1", "content": "<p>@Gargron @carol same</p>", "account": {"id": "2", "acct": "bob"},
             "mentions": [{"id": "1", "username": "Gargron", "acct": "Gargron"}, {"id": "3", "username": "carol", "acct": "carol@other.social"}], "tags": []}
    edited = {**original, "edited_at": "2019-12-09T00:00:00.000Z", "content": "<p>edited</p>"}
    records = mastodon.to_records(bronze(spark, "mastodon", [reblog, reply, edited]))
    assert_events(spark, records, [
        ("reshare", "2", "1", "Gargron", "103270115826048999", "103270115826048975", "103270115826048975"),
        ("post", "1", None, None, "103270115826048975", None, None),
        ("reply", "2", "1", None, "103270115826049000", "103270115826048975", None),
        ("mention", "2", "3", "carol@other.social", "103270115826049000", None, None),
        ("post", "1", None, None, "103270115826048975", None, None),
    ])
    texts = records.select(F.explode("events").alias("e")).where("e.event_type = 'post'").orderBy("e.version_ts").select("e.text").collect()
    assert [t[0] for t in texts] == ['"I lost my inheritance" #bank', "edited"]


def test_reddit_submissions_comments_and_deleted_authors(spark):
    lines = [
        {"id": "abc12", "author": "alice", "created_utc": 1577836800, "subreddit": "MachineLearning", "title": "New #AI paper", "selftext": "", "edited": False},
        {"id": "def34", "author": "bob", "created_utc": "1577836900", "body": "Nice", "parent_id": "t3_abc12", "link_id": "t3_abc12", "edited": 1577837000},
        {"id": "ghi56", "author": "carol", "created_utc": 1577836950.0, "body": "Agreed", "parent_id": "t1_def34", "link_id": "t3_abc12"},
        {"id": "jkl78", "author": "[deleted]", "created_utc": 1577836960, "body": "[deleted]", "parent_id": "t3_abc12", "link_id": "t3_abc12"},
    ]
    records = reddit.to_records(bronze(spark, "reddit", lines))
    assert_events(spark, records, [
        ("post", "alice", None, None, "t3_abc12", None, None),
        ("reply", "bob", None, None, "t1_def34", "t3_abc12", "t3_abc12"),
        ("reply", "carol", None, None, "t1_ghi56", "t1_def34", "t3_abc12"),
    ])
    assert problems_of(records)[3] == "author is '[deleted]': the account was deleted, so the activity cannot be attributed to anyone"
    versions = records.select(F.explode("events").alias("e")).where("e.post_id = 't1_def34'").select("e.event_ts", "e.version_ts").first()
    assert tuple(versions) == (dt.datetime(2020, 1, 1, 0, 1, 40), dt.datetime(2020, 1, 1, 0, 3, 20))


def test_facebook_page_export_posts_comments_replies_reactions(spark):
    export = {"data": [{"id": "100_1", "created_time": "2026-10-01T12:00:00+0000", "message": "Match day #football", "from": {"id": "100", "name": "Club"},
                        "message_tags": [{"id": "200", "name": "Coach", "type": "user", "offset": 0, "length": 5}],
                        "comments": {"data": [{"id": "1_11", "created_time": "2026-10-01T12:05:00+0000", "message": "Go!", "from": {"id": "300", "name": "Fan"},
                                               "comments": {"data": [{"id": "1_12", "created_time": "2026-10-01T12:06:00+0000", "message": "Yes", "from": {"id": "400", "name": "Other"}}]}},
                                              {"id": "1_13", "created_time": "2026-10-01T12:07:00+0000", "message": "hidden"},
                                              {"id": {"value": "1_14"}, "created_time": "2026-10-01T12:08:00+0000", "message": "x", "from": {"id": "300"}}],
                                     "paging": {"cursors": {"before": "a", "after": "b"}}},
                        "reactions": {"data": [{"id": "500", "name": "Liker", "type": "LOVE"}], "paging": {"cursors": {"before": "a", "after": "b"}}}}],
              "paging": {"cursors": {"before": "x", "after": "y"}, "next": "https://graph.facebook.com/v19.0/100/posts?after=y"}}
    records = facebook.to_records(bronze(spark, "facebook", [export, "{not json"]))
    assert_events(spark, records, [
        ("post", "100", None, None, "100_1", None, None),
        ("mention", "100", "200", None, "100_1", None, None),
        ("reply", "300", "100", None, "1_11", "100_1", "100_1"),
        ("reply", "400", "300", None, "1_12", "1_11", "100_1"),
        ("like", "500", "100", None, None, "100_1", "100_1"),
    ])
    problems = {r.record_path or str(r.source_position): r.problem for r in records.where("problem IS NOT NULL").collect()}
    assert problems["data[0].comments.data[1]"].startswith("comment has no 'from'")
    assert problems["data[0].comments.data[2]"] == "comment id '{\"value\":\"1_14\"}' is an object or a list, not an id"
    assert problems["2"] == "line is not valid JSON (truncated or corrupted record)"


def test_weibo_repost_converts_beijing_time_and_points_at_root(spark):
    root = {"created_at": "Tue May 31 17:46:55 +0800 2011", "idstr": "11488058246", "text": "求关注。#北京# @小明",
            "user": {"idstr": "1404376560", "screen_name": "zaku", "followers_count": 1204}}
    repost = {"created_at": "Tue May 31 18:00:00 +0800 2011", "idstr": "11488058300", "text": "好 //@中间人: 转发", "user": {"idstr": "2", "screen_name": "b"},
              "retweeted_status": root}
    records = weibo.to_records(bronze(spark, "weibo", [repost]))
    assert_events(spark, records, [
        ("reshare", "2", "1404376560", "zaku", "11488058300", "11488058246", "11488058246"),
        ("mention", "2", None, "中间人", "11488058300", None, None),
        ("post", "1404376560", None, None, "11488058246", None, None),
        ("mention", "1404376560", None, "小明", "11488058246", None, None),
    ])
    ts, tags = records.select(F.explode("events").alias("e")).where("e.post_id = '11488058246' AND e.event_type = 'post'").select("e.event_ts", "e.hashtags").first()
    assert ts == dt.datetime(2011, 5, 31, 9, 46, 55) and tags == ["北京"]


def test_snap_edges_map_types_and_quarantine_bad_lines(spark):
    lines = ["223789 213163 1341100972 MT", "376989 50329 1341101181 RT", "1 2 1341101181 RE", "1 2 3", "1 2 1341101181 XX", "a 2 1341101181 RT"]
    records = edges.to_records(bronze(spark, "edges", lines), "snap")
    assert_events(spark, records, [
        ("mention", "223789", "213163", None, None, None, None),
        ("reshare", "376989", "50329", None, None, None, None),
        ("reply", "1", "2", None, None, None, None),
    ])
    assert problems_of(records)[3:] == [
        "line has 3 fields; expected 4: userA userB unix_ts type",
        "type 'XX' is not RT, MT or RE",
        "userA 'a' is not an integer id",
    ]


def test_research_csv_tweets_and_users(spark):
    rows = [
        {"user_id": "1000486495", "id": "1", "created_at": "Sun Feb 24 15:04:04 +0000 2013", "text": "RT @Carl: hi @dana and @Carl #elezioni2013"},
        {"user_id": "1000486495", "id": "2", "created_at": "Sun Feb 24 15:05:04 +0000 2013", "text": "hello @dana @dana"},
        {"user_id": "x1", "id": "3", "created_at": "Sun Feb 24 15:05:04 +0000 2013", "text": "bad"},
        {"id": "1000486495", "screen_name": "me", "followers_count": "5", "created_at": "Fri Apr 06 10:58:22 +0000 2007", "updated": "2015-02-14 10:54:49", "default_profile": ""},
        {"id": "42", "created_at": "yesterday"},
    ]
    records = research_csv.to_records(bronze(spark, "research_csv", rows), "twitter")
    assert_events(spark, records, [
        ("reshare", "1000486495", None, "Carl", "1", None, None),
        ("mention", "1000486495", None, "dana", "1", None, None),
        ("post", "1000486495", None, None, "2", None, None),
        ("mention", "1000486495", None, "dana", "2", None, None),
    ])
    assert sorted(p for p in problems_of(records) if p) == ["created_at 'yesterday' is not a timestamp", "user_id 'x1' is not valid"]
    user = records.select(F.explode("accounts").alias("a")).where("a.handle = 'me'").first()["a"]
    assert (user.followers_count, user.default_profile, user.snapshot_ts) == (5, None, dt.datetime(2015, 2, 14, 10, 54, 49))


MASTODON_STATUS = {"id": "103270115826048975", "created_at": "2019-12-08T03:48:33.901Z", "content": "<p>hi</p>", "account": {"id": "1", "acct": "a"}}
REDDIT_POST = {"id": "1g0018j", "author": "chris", "created_utc": 1781198487, "title": "t", "selftext": ""}
TRAILING = "line is not valid JSON: a record followed by trailing data (two records run together?)"


@pytest.mark.parametrize(
    "adapter, source, raw, reason",
    [
        (twitter, "twitter", json.dumps(ORIGINAL) + '{"created_at": "Thu', TRAILING),
        (mastodon, "mastodon", json.dumps(MASTODON_STATUS) + " " + json.dumps(MASTODON_STATUS), TRAILING),
        (mastodon, "mastodon", {**MASTODON_STATUS, "id": {"value": "1"}}, "status id '{\"value\":\"1\"}' is an object or a list, not an id"),
        (reddit, "reddit", {**REDDIT_POST, "id": {"$oid": "1g0018j"}}, "id '{\"$oid\":\"1g0018j\"}' is an object or a list, not an id"),
        (
            bluesky,
            "bluesky",
            jetstream("did:plc:abc", "app.bsky.feed.post", {"value": "3k"}, {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2024-09-09T19:46:02.102Z"}),
            "rkey '{\"value\":\"3k\"}' is an object or a list, not an id",
        ),
    ],
)
def test_records_run_together_and_object_ids_are_quarantined(spark, adapter, source, raw, reason):
    records = adapter.to_records(bronze(spark, source, [raw]))
    assert problems_of(records) == [reason]
    assert records.select(F.size("events")).first()[0] == 0
