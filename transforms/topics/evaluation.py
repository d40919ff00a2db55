"""Topic leaders against planted (or hand-labelled) ones: precision at k per topic.

Labels name persons the way their source does (the built-in sample's ``truth/leaders.csv``
and ``truth/persons.csv``); the warehouse names a person by ``person_id`` when an identity
links their accounts and by ``platform:account_id`` otherwise, so labelled persons are
mapped through their accounts first.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from transforms.metrics.person_metrics import person_of_account


def labelled_persons(accounts: DataFrame, labelled_accounts: DataFrame) -> DataFrame:
    """``person_id, label_person_id``: the warehouse person of each labelled account.

    Args:
        accounts: ``silver/accounts``.
        labelled_accounts: ``label_person_id, platform, account_id``.
    """
    return (
        accounts.select("platform", "account_id", person_of_account().alias("person_id"))
        .join(labelled_accounts, ["platform", "account_id"])
        .select("person_id", "label_person_id")
        .distinct()
    )


def leader_precision(topic_scores: DataFrame, persons: DataFrame, labelled_leaders: DataFrame, k: int = 10) -> DataFrame:
    """Precision at ``k`` of each labelled topic's ranking.

    Where fewer than ``k`` leaders are labelled, precision is taken at their number: a topic
    with 3 labelled leaders scores 1.0 only when its top 3 are those 3 (no ranking could
    score more than 3/10 at 10).

    Args:
        topic_scores: ``gold/topic_scores`` rows of one date.
        persons: From :func:`labelled_persons`.
        labelled_leaders: ``topic, label_person_id``.
        k: Cut of the ranking.

    Returns:
        ``topic, labelled, k, hits, precision``, one row per labelled topic.
    """
    labelled = labelled_leaders.groupBy("topic").agg(F.countDistinct("label_person_id").alias("labelled"))
    cut = F.least(F.col("labelled"), F.lit(k))
    top = (
        topic_scores.join(labelled, "topic")
        .where(F.col("rank_in_topic") <= cut)  # ranks share ties: the window below cuts them exactly
        .join(persons, "person_id", "left")
    )
    order = Window.partitionBy("topic").orderBy(F.desc("topic_score"), F.asc("person_id"))
    hits = (
        top.withColumn("_position", F.row_number().over(order))
        .where(F.col("_position") <= cut)
        .join(labelled_leaders.withColumn("_hit", F.lit(1)), ["topic", "label_person_id"], "left")
        .groupBy("topic")
        .agg(F.sum(F.coalesce("_hit", F.lit(0))).alias("hits"))
    )
    return (
        labelled.join(hits, "topic", "left")
        .select("topic", "labelled", cut.alias("k"), F.coalesce("hits", F.lit(0)).cast("long").alias("hits"))
        .withColumn("precision", F.round(F.col("hits") / F.col("k"), 4))
    )
