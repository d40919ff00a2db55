"""End to end on the real public datasets in ../shared/data: exact counts."""

import csv
import gzip
import re
from collections import Counter

import pytest
from pyspark.sql import functions as F

from transforms.text import RETWEET_PREFIX_PATTERN, TWITTER_MENTION_PATTERN

pytestmark = pytest.mark.integration


def expected_cresci(tweets_path):
    """Posts, reshares and mentions of the cresci tweets by the documented rule, in Python."""
    kinds, mentions = Counter(), 0
    with gzip.open(tweets_path, "rt", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            retweeted = re.match(RETWEET_PREFIX_PATTERN, row["text"])
            kinds["reshare" if retweeted else "post"] += 1
            names = {m.lower() for m in re.findall(TWITTER_MENTION_PATTERN, row["text"])}
            names.discard(retweeted.group(1).lower() if retweeted else None)
            mentions += len(names)
    return kinds, mentions


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
    assert kinds["post"] + kinds["reshare"] == 406_083
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
