"""One row of metrics per person and score date: the input of the Clout score.

Who is scored: every person with at least one account that is not a bot on the score date
(inactive persons stay, so their metrics can decay to nothing instead of vanishing).
Everything a metric counts comes from genuine engagement (:mod:`transforms.metrics.engagement`):
bots, spam and inactive accounts engage nobody, here or in the influence graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

PERCENTILE_COLUMNS = (
    "true_reach",
    "engagers",
    "reacted_posts_share",
    "weighted_reactions_per_post",
    "hop_2",
    "hop_3",
    "network_influence",
)


def person_of_account(platform: str = "platform", account: str = "account_id", person: str = "person_id") -> F.Column:
    """The person of an account row: its ``person_id``, or for an account no profile or
    identity names, a person of its own (``platform:account_id``), as ingest defines it."""
    return F.coalesce(F.col(person), F.concat_ws(":", F.col(platform), F.col(account)))


# Between salt and id, so no salt and id run together into another salt and id.
PSEUDONYM_SEPARATOR = "\x1f"


def with_pseudonymous_persons(rows: DataFrame, salt: str) -> DataFrame:
    """Rows with accounts (``silver/accounts``, ``silver/account_quality``) whose person is
    named by a salted SHA-256 of its id instead of the id itself.

    Every gold table takes its persons from these rows, so reading them through this
    writes every gold table with the same pseudonyms, while silver keeps the real ids. The
    same salt gives the same pseudonym on every date; without the salt nobody can tell
    which person a pseudonym stands for by hashing candidate ids.

    Args:
        rows: Rows with ``platform``, ``account_id`` and ``person_id``.
        salt: The secret salt.
    """
    return rows.withColumn("person_id", F.sha2(F.concat(F.lit(salt), F.lit(PSEUDONYM_SEPARATOR), person_of_account()), 256))


def pseudonym_of(person_id: str, salt: str) -> str:
    """The pseudonym :func:`with_pseudonymous_persons` gives a person, computed on the driver."""
    return hashlib.sha256(f"{salt}{PSEUDONYM_SEPARATOR}{person_id}".encode()).hexdigest()


def scored_persons(verdicts: DataFrame) -> DataFrame:
    """``(person_id, platforms)`` of every person with an account that is not a bot.

    Args:
        verdicts: ``silver/account_quality`` rows of the score date.
    """
    return (
        verdicts.where(~F.col("is_bot"))
        .groupBy(person_of_account().alias("person_id"))
        .agg(F.array_sort(F.collect_set("platform")).alias("platforms"))
    )


def influence_edges(engagements: DataFrame) -> DataFrame:
    """``(src, dst, weight)``: engager person to author person, weighted by decayed
    engagement (each engagement counts its decay; PageRank normalises the out-weights)."""
    return engagements.groupBy(F.col("engager_person_id").alias("src"), F.col("author_person_id").alias("dst")).agg(
        F.sum("decay").alias("weight")
    )


def influence_vertices(persons: DataFrame, accounts: DataFrame, as_of: dt.date, prior: str) -> DataFrame:
    """``(id, prior)`` of the influence graph.

    Args:
        persons: From :func:`scored_persons`.
        accounts: ``silver/accounts``.
        as_of: Score date (account ages are taken on it).
        prior: ``uniform``, or ``account_signals``: ``1 + verified + min(age in years, 5) / 5``
            from the person's best account, so a verified five-year-old account teleports
            three times as much as a new unverified one.
    """
    if prior == "uniform":
        return persons.select(F.col("person_id").alias("id"), F.lit(1.0).alias("prior"))
    age_years = F.greatest(F.datediff(F.lit(as_of), F.to_date("created_at")) / 365.25, F.lit(0.0))
    signals = accounts.groupBy(person_of_account().alias("person_id")).agg(
        F.max(F.coalesce(F.col("verified"), F.lit(False)).cast("double")).alias("verified"),
        F.max(F.least(F.coalesce(age_years, F.lit(0.0)), F.lit(5.0))).alias("age_years"),
    )
    return persons.join(signals, "person_id", "left").select(
        F.col("person_id").alias("id"),
        (F.lit(1.0) + F.coalesce("verified", F.lit(0.0)) + F.coalesce("age_years", F.lit(0.0)) / F.lit(5.0)).alias("prior"),
    )


def person_metrics(
    persons: DataFrame,
    reach: DataFrame,
    amplification: DataFrame,
    hops: DataFrame,
    ranks: DataFrame,
    influential_engagers: DataFrame,
    activity: DataFrame,
    as_of: dt.date,
    max_hop: int,
) -> DataFrame:
    """Every scored person's metrics; a person nobody engaged gets zeros, not nulls.

    Args:
        persons: From :func:`scored_persons`.
        reach: From :func:`transforms.metrics.engagement.true_reach`.
        amplification: From :func:`transforms.metrics.engagement.amplification`.
        hops: From :func:`transforms.metrics.engagement.cascade_hops`.
        ranks: ``(id, rank, mass)`` of weighted PageRank over the influence graph
            (:func:`transforms.graph.pagerank.weighted_pagerank`).
        influential_engagers: From :func:`transforms.metrics.engagement.influential_engagers`.
        activity: From :func:`transforms.metrics.engagement.last_activity`.
        as_of: Score date.
        max_hop: Deepest hop in ``hops``.

    Returns:
        ``person_id, platforms, true_reach, engagers, reach_by_platform, posts,
        reacted_posts_share, reactions_per_post, weighted_reactions_per_post, hop_1..,
        network_influence, influence_vs_average`` (network influence over the mean, so
        2.0 is twice the average person's), ``influence_mass`` (the same influence, on a
        scale that unrelated persons joining does not move), ``influential_engagers``,
        ``last_active_date`` and ``quiet_days`` (null: not active in the window).
    """
    hop_columns = [f"hop_{h}" for h in range(1, max_hop + 1)]
    population = persons.agg(F.count("*").alias("_persons"))
    joined = (
        persons.join(reach, "person_id", "left")
        .join(amplification, "person_id", "left")
        .join(hops, "person_id", "left")
        .join(ranks.select(F.col("id").alias("person_id"), F.col("rank").alias("network_influence"), F.col("mass").alias("influence_mass")), "person_id", "left")
        .join(influential_engagers, "person_id", "left")
        .join(activity, "person_id", "left")
        .crossJoin(F.broadcast(population))
    )
    return joined.select(
        "person_id",
        "platforms",
        F.coalesce("true_reach", F.lit(0.0)).alias("true_reach"),
        F.coalesce("engagers", F.lit(0)).cast("long").alias("engagers"),
        F.coalesce("reach_by_platform", F.create_map().cast("map<string,double>")).alias("reach_by_platform"),
        F.coalesce("posts", F.lit(0)).cast("long").alias("posts"),
        F.coalesce("reacted_posts_share", F.lit(0.0)).alias("reacted_posts_share"),
        F.coalesce("reactions_per_post", F.lit(0.0)).alias("reactions_per_post"),
        F.coalesce("weighted_reactions_per_post", F.lit(0.0)).alias("weighted_reactions_per_post"),
        *[F.coalesce(c, F.lit(0)).cast("long").alias(c) for c in hop_columns],
        F.coalesce("network_influence", F.lit(0.0)).alias("network_influence"),
        (F.coalesce("network_influence", F.lit(0.0)) * F.col("_persons")).alias("influence_vs_average"),
        F.coalesce("influence_mass", F.lit(1.0)).alias("influence_mass"),
        F.coalesce("influential_engagers", F.lit(0)).cast("long").alias("influential_engagers"),
        "last_active_date",
        F.datediff(F.lit(as_of), F.col("last_active_date")).alias("quiet_days"),
    )
