"""The ingest job on a small input with every source: ledger, quarantine, idempotence."""

import datetime as dt
import json
import shutil

import pytest

from jobs.common.delta import Warehouse
from jobs.ingest import run_ingest
from tests.integration.input_counts import records_in_input
from tests.unit.silver_rows import jetstream

pytestmark = pytest.mark.integration

USER = {"id_str": "9", "screen_name": "alice", "created_at": "Wed May 23 06:01:13 +0000 2007", "followers_count": 10}
TWEET = {"id_str": "1", "created_at": "Thu Apr 06 15:24:15 +0000 2017", "text": "hi @bob", "user": USER,
         "entities": {"user_mentions": [{"id_str": "2", "screen_name": "bob"}]}}
RETWEET = {"id_str": "3", "created_at": "Thu Apr 06 16:24:15 +0000 2017", "text": "RT @alice: hi @bob", "user": {"id_str": "5", "screen_name": "carol"},
           "retweeted_status": TWEET}
ALICE_SKY, BOB_SKY = "did:plc:alice", "did:plc:bob"
SKY_POST = f"at://{ALICE_SKY}/app.bsky.feed.post/p1"


TOOT = {"id": "1001", "created_at": "2019-12-08T03:48:33.901Z", "content": "<p>hello</p>", "account": {"id": "1", "acct": "gargron"},
        "mentions": [], "tags": [], "reblog": None}
BOOST = {"id": "1002", "created_at": "2019-12-08T04:00:00.000Z", "content": "", "account": {"id": "2", "acct": "bob"}, "reblog": TOOT, "mentions": [], "tags": []}
PAGE = {"data": [{"id": "100_1", "created_time": "2026-10-01T12:00:00+0000", "message": "Match day", "from": {"id": "100", "name": "Club"},
                  "comments": {"data": [{"id": "1_11", "created_time": "2026-10-01T12:05:00+0000", "message": "Go!", "from": {"id": "300", "name": "Fan"}},
                                        {"id": "1_13", "created_time": "2026-10-01T12:07:00+0000", "message": "no author"}]},
                  "reactions": {"data": [{"id": "500", "name": "Liker", "type": "LIKE"}]}}]}
WEIBO_ROOT = {"created_at": "Tue May 31 17:46:55 +0800 2011", "idstr": "11488058246", "text": "求关注", "user": {"idstr": "1404376560", "screen_name": "zaku"}}
WEIBO_REPOST = {"created_at": "Tue May 31 18:00:00 +0800 2011", "idstr": "11488058300", "text": "好", "user": {"idstr": "2", "screen_name": "b"},
                "retweeted_status": WEIBO_ROOT}
