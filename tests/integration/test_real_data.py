"""End to end on the real public datasets in ../shared/data: exact counts."""

import csv
import gzip
import string
from collections import Counter

import pytest
from pyspark.sql import functions as F

pytestmark = pytest.mark.integration


# The test's own reading of Twitter's rules, by scanning characters (not the project's
# patterns, so a wrong pattern there cannot be copied into the expectation): a handle is
# 1-15 of [A-Za-z0-9_]; "@" starts a mention unless a handle character or one of !#$%&*@
# comes just before it, or "@" just after the handle; "RT @handle:" at the start is a reshare.
HANDLE_CHARACTERS = set(string.ascii_letters + string.digits + "_")
NOT_BEFORE_A_MENTION = HANDLE_CHARACTERS | set("!#$%&*@")


def handle_after(text, at):
    end = at + 1
    while end < len(text) and text[end] in HANDLE_CHARACTERS:
        end += 1
    name = text[at + 1 : end]
    return name if 1 <= len(name) <= 15 and text[end : end + 1] != "@" else None


def mentioned(text):
    at_signs = (i for i, c in enumerate(text) if c == "@" and (i == 0 or text[i - 1] not in NOT_BEFORE_A_MENTION))
    return {name.lower() for name in map(lambda i: handle_after(text, i), at_signs) if name}


def retweeted(text):
    name = handle_after(text, 3) if text.startswith("RT @") else None
    return name if name and text[4 + len(name) : 5 + len(name)] == ":" else None


def expected_cresci(tweets_path):
    """Posts, reshares and mentions of the cresci tweets by the rule above."""
    kinds, mentions = Counter(), 0
    with gzip.open(tweets_path, "rt", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            source = retweeted(row["text"])
            kinds["reshare" if source else "post"] += 1
            mentions += len(mentioned(row["text"]) - {source.lower() if source else None})
    return kinds, mentions


def test_the_tests_own_twitter_rule_reads_handles_as_twitter_does():
    assert mentioned("@ann hi @Bob_1, mail x@y.z, #@no, @toolongtoolongtoo @a@b RT") == {"ann", "bob_1"}
    assert retweeted("RT @ann: hello @bob") == "ann"
    assert retweeted("RT @ann hello") is None and retweeted("rt @ann: hello") is None


def test_every_higgs_line_is_one_event_of_its_type(spark, real_warehouse):
    warehouse, ledger, data = real_warehouse
    with gzip.open(data / "higgs-twitter" / "higgs-activity_time.txt.gz", "rt") as handle:
        by_code = Counter(line.split()[3] for line in handle)
    assert (ledger["edges"].records_read, ledger["edges"].accepted, ledger["edges"].quarantined) == (563_069, 563_069, 0)
    events = spark.read.format("delta").load(warehouse.path("silver/events")).where(F.col("platform") == "snap")
    got = {r["event_type"]: r["count"] for r in events.groupBy("event_type").count().collect()}
    assert got == {"reshare": by_code["RT"], "mention": by_code["MT"], "reply": by_code["RE"]}


def test_every_cresci_tweet_is_one_post_or_reshare_plus_its_mentions(spark, real_warehouse):
    warehouse, ledger, data = real_warehouse
    kinds, mentions = expected_cresci(data / "cresci-2015" / "tweets.csv.gz")
    # The same figures, pinned: a change of the data or of the rule above shows here.
    assert (kinds["post"], kinds["reshare"], mentions) == (298_836, 107_247, 188_877)
    row = ledger["research_csv"]
    assert (row.records_read, row.accepted, row.quarantined, row.duplicates) == (406_083 + 3_900, 406_083 + 3_900, 0, 0)
    events = spark.read.format("delta").load(warehouse.path("silver/events")).where(F.col("platform") == "twitter")
    got = {r["event_type"]: r["count"] for r in events.groupBy("event_type").count().collect()}
    assert got == {"post": kinds["post"], "reshare": kinds["reshare"], "mention": mentions}


def test_every_cresci_account_is_one_row_and_names_resolve(spark, real_warehouse):
    warehouse, _, data = real_warehouse
    with open(data / "cresci-2015" / "users.csv", newline="", encoding="utf-8") as handle:
        users = {row["id"]: row["screen_name"] for row in csv.DictReader(handle)}
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts")).where(F.col("platform") == "twitter")
    rows = accounts.where(F.col("account_id").isin(list(users))).select("account_id", "handle").collect()
    assert len(rows) == len(users)  # one row per account: a dict of the rows would hide a second one
    assert {r["account_id"]: r["handle"] for r in rows} == users
    # Mentions of a screen name that silver/accounts knows carry its account id.
    by_name = {name.lower(): account_id for account_id, name in users.items()}
    events = spark.read.format("delta").load(warehouse.path("silver/events")).where(F.col("target_handle").isNotNull())
    known = events.where(F.lower("target_handle").isin(list(by_name)))
    assert known.count() > 0
    mismatched = [r for r in known.select("target_handle", "target_account_id").distinct().collect() if by_name[r[0].lower()] != r[1]]
    assert mismatched == []
    assert events.where(~F.lower("target_handle").isin(list(by_name)) & F.col("target_account_id").isNotNull()).count() == 0
