"""Privacy of the gold tables: with ``[privacy] pseudonymise`` they name persons only by
salted-hash pseudonyms, and hold the same scores as without."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from pyspark.sql import functions as F

from jobs.common.config import PrivacySettings
from jobs.common.delta import Warehouse
from jobs.metrics import run_metrics
from jobs.score import run_score
from jobs.topics import run_topics
from transforms.metrics.person_metrics import person_of_account

SALT = "a-salt-for-tests-only-0123456789"
SILVER = ("silver/events", "silver/accounts", "silver/account_quality")


def pseudonym(column: str) -> F.Column:
    """The pseudonym the privacy settings promise: SHA-256 of salt, a unit separator and the id."""
    return F.sha2(F.concat(F.lit(SALT), F.lit("\x1f"), F.col(column)), 256)


@pytest.fixture(scope="module")
def private_warehouse(spark, config, sample_topics, tmp_path_factory):
    """The sample's silver tables, and metrics, score and topics run on them with pseudonyms."""
    run, _ = sample_topics
    root = tmp_path_factory.mktemp("private-warehouse")
    for table in SILVER:
        shutil.copytree(run.warehouse.path(table), root / table)
    private = dataclasses.replace(config, privacy=PrivacySettings(pseudonymise=True, salt_env="CLOUT_TEST_SALT"))
    warehouse = Warehouse(str(root), "clout_private")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLOUT_TEST_SALT", SALT)
        run_metrics(spark, private, warehouse, run.score_date, "dataframe")
        run_score(spark, private, warehouse, run.score_date)
        run_topics(spark, private, warehouse, run.score_date)
    return run, warehouse


def read(spark, warehouse, table):
    return spark.read.format("delta").load(warehouse.path(table))


def test_pseudonymised_scores_are_the_same_scores_under_pseudonyms(spark, private_warehouse):
    run, private = private_warehouse
    plain = read(spark, run.warehouse, "gold/scores").where(F.col("score_date") == F.lit(run.score_date))
    hidden = read(spark, private, "gold/scores")
    expected = plain.select(pseudonym("person_id").alias("person_id"), "score", "reasons")
    got = hidden.select("person_id", "score", "reasons")
    assert got.count() == plain.count() > 1000
    assert got.exceptAll(expected).count() == 0 and expected.exceptAll(got).count() == 0
    # No real person id is left, in any person column of any gold table.
    real_ids = plain.select("person_id")
    for table, columns in {"gold/scores": ["person_id"], "gold/person_metrics": ["person_id"],
                           "gold/influence_edges": ["person_id", "other_person_id"],
                           "gold/topic_scores": ["person_id"], "gold/topic_leaders": ["person_id"]}.items():
        rows = read(spark, private, table)
        assert rows.count() > 0, table
        for column in columns:
            assert rows.join(real_ids, rows[column] == real_ids["person_id"], "left_semi").count() == 0, (table, column)
            assert rows.where(~F.col(column).rlike("^[0-9a-f]{64}$")).count() == 0, (table, column)


def test_pseudonymised_links_and_topics_match_the_plain_ones(spark, private_warehouse):
    run, private = private_warehouse
    on_date = F.col("score_date") == F.lit(run.score_date)
    plain = read(spark, run.warehouse, "gold/influence_edges").where(on_date)
    hidden = read(spark, private, "gold/influence_edges")
    # Links of equal strength at the top-k cut are kept by the other person's id, which a
    # pseudonym reorders: the strengths each person keeps are the same, not always the persons.
    # Sums over engagements add up in another order under other ids: strengths agree to 1e-9.
    strength = F.round("strength", 9).alias("strength")
    expected = plain.select(pseudonym("person_id").alias("person_id"), "direction", strength)
    got = hidden.select("person_id", "direction", strength)
    assert got.count() > 0
    assert got.exceptAll(expected).count() == 0 and expected.exceptAll(got).count() == 0
    # Every other person of a link is the pseudonym of a person of the sample: of an account,
    # or of an actor that no account row names (a person of their own, platform:account_id).
    accounts = read(spark, run.warehouse, "silver/accounts").select(person_of_account().alias("person"))
    actors = read(spark, run.warehouse, "silver/events").select(F.concat_ws(":", "platform", "actor_account_id").alias("person"))
    persons = accounts.unionByName(actors).distinct().select(pseudonym("person").alias("other_person_id"))
    assert hidden.join(persons, "other_person_id", "left_anti").count() == 0
    plain_topics = read(spark, run.warehouse, "gold/topic_scores").where(on_date).select(
        pseudonym("person_id").alias("person_id"), "topic", F.round("topic_score", 6).alias("topic_score"))
    got_topics = read(spark, private, "gold/topic_scores").select("person_id", "topic", F.round("topic_score", 6).alias("topic_score"))
    assert got_topics.count() > 0
    assert got_topics.exceptAll(plain_topics).count() == 0 and plain_topics.exceptAll(got_topics).count() == 0
