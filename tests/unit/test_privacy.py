"""Who a person is to the erasure and to pseudonyms, on tiny inline rows."""

from __future__ import annotations

from pyspark.sql import functions as F

from tests.unit.silver_rows import accounts_df
from transforms.identities import IDENTITIES_SCHEMA
from transforms.metrics.person_metrics import pseudonym_of, with_pseudonymous_persons
from transforms.privacy import raw_records_of, subject_accounts
from transforms.schema import RECORD_SCHEMA

SALT = "0123456789abcdef-salt"


def test_a_person_is_every_account_profiles_or_identities_give_them(spark):
    accounts = accounts_df(spark, [
        {"platform": "twitter", "account_id": "t1", "person_id": "p-ann", "handle": "Ann"},
        {"platform": "bluesky", "account_id": "b1", "person_id": "p-ann", "handle": "ann.bsky"},
        {"platform": "twitter", "account_id": "t2", "person_id": "p-bob", "handle": "bob"},
        {"platform": "reddit", "account_id": "r9", "handle": "loner"},
    ])
    identities = spark.createDataFrame([("p-ann", "mastodon", "m1"), ("p-bob", "twitter", "t2")], IDENTITIES_SCHEMA)
    got = sorted(tuple(r) for r in subject_accounts(accounts, identities, "p-ann").collect())
    assert got == [("bluesky", "b1", "ann.bsky"), ("mastodon", "m1", None), ("twitter", "t1", "Ann")]
    # An account nobody links to a person is a person of its own, named platform:account_id.
    assert [tuple(r) for r in subject_accounts(accounts, identities, "reddit:r9").collect()] == [("reddit", "r9", "loner")]


def test_raw_records_that_carry_the_persons_profile_actions_or_links_are_found(spark):
    def record(position, accounts=None, actors=None, identity=None):
        events = [{"platform": "twitter", "actor_account_id": a} for a in actors] if actors is not None else None
        profiles = [{"platform": "twitter", "account_id": a} for a in accounts] if accounts is not None else None
        return {"source": "twitter", "source_file": "f.jsonl", "source_position": position, "record_path": "$",
                "events": events, "accounts": profiles, "identity": identity}
    rows = [
        record(1, accounts=["t1"], actors=["t1"]),          # ann's post with her profile
        record(2, accounts=["t2", "t1"], actors=["t2"]),     # bob's reshare embedding ann's profile
        record(3, accounts=["t2"], actors=["t2"]),           # bob's own post
        record(4, identity={"person_id": "p-ann", "platform": "twitter", "account_id": "t1"}),
        record(5),                                           # a quarantined record: nothing parsed
    ]
    records = spark.createDataFrame(rows, RECORD_SCHEMA)
    subject = spark.createDataFrame([("twitter", "t1")], "platform string, account_id string")
    got = sorted(r["source_position"] for r in raw_records_of(records, subject).collect())
    assert got == [1, 2, 4]


def test_pseudonyms_are_the_salted_hash_of_the_person_the_same_on_the_driver(spark):
    accounts = accounts_df(spark, [
        {"platform": "twitter", "account_id": "t1", "person_id": "p-ann"},
        {"platform": "bluesky", "account_id": "b1", "person_id": "p-ann"},
        {"platform": "reddit", "account_id": "r9"},
    ])
    got = {(r["platform"], r["person_id"]) for r in with_pseudonymous_persons(accounts, SALT).collect()}
    assert got == {("twitter", pseudonym_of("p-ann", SALT)), ("bluesky", pseudonym_of("p-ann", SALT)),
                   ("reddit", pseudonym_of("reddit:r9", SALT))}
    assert pseudonym_of("p-ann", SALT) != pseudonym_of("p-ann", SALT + "x")
    assert len(pseudonym_of("p-ann", SALT)) == 64 and "p-ann" not in pseudonym_of("p-ann", SALT)
    assert with_pseudonymous_persons(accounts, SALT).where(F.col("person_id") == "p-ann").count() == 0