SOURCES = {
    "bluesky/part-0.jsonl": [
        json.dumps(jetstream(ALICE_SKY, "app.bsky.feed.post", "p1", {"$type": "app.bsky.feed.post", "createdAt": "2024-09-09T19:46:02.102Z", "text": "hi @bob",
                  "facets": [{"index": {"byteStart": 3, "byteEnd": 7}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": BOB_SKY}]}]})),
        json.dumps(jetstream(BOB_SKY, "app.bsky.feed.like", "l1", {"$type": "app.bsky.feed.like", "createdAt": "2024-09-09T20:03:00Z", "subject": {"uri": SKY_POST, "cid": "c"}})),
        json.dumps(jetstream(BOB_SKY, "app.bsky.feed.like", "l0", None, operation="delete")),
    ],
    "mastodon/part-0.jsonl": [json.dumps(TOOT), json.dumps(BOOST), "<html>not json</html>"],
    "facebook/page-100.json": [json.dumps(PAGE)],
    "weibo/part-0.jsonl": [json.dumps(WEIBO_REPOST), json.dumps({"idstr": "9", "user": {"idstr": "3"}})],
    "twitter/part-0.jsonl": [json.dumps(TWEET), json.dumps(RETWEET), "", '{"id_str": "7", "created_at": "yesterday", "user": {"id_str": "1"}}', '{"trunc'],
    "reddit/part-0.jsonl": [
        json.dumps({"id": "abc", "author": "dan", "created_utc": 1577836800, "title": "t", "selftext": ""}),
        json.dumps({"id": "def", "author": "erin", "created_utc": 1577836900, "body": "b", "parent_id": "t3_abc", "link_id": "t3_abc"}),
        json.dumps({"id": "zzz", "author": "[deleted]", "created_utc": 1577836900, "body": "[deleted]", "parent_id": "t3_abc", "link_id": "t3_abc"}),
    ],
    "edges/activity.txt": ["1 2 1341100972 RT", "1 2 1341100972 RT", "3 4 12 ZZ"],
    "research_csv/tweets.csv": ["user_id,id,created_at,text", '9,100,Sun Feb 24 15:04:04 +0000 2013,"RT @carol: yes, @alice"'],
    "identities.csv": ["person_id,platform,account_id", "p-alice,twitter,9", "p-alice,reddit,dan", ",reddit,erin"],
}


def write_input(root):
    for relative, lines in SOURCES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def ingested(spark, config, tmp_path_factory):
    root = write_input(tmp_path_factory.mktemp("input"))
    warehouse = Warehouse(str(tmp_path_factory.mktemp("warehouse")), "clout_job")
    first = {row.source: row for row in run_ingest(spark, config, str(root), warehouse)}
    return spark, config, root, warehouse, first


def table(spark, warehouse, name):
    return spark.read.format("delta").load(warehouse.path(name))


def test_ledger_accounts_for_every_record(ingested):
    spark, _, root, warehouse, first = ingested
    counts = {s: (r.records_read, r.accepted, r.quarantined, r.duplicates) for s, r in first.items()}
    assert counts == {
        "identities": (3, 2, 1, 0),
        "twitter": (4, 2, 2, 0),
        "reddit": (3, 2, 1, 0),
        "edges": (3, 1, 1, 1),
        "research_csv": (1, 1, 0, 0),
        "bluesky": (3, 2, 1, 0),  # the deletion is quarantined
        "mastodon": (3, 2, 1, 0),
        "facebook": (4, 3, 1, 0),  # post, 2 comments, 1 reaction; the comment without "from" is quarantined
        "weibo": (2, 1, 1, 0),
    }
    # Counted from the input files, not from the classification: non-blank lines, CSV rows
    # under a header, Graph API items.
    assert {s: r.records_read for s, r in first.items()} == records_in_input(root)
    ledger = table(spark, warehouse, "ingest_runs")
    assert ledger.where("records_read <> accepted + quarantined + duplicates").count() == 0
    quarantined = {r["source"]: r["count"] for r in table(spark, warehouse, "silver/quarantine").groupBy("source").count().collect()}
    assert quarantined == {"identities": 1, "twitter": 2, "reddit": 1, "edges": 1, "bluesky": 1, "mastodon": 1, "facebook": 1, "weibo": 1}


def test_quarantine_keeps_position_raw_text_and_reason(ingested):
    spark, _, _, warehouse, _ = ingested
    rows = table(spark, warehouse, "silver/quarantine").where("source = 'twitter'").orderBy("source_position").collect()
    assert [(r.source_position, r.reason) for r in rows] == [
        (4, "created_at 'yesterday' is not a timestamp"),
        (5, "line is not valid JSON (truncated or corrupted record)"),
    ]
    assert rows[1].raw == '{"trunc' and rows[1].source_file.endswith("twitter/part-0.jsonl")


def test_events_targets_and_persons(ingested):
    spark, _, _, warehouse, _ = ingested
    events = table(spark, warehouse, "silver/events")
    rows = [(r.platform, r.event_type, r.actor_account_id, r.target_account_id) for r in events.collect()]
    assert len(rows) == len(set(rows)) == 18  # a set would hide a doubled event
    got = set(rows)
    assert got == {
        ("twitter", "post", "9", None),
        ("twitter", "mention", "9", "2"),
        ("twitter", "reshare", "5", "9"),
        ("twitter", "reshare", "9", "5"),  # research_csv "RT @carol", resolved by carol's handle
        ("twitter", "mention", "9", "9"),  # "@alice", resolved by handle
        ("reddit", "post", "dan", None),
        ("reddit", "reply", "erin", "dan"),  # the parent's author
        ("snap", "reshare", "1", "2"),
        ("bluesky", "post", ALICE_SKY, None),
        ("bluesky", "mention", ALICE_SKY, BOB_SKY),
        ("bluesky", "like", BOB_SKY, ALICE_SKY),  # the liked post's author, from its URI
        ("mastodon", "post", "1", None),  # once, though the boost carries it again
        ("mastodon", "reshare", "2", "1"),
        ("facebook", "post", "100", None),
        ("facebook", "reply", "300", "100"),
        ("facebook", "like", "500", "100"),
        ("weibo", "reshare", "2", "1404376560"),
        ("weibo", "post", "1404376560", None),  # the reposted root, carried by the repost
    }
    persons = {(r.platform, r.account_id): r.person_id for r in table(spark, warehouse, "silver/accounts").collect()}
    assert persons[("twitter", "9")] == persons[("reddit", "dan")] == "p-alice"
    assert persons[("reddit", "erin")] == "reddit:erin"
    assert spark.table("clout_job.silver_events").count() == events.count()


def test_reingesting_the_same_files_changes_nothing(ingested):
    spark, config, root, warehouse, _ = ingested
    before = sorted(r.event_id for r in table(spark, warehouse, "silver/events").collect())
    again = run_ingest(spark, config, str(root), warehouse)
    assert all(r.records_read == 0 and r.files_read == 0 for r in again)
    copy = root.parent / f"{root.name}-copy"
    shutil.copytree(root, copy)
    renamed = {r.source: r for r in run_ingest(spark, config, str(copy), warehouse)}
    assert renamed["twitter"].duplicates == renamed["twitter"].records_read == 4
    assert all(r.accepted == 0 and r.quarantined == 0 for r in renamed.values())
    assert sorted(r.event_id for r in table(spark, warehouse, "silver/events").collect()) == before


def test_a_handle_gets_its_account_id_on_a_later_run(ingested, tmp_path):
    spark, config, _, warehouse, _ = ingested
    first = tmp_path / "first"
    (first / "research_csv").mkdir(parents=True)
    (first / "research_csv" / "later.csv").write_text(
        'user_id,id,created_at,text\n9,200,Mon Feb 25 15:04:04 +0000 2013,"RT @zoe: see you"\n', encoding="utf-8"
    )
    run_ingest(spark, config, str(first), warehouse)
    def reshare():
        return [(r.target_handle, r.target_account_id) for r in table(spark, warehouse, "silver/events").where("post_id = '200'").collect()]

    assert reshare() == [("zoe", None)]
    waiting = table(spark, warehouse, "silver/unresolved_targets").where("target_handle = 'zoe'")
    assert waiting.count() == 1

    later = tmp_path / "later"
    (later / "twitter").mkdir(parents=True)
    zoe = {"id_str": "300", "created_at": "Tue Feb 26 10:00:00 +0000 2013", "text": "hello", "user": {"id_str": "42", "screen_name": "Zoe"}}
    (later / "twitter" / "part-9.jsonl").write_text(json.dumps(zoe) + "\n", encoding="utf-8")
    run_ingest(spark, config, str(later), warehouse)
    assert reshare() == [("zoe", "42")]
    assert table(spark, warehouse, "silver/unresolved_targets").where("target_handle = 'zoe'").count() == 0


def test_an_edit_replaces_its_post_and_per_field_the_newest_profile_value_wins(ingested, tmp_path):
    spark, config, _, warehouse, _ = ingested
    newer = tmp_path / "newer"
    (newer / "mastodon").mkdir(parents=True)
    (newer / "twitter").mkdir(parents=True)
    edited = {**TOOT, "edited_at": "2019-12-09T00:00:00.000Z", "content": "<p>hello again</p>"}
    (newer / "mastodon" / "part-1.jsonl").write_text(json.dumps(edited) + "\n", encoding="utf-8")
    # A day after the first run's tweets: alice has 99 followers now.
    later_tweet = {**TWEET, "id_str": "11", "created_at": "Fri Apr 07 15:24:15 +0000 2017", "text": "again", "entities": {},
                   "user": {**USER, "followers_count": 99}}
    (newer / "twitter" / "part-1.jsonl").write_text(json.dumps(later_tweet) + "\n", encoding="utf-8")
    run_ingest(spark, config, str(newer), warehouse)

    older = tmp_path / "older"
    (older / "twitter").mkdir(parents=True)
    # Read last but written first: its follower count and handle are older than what is known;
    # its description is the only one anyone has seen, so it fills the empty field.
    early_tweet = {**TWEET, "id_str": "12", "created_at": "Sat Apr 01 15:24:15 +0000 2017", "text": "early", "entities": {},
                   "user": {**USER, "screen_name": "alice_old", "followers_count": 5, "description": "writes about maps"}}
    (older / "twitter" / "part-2.jsonl").write_text(json.dumps(early_tweet) + "\n", encoding="utf-8")
    run_ingest(spark, config, str(older), warehouse)

    posts = table(spark, warehouse, "silver/events").where("platform = 'mastodon' AND post_id = '1001' AND event_type = 'post'")
    assert [(r.text, r.version_ts) for r in posts.collect()] == [("hello again", dt.datetime(2019, 12, 9))]
    alice = table(spark, warehouse, "silver/accounts").where("platform = 'twitter' AND account_id = '9'").collect()
    assert [(r.handle, r.followers_count, r.description) for r in alice] == [("alice", 99, "writes about maps")]
