"""Genuine engagement between persons: the input of true reach and amplification.

Klout's first flaw was counting anything that moved. Here an engagement counts only when
its engager is a genuine account on the score date (not a bot, not inactive), it targets
another person (a person's own accounts do not reach that person), and it falls in the
rolling window; older engagement counts less, halving every ``half_life_days``.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from transforms.quality.features import ENGAGEMENT_TYPES, events_in_window

# Engagements that spread or discuss a post (amplification); likes and mentions reach a
# person but do not carry the post further.
AMPLIFYING_TYPES = ("reshare", "quote", "reply")


def persons_of(accounts: DataFrame) -> DataFrame:
    """``(platform, account_id, person_id)`` of every known account."""
    return accounts.select("platform", "account_id", "person_id")


def _person(account_column: str, persons: DataFrame, alias: str) -> tuple[DataFrame, F.Column]:
    keyed = persons.select("platform", F.col("account_id").alias(account_column), F.col("person_id").alias(alias))
    # An account no profile or identity names is a person of its own, as ingest defines it.
    fallback = F.coalesce(F.col(alias), F.concat_ws(":", F.col("platform"), F.col(account_column)))
    return keyed, fallback


def genuine_engagements(
    events: DataFrame,
    accounts: DataFrame,
    verdicts: DataFrame,
    as_of: dt.date,
    window_days: int,
    half_life_days: float,
) -> DataFrame:
    """Engagements by genuine accounts of other persons in the window, with their decay.

    Args:
        events: ``silver/events``.
        accounts: ``silver/accounts`` (for ``person_id``).
        verdicts: ``silver/account_quality`` rows of the score date.
        as_of: Score date (the window ends with it).
        window_days: Days of the rolling window.
        half_life_days: Age in days at which an engagement counts half.

    Returns:
        ``platform, event_type, engager_account_id, engager_person_id, author_account_id,
        author_person_id, post_key, reshare_post_id, event_ts, event_date, decay``; ``post_key`` is the
        engaged post (or, for sources without post ids, the author's day), and
        ``reshare_post_id`` the id of a reshare itself, through which others can reshare.
    """
    genuine = verdicts.where(F.col("is_genuine")).select("platform", F.col("account_id").alias("actor_account_id"))
    engager_persons, engager = _person("actor_account_id", persons_of(accounts), "_engager_person")
    author_persons, author = _person("target_account_id", persons_of(accounts), "_author_person")
    age_days = F.datediff(F.lit(as_of), F.col("event_date")).cast("double")
    return (
        events_in_window(events, as_of, window_days)
        .where(F.col("event_type").isin(*ENGAGEMENT_TYPES) & F.col("target_account_id").isNotNull())
        .join(genuine, ["platform", "actor_account_id"], "left_semi")
        .join(engager_persons, ["platform", "actor_account_id"], "left")
        .join(author_persons, ["platform", "target_account_id"], "left")
        .select(
            "platform",
            "event_type",
            F.col("actor_account_id").alias("engager_account_id"),
            engager.alias("engager_person_id"),
            F.col("target_account_id").alias("author_account_id"),
            author.alias("author_person_id"),
            F.coalesce("parent_post_id", F.concat_ws("@", "target_account_id", F.col("event_date").cast("string"))).alias("post_key"),
            F.when(F.col("event_type") == "reshare", F.col("post_id")).alias("reshare_post_id"),
            "event_ts",
            "event_date",
            F.pow(F.lit(0.5), age_days / F.lit(float(half_life_days))).alias("decay"),
        )
        .where(F.col("engager_person_id") != F.col("author_person_id"))
    )


def true_reach(engagements: DataFrame) -> DataFrame:
    """Distinct genuine persons who engaged each person, decayed, overall and per platform.

    An engager counts once, with the decay of their most recent engagement: reach is how
    many people engage, not how often. Follows are not engagement and never reach here.

    Returns:
        ``person_id, true_reach, engagers, reach_by_platform`` (map platform -> decayed
        distinct engagers on it).
    """
    per_engager_platform = engagements.groupBy("author_person_id", "platform", "engager_person_id").agg(F.max("decay").alias("decay"))
    per_platform = per_engager_platform.groupBy("author_person_id", "platform").agg(F.sum("decay").alias("reach"))
    overall = (
        per_engager_platform.groupBy("author_person_id", "engager_person_id")
        .agg(F.max("decay").alias("decay"))
        .groupBy("author_person_id")
        .agg(F.sum("decay").alias("true_reach"), F.count("*").alias("engagers"))
    )
    by_platform = per_platform.groupBy("author_person_id").agg(F.map_from_entries(F.collect_list(F.struct("platform", "reach"))).alias("reach_by_platform"))
    return overall.join(by_platform, "author_person_id").withColumnRenamed("author_person_id", "person_id")


def amplification(events: DataFrame, accounts: DataFrame, engagements: DataFrame, as_of: dt.date, window_days: int) -> DataFrame:
    """How likely a person's posts are to be reshared or discussed, by Klout's rules.

    - Reactions per post: reactions are divided by the posts in the window, so 100
      reshares of 10 posts beat 100 reshares of 1,000.
    - Distinct people: a person reacting to one post many times counts once for it.
    - An engager who reacts to everything counts less: each engager's weight is
      ``1 / log2(1 + posts they reacted to in the window)`` (1 for a rare reactor).

    Returns:
        ``person_id, posts, reacted_posts_share, reactions_per_post, weighted_reactions_per_post``.
    """
    author_persons, author = _person("actor_account_id", persons_of(accounts), "_author_person")
    posts = (
        events_in_window(events, as_of, window_days)
        .where(F.col("event_type").isin("post", "quote", "reply") & F.col("post_id").isNotNull())
        .join(author_persons, ["platform", "actor_account_id"], "left")
        .groupBy(author.alias("person_id"))
        .agg(F.countDistinct("platform", "post_id").alias("posts"))
    )
    reactions = (
        engagements.where(F.col("event_type").isin(*AMPLIFYING_TYPES))
        .groupBy("author_person_id", "platform", "post_key", "engager_person_id")
        .agg(F.max("decay").alias("decay"))
    )
    engager_activity = reactions.groupBy("engager_person_id").agg(F.count("*").alias("engager_reactions"))
    weighted = reactions.join(engager_activity, "engager_person_id").withColumn(
        "weight", F.lit(1.0) / F.log2(F.lit(1.0) + F.col("engager_reactions"))
    )
    per_person = weighted.groupBy(F.col("author_person_id").alias("person_id")).agg(
        F.countDistinct("platform", "post_key").alias("reacted_posts"),
        F.sum("decay").alias("reactions"),
        F.sum(F.col("decay") * F.col("weight")).alias("weighted_reactions"),
    )
    return posts.join(per_person, "person_id", "left").select(
        "person_id",
        "posts",
        F.least(F.coalesce(F.try_divide(F.col("reacted_posts"), F.col("posts")), F.lit(0.0)), F.lit(1.0)).alias("reacted_posts_share"),
        F.coalesce(F.try_divide(F.col("reactions"), F.col("posts")), F.lit(0.0)).alias("reactions_per_post"),
        F.coalesce(F.try_divide(F.col("weighted_reactions"), F.col("posts")), F.lit(0.0)).alias("weighted_reactions_per_post"),
    )


def with_percentiles(metrics: DataFrame, columns: list[str], steps: int = 1000, accuracy: int = 10_000) -> DataFrame:
    """Adds ``<column>_percentile``: the share of rows (in %) with a lower value.

    Cut points come from ``percentile_approx`` over all rows and are broadcast back, so no
    single partition has to sort every person (as a global ``percent_rank`` window would).
    Ties share a percentile, and a value below every other gets 0.

    Args:
        metrics: One score date's rows.
        columns: Metrics to rank.
        steps: Resolution: the percentile moves in steps of ``100 / steps``.
        accuracy: ``percentile_approx`` accuracy (relative error ``1 / accuracy``).
    """
    grid = [i / steps for i in range(1, steps)]
    cuts = metrics.agg(*[F.percentile_approx(column, grid, accuracy).alias(f"_cuts_{column}") for column in columns])
    ranked = metrics.crossJoin(F.broadcast(cuts))
    for column in columns:
        below = F.size(F.filter(F.col(f"_cuts_{column}"), lambda cut: cut < F.col(column)))
        ranked = ranked.withColumn(f"{column}_percentile", F.round(below * (100.0 / steps), 2))
    return ranked.drop(*[f"_cuts_{column}" for column in columns])


def cascade_hops(engagements: DataFrame, events: DataFrame, max_hop: int = 3) -> DataFrame:
    """Distinct genuine persons a person's posts reached at each hop of reshare chains.

    Hop 1 reshares the person's post; hop 2 reshares a hop-1 reshare, and so on. A chain
    is followed through ``post_key`` (the engaged post) of each reshare, so it is seen
    only where a source names the reshare a reshare came through (Bluesky's ``via``);
    sources whose API points every reshare at the original (Twitter, Mastodon, Weibo)
    show hop 1 only. ``max_hop`` fixed joins, no iteration over data.

    A chain runs through genuine reshares only: a genuine reshare of a bot's reshare (or of
    one outside the window) is no hop 1, since the post reached that person through the
    bot, and neither are the reshares below it.

    Args:
        engagements: From :func:`genuine_engagements`; needs ``reshare_post_id``.
        events: ``silver/events``: every reshare, by anyone, tells which posts are reshares.
        max_hop: Deepest hop counted.

    Returns:
        ``person_id, hop_1 .. hop_<max_hop>`` (distinct persons at each hop; a person
        counts at the shallowest hop they reached).
    """
    reshares = engagements.where((F.col("event_type") == "reshare") & F.col("reshare_post_id").isNotNull()).select(
        "platform", "post_key", "reshare_post_id", "engager_person_id", "author_person_id"
    )
    level = reshares.select("platform", F.col("author_person_id").alias("person_id"), "reshare_post_id", "engager_person_id", "post_key")
    # Hop 1: reshares of a post written by its author, not of another reshare by anyone.
    resharing_posts = events.where((F.col("event_type") == "reshare") & F.col("post_id").isNotNull()).select(
        "platform", F.col("post_id").alias("post_key")
    )
    level = level.join(resharing_posts, ["platform", "post_key"], "left_anti").withColumn("hop", F.lit(1))
    levels = [level]
    for hop in range(2, max_hop + 1):
        previous = levels[-1].select("platform", "person_id", F.col("reshare_post_id").alias("post_key"))
        level = reshares.join(previous, ["platform", "post_key"]).select(
            "platform", "person_id", "reshare_post_id", "engager_person_id", "post_key", F.lit(hop).alias("hop")
        )
        levels.append(level)
    reached = levels[0]
    for level in levels[1:]:
        reached = reached.unionByName(level)
    first_reach = (
        reached.where(F.col("engager_person_id") != F.col("person_id"))
        .groupBy("person_id", "engager_person_id")
        .agg(F.min("hop").alias("hop"))
    )
    return first_reach.groupBy("person_id").pivot("hop", list(range(1, max_hop + 1))).count().select(
        "person_id", *[F.coalesce(F.col(str(h)), F.lit(0)).alias(f"hop_{h}") for h in range(1, max_hop + 1)]
    )


def influential_engagers(engagements: DataFrame, ranks: DataFrame, min_mass: float) -> DataFrame:
    """Distinct genuine engagers of each person whose own influence mass is at least ``min_mass``.

    The bar is a fixed influence mass (1 for a person nobody engages), not a share of the
    population: masses do not move when unrelated persons join, so neither does this
    count, while the cut of a "top 1%" would shift with every newcomer.

    Args:
        engagements: From :func:`genuine_engagements`.
        ranks: ``(id, mass)`` of network influence, every scored person.
        min_mass: Influence mass from which an engager counts.

    Returns:
        ``person_id, influential_engagers``, for persons with at least one such engager.
    """
    influential = ranks.where(F.col("mass") >= F.lit(float(min_mass))).select(F.col("id").alias("engager_person_id"))
    return (
        engagements.join(influential, "engager_person_id", "left_semi")
        .groupBy(F.col("author_person_id").alias("person_id"))
        .agg(F.countDistinct("engager_person_id").alias("influential_engagers"))
    )


# What a person does that keeps them active as a source: writing or spreading content.
CONTENT_TYPES = ("post", "quote", "reply", "reshare")


def last_activity(events: DataFrame, accounts: DataFrame, engagements: DataFrame, as_of: dt.date, window_days: int) -> DataFrame:
    """The last day in the window on which each person wrote or reshared something, or
    drew genuine engagement: how long a person has been quiet (the score decays with it).

    Returns:
        ``person_id, last_active_date``, for persons active in the window.
    """
    author_persons, author = _person("actor_account_id", persons_of(accounts), "_actor_person")
    own = (
        events_in_window(events, as_of, window_days)
        .where(F.col("event_type").isin(*CONTENT_TYPES))
        .join(author_persons, ["platform", "actor_account_id"], "left")
        .select(author.alias("person_id"), "event_date")
    )
    received = engagements.select(F.col("author_person_id").alias("person_id"), "event_date")
    return own.unionByName(received).groupBy("person_id").agg(F.max("event_date").alias("last_active_date"))
