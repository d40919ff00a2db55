"""Per-account features that tell genuine people from bots, spam and dead accounts.

Every feature is computed from ``silver/events`` and ``silver/accounts`` with built-in
Spark expressions, per ``(platform, account_id)``. Behaviour features exist for every
account that did anything; profile features are null where the source has no profile
(edge lists, Jetstream), and the model and signals treat null as "unknown", never as 0.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from transforms.graph.components import connected_components
from transforms.graph.pregel import ENGINE_DATAFRAME
from transforms.schema import CONTENT_EVENT_TYPES

ACCOUNT_KEY = ("platform", "account_id")
# Events whose actor wrote a text of their own (a reshare's text is the original's).
OWN_TEXT_TYPES = ("post", "quote", "reply")
# Events that engage another account's content or the account itself.
ENGAGEMENT_TYPES = ("reshare", "quote", "reply", "like", "mention")
# Events that react to one post of another account: co-engaging the same posts is what
# closed rings do.
POST_REACTION_TYPES = ("reshare", "quote", "reply", "like")
URL_PATTERN = r"https?://[^\s]+"


def _share(part: Column, whole: Column) -> Column:
    """part / whole, null when whole is 0 or null (ANSI mode forbids dividing by 0)."""
    return F.try_divide(part.cast("double"), whole.cast("double"))


def events_in_window(events: DataFrame, as_of: dt.date | None, lookback_days: int | None) -> DataFrame:
    """Events on or before ``as_of`` and within ``lookback_days`` of it (None: no bound)."""
    if as_of is None:
        return events
    kept = events.where(F.col("event_date") <= F.lit(as_of))
    if lookback_days is not None:
        kept = kept.where(F.col("event_date") > F.date_sub(F.lit(as_of), lookback_days))
    return kept


def own_actions(events: DataFrame) -> DataFrame:
    """One row per action an account took itself, keyed by the account.

    A mention inside a post is part of that post, not an action of its own; a mention with
    no post (edge lists) is one.
    """
    standalone = (F.col("event_type") != "mention") | F.col("post_id").isNull()
    return (
        events.where(F.col("actor_account_id").isNotNull())
        .withColumn("account_id", F.col("actor_account_id"))
        .withColumn("is_action", standalone)
    )


def activity_features(events: DataFrame) -> DataFrame:
    """Volume, rhythm and mix of what each account did.

    Columns: actions, content_events, own_posts, reshares, likes, follows, mentions,
    standalone_mentions, active_days, max_actions_per_day, first_activity_ts,
    last_activity_ts, reshare_share, passive_share, interarrival_cv, burstiness.
    """
    actions = own_actions(events)
    per_day = (
        actions.where("is_action")
        .groupBy(*ACCOUNT_KEY, "event_date")
        .agg(F.count("*").alias("day_actions"), F.sum((F.col("event_type") == "follow").cast("int")).alias("day_follows"))
        .groupBy(*ACCOUNT_KEY)
        .agg(
            F.count("*").alias("active_days"),
            F.max("day_actions").alias("max_actions_per_day"),
            F.max("day_follows").alias("max_follows_per_day"),
        )
    )
    is_type = lambda *types: F.col("event_type").isin(*types).cast("int")  # noqa: E731
    counts = actions.groupBy(*ACCOUNT_KEY).agg(
        F.sum(F.col("is_action").cast("int")).alias("actions"),
        F.sum(is_type(*CONTENT_EVENT_TYPES)).alias("content_events"),
        F.sum(is_type(*OWN_TEXT_TYPES)).alias("own_posts"),
        F.sum(is_type("reshare")).alias("reshares"),
        F.sum(is_type("like")).alias("likes"),
        F.sum(is_type("follow")).alias("follows"),
        F.sum(is_type("mention")).alias("mentions"),
        F.sum(((F.col("event_type") == "mention") & F.col("is_action")).cast("int")).alias("standalone_mentions"),
        F.min("event_ts").alias("first_activity_ts"),
        F.max("event_ts").alias("last_activity_ts"),
    )
    return (
        counts.join(per_day, list(ACCOUNT_KEY), "left")
        .join(interarrival_features(actions.where("is_action")), list(ACCOUNT_KEY), "left")
        .withColumn("reshare_share", _share(F.col("reshares"), F.col("content_events")))
        .withColumn("passive_share", _share(F.col("likes") + F.col("follows"), F.col("actions")))
    )


def cohort_features(events: DataFrame) -> DataFrame:
    """``follower_cohort``: for an account that never posts, how many such accounts began
    the same way in the same hour: their first action in the window a follow of the same
    account. Bought followers arrive like that, thousands onto one buyer within hours;
    each looks like a quiet lurker, the cohort does not (people who join to follow a
    celebrity trickle in over days, a few an hour).

    Columns: platform, account_id, follower_cohort (accounts that post are left out).
    """
    actions = own_actions(events).where("is_action")
    passive = actions.groupBy(*ACCOUNT_KEY).agg(
        F.sum(F.col("event_type").isin(*CONTENT_EVENT_TYPES).cast("int")).alias("_content"),
        F.min_by(F.struct("event_type", "target_account_id", "event_ts"), F.struct("event_ts", "event_id")).alias("_first"),
    )
    starts = passive.where((F.col("_content") == 0) & (F.col("_first.event_type") == "follow")).select(
        *ACCOUNT_KEY, F.col("_first.target_account_id").alias("_followed"), F.date_trunc("hour", F.col("_first.event_ts")).alias("_hour")
    )
    cohorts = starts.groupBy("platform", "_followed", "_hour").agg(F.count("*").alias("follower_cohort"))
    return starts.join(cohorts, ["platform", "_followed", "_hour"]).select(*ACCOUNT_KEY, "follower_cohort")


def interarrival_features(actions: DataFrame) -> DataFrame:
    """Regularity of the gaps between an account's actions.

    ``interarrival_cv`` is stddev/mean of the gaps in seconds (0 for a metronome, about 1
    for random times); ``burstiness`` is (stddev - mean) / (stddev + mean), in [-1, 1]
    (Goh and Barabasi): -1 perfectly regular, 0 random, near 1 bursts and long silences.
    """
    order = Window.partitionBy(*ACCOUNT_KEY).orderBy("event_ts")
    gaps = actions.select(
        *ACCOUNT_KEY,
        (F.unix_timestamp("event_ts") - F.unix_timestamp(F.lag("event_ts").over(order))).alias("gap"),
    ).where(F.col("gap").isNotNull())
    stats = gaps.groupBy(*ACCOUNT_KEY).agg(F.mean("gap").alias("gap_mean"), F.stddev_pop("gap").alias("gap_std"))
    return stats.select(
        *ACCOUNT_KEY,
        _share(F.col("gap_std"), F.col("gap_mean")).alias("interarrival_cv"),
        _share(F.col("gap_std") - F.col("gap_mean"), F.col("gap_std") + F.col("gap_mean")).alias("burstiness"),
    )


def normalized_text(text: Column) -> Column:
    """Text with links, mentions, numbers and punctuation removed, lowercased.

    Two posts with the same normalized text are near-duplicates: spam rotates link codes,
    mentions and counters around one fixed message.
    """
    cleaned = F.regexp_replace(F.lower(text), URL_PATTERN, " ")
    cleaned = F.regexp_replace(cleaned, r"[@#]?[\p{N}]+|@[\p{L}\p{N}_]+|[^\p{L}\s]", " ")
    return F.trim(F.regexp_replace(cleaned, r"\s+", " "))


def text_features(events: DataFrame) -> DataFrame:
    """What an account's own texts look like.

    Columns: text_posts, repeated_text_share (share of its posts whose normalized text
    repeats another of its posts), link_share, top_link, top_link_posts,
    repeated_link_share (share of its posts carrying its most frequent link),
    hashtags_per_post, mentions_per_post.
    """
    posts = (
        events.where(F.col("event_type").isin(*OWN_TEXT_TYPES) & F.col("text").isNotNull())
        .select(
            *[F.col(c) for c in ("platform",)],
            F.col("actor_account_id").alias("account_id"),
            "post_id",
            normalized_text(F.col("text")).alias("norm_text"),
            F.regexp_extract(F.col("text"), URL_PATTERN, 0).alias("link"),
            F.coalesce(F.size("hashtags"), F.lit(0)).alias("n_hashtags"),
        )
    )
    mentions = (
        events.where((F.col("event_type") == "mention") & F.col("post_id").isNotNull())
        .groupBy("platform", "post_id")
        .agg(F.count("*").alias("n_mentions"))
    )
    posts = posts.join(mentions, ["platform", "post_id"], "left").fillna(0, ["n_mentions"])
    distinct_texts = posts.where(F.length("norm_text") > 0).groupBy(*ACCOUNT_KEY).agg(
        F.count_distinct("norm_text").alias("distinct_texts"), F.count("*").alias("texts_with_words")
    )
    top_link = (
        posts.where(F.col("link") != "")
        .groupBy(*ACCOUNT_KEY, "link")
        .agg(F.count("*").alias("link_posts"))
        .groupBy(*ACCOUNT_KEY)
        .agg(F.max_by("link", "link_posts").alias("top_link"), F.max("link_posts").alias("top_link_posts"))
    )
    totals = posts.groupBy(*ACCOUNT_KEY).agg(
        F.count("*").alias("text_posts"),
        F.sum((F.col("link") != "").cast("int")).alias("link_posts"),
        F.avg("n_hashtags").alias("hashtags_per_post"),
        F.avg("n_mentions").alias("mentions_per_post"),
    )
    return (
        totals.join(distinct_texts, list(ACCOUNT_KEY), "left")
        .join(top_link, list(ACCOUNT_KEY), "left")
        .fillna(0, ["top_link_posts", "texts_with_words", "distinct_texts"])
        .select(
            *ACCOUNT_KEY,
            "text_posts",
            _share(F.col("texts_with_words") - F.col("distinct_texts"), F.col("text_posts")).alias("repeated_text_share"),
            _share(F.col("link_posts"), F.col("text_posts")).alias("link_share"),
            "top_link",
            "top_link_posts",
            # One link used once is no repetition.
            F.when(F.col("top_link_posts") >= 2, _share(F.col("top_link_posts"), F.col("text_posts")))
            .otherwise(F.lit(0.0))
            .alias("repeated_link_share"),
            "hashtags_per_post",
            "mentions_per_post",
        )
    )


def engagement_features(events: DataFrame) -> DataFrame:
    """How an account spreads its engagement over other accounts.

    Columns: engagements, engaged_accounts, top_target_share (share of its engagement that
    goes to its most engaged account), clockwork_share (share of its reshares at its most
    common minute of the hour), top_reshare_target_share.
    """
    engaged = events.where(
        F.col("event_type").isin(*ENGAGEMENT_TYPES)
        & F.col("target_account_id").isNotNull()
        & (F.col("target_account_id") != F.col("actor_account_id"))
    ).withColumn("account_id", F.col("actor_account_id"))
    per_target = engaged.groupBy(*ACCOUNT_KEY, "target_account_id").agg(
        F.count("*").alias("n"), F.sum((F.col("event_type") == "reshare").cast("int")).alias("n_reshares")
    )
    spread = per_target.groupBy(*ACCOUNT_KEY).agg(
        F.sum("n").alias("engagements"),
        F.count("*").alias("engaged_accounts"),
        F.max("n").alias("top_target_n"),
        F.max("n_reshares").alias("top_reshare_target_n"),
        F.sum("n_reshares").alias("target_reshares"),
    )
    reshares = events.where(F.col("event_type") == "reshare").withColumn("account_id", F.col("actor_account_id"))
    clock = (
        reshares.groupBy(*ACCOUNT_KEY, F.minute("event_ts").alias("minute"))
        .agg(F.count("*").alias("n"))
        .groupBy(*ACCOUNT_KEY)
        .agg(F.max("n").alias("modal_minute_n"), F.sum("n").alias("timed_reshares"))
    )
    return spread.join(clock, list(ACCOUNT_KEY), "full").select(
        *ACCOUNT_KEY,
        "engagements",
        "engaged_accounts",
        _share(F.col("top_target_n"), F.col("engagements")).alias("top_target_share"),
        _share(F.col("top_reshare_target_n"), F.col("target_reshares")).alias("top_reshare_target_share"),
        _share(F.col("modal_minute_n"), F.col("timed_reshares")).alias("clockwork_share"),
    )


def post_reactions(events: DataFrame) -> DataFrame:
    """(platform, account_id, post_key, target_account_id) per post an account reacted to.

    The post is the parent post; sources with no post ids (edge lists) react to an
    account, so the reacted "post" is that account's day.
    """
    reactions = events.where(
        F.col("event_type").isin(*POST_REACTION_TYPES)
        & F.col("target_account_id").isNotNull()
        & (F.col("target_account_id") != F.col("actor_account_id"))
    )
    post_key = F.coalesce(
        F.col("parent_post_id"), F.concat_ws("@", F.col("target_account_id"), F.col("event_date").cast("string"))
    )
    return reactions.select(
        "platform", F.col("actor_account_id").alias("account_id"), post_key.alias("post_key"), "target_account_id"
    ).distinct()


def ring_features(
    events: DataFrame, min_shared_posts: int, min_overlap: float, max_engagers_per_post: int, graph_engine: str = ENGINE_DATAFRAME
) -> DataFrame:
    """Ring partners of each account and how much of its engagement stays among them.

    Two accounts are ring partners when they reacted to at least ``min_shared_posts`` of
    the same posts and the Jaccard overlap of the posts they reacted to is at least
    ``min_overlap``. Posts with more than ``max_engagers_per_post`` reacting accounts are
    left out: a viral post is no sign of a closed group, and its pairs grow quadratically.

    Partners chain into groups (connected components of the partner graph): a ring member
    whose own partners are few still belongs to its ring.

    Columns: ring_partners, ring_internal_share (share of the account's reactions to posts
    whose author is one of its partners), ring_shared_posts (mean posts shared with a
    partner), ring_id (smallest account id of its group), ring_size (accounts in the
    group), ring_group_internal_share (the group's reactions to posts of group members,
    over all its reactions).
    """
    reactions = post_reactions(events)
    per_account = reactions.groupBy(*ACCOUNT_KEY).agg(F.count("*").alias("reacted_posts"))
    engagers = Window.partitionBy("platform", "post_key")
    crowded = reactions.withColumn("post_engagers", F.count("*").over(engagers)).where(
        F.col("post_engagers").between(2, max_engagers_per_post)
    )
    left, right = crowded.alias("l"), crowded.alias("r")
    pairs = (
        left.join(
            right,
            (F.col("l.platform") == F.col("r.platform"))
            & (F.col("l.post_key") == F.col("r.post_key"))
            & (F.col("l.account_id") < F.col("r.account_id")),
        )
        .groupBy(F.col("l.platform").alias("platform"), F.col("l.account_id").alias("a"), F.col("r.account_id").alias("b"))
        .agg(F.count("*").alias("shared_posts"))
        .where(F.col("shared_posts") >= min_shared_posts)
    )
    sizes_a = per_account.select("platform", F.col("account_id").alias("a"), F.col("reacted_posts").alias("posts_a"))
    sizes_b = per_account.select("platform", F.col("account_id").alias("b"), F.col("reacted_posts").alias("posts_b"))
    partners = (
        pairs.join(sizes_a, ["platform", "a"])
        .join(sizes_b, ["platform", "b"])
        .where(_share(F.col("shared_posts"), F.col("posts_a") + F.col("posts_b") - F.col("shared_posts")) >= min_overlap)
    )
    both_ways = partners.select("platform", F.col("a").alias("account_id"), F.col("b").alias("partner_id"), "shared_posts").unionByName(
        partners.select("platform", F.col("b").alias("account_id"), F.col("a").alias("partner_id"), "shared_posts")
    )
    partner_stats = both_ways.groupBy(*ACCOUNT_KEY).agg(
        F.count("*").alias("ring_partners"), F.avg("shared_posts").alias("ring_shared_posts")
    )
    internal = (
        reactions.join(
            both_ways.select("platform", "account_id", F.col("partner_id").alias("target_account_id")),
            ["platform", "account_id", "target_account_id"],
            "left_semi",
        )
        .groupBy(*ACCOUNT_KEY)
        .agg(F.count("*").alias("internal_reactions"))
    )
    groups = connected_components(partners.select("platform", F.col("a").alias("src"), F.col("b").alias("dst")), ("platform",), engine=graph_engine)
    members = groups.select("platform", F.col("vertex").alias("account_id"), F.col("component").alias("ring_id"))
    member_targets = members.select("platform", F.col("account_id").alias("target_account_id"), F.col("ring_id").alias("target_ring_id"))
    group_internal = (
        reactions.join(members, list(ACCOUNT_KEY))
        .join(member_targets, ["platform", "target_account_id"], "left")
        .groupBy("platform", "ring_id")
        .agg(
            F.countDistinct("account_id").alias("ring_size"),
            _share(F.sum((F.col("target_ring_id") == F.col("ring_id")).cast("int")), F.count("*")).alias("ring_group_internal_share"),
        )
    )
    return (
        partner_stats.join(per_account, list(ACCOUNT_KEY))
        .join(internal, list(ACCOUNT_KEY), "left")
        .join(members, list(ACCOUNT_KEY))
        .join(group_internal, ["platform", "ring_id"])
        .select(
            *ACCOUNT_KEY,
            "ring_partners",
            F.coalesce(_share(F.col("internal_reactions"), F.col("reacted_posts")), F.lit(0.0)).alias("ring_internal_share"),
            "ring_shared_posts",
            "ring_id",
            "ring_size",
            F.coalesce(F.col("ring_group_internal_share"), F.lit(0.0)).alias("ring_group_internal_share"),
        )
    )


def profile_features(accounts: DataFrame) -> DataFrame:
    """Profile facts, null where the source does not carry them.

    Columns: person_id, handle, followers_count, following_count, statuses_count,
    favourites_count, listed_count, created_at, verified, default_profile,
    default_profile_image, has_description, has_url, has_profile.
    """
    present = lambda c: F.when(F.col(c).isNull(), F.lit(None)).otherwise(F.length(F.trim(c)) > 0)  # noqa: E731
    return accounts.select(
        *ACCOUNT_KEY,
        "person_id",
        "handle",
        "followers_count",
        "following_count",
        "statuses_count",
        "favourites_count",
        "listed_count",
        "created_at",
        "verified",
        "default_profile",
        "default_profile_image",
        present("description").alias("has_description"),
        present("url").alias("has_url"),
        (F.col("followers_count").isNotNull() | F.col("following_count").isNotNull()).alias("has_profile"),
    )


def known_accounts(events: DataFrame, accounts: DataFrame, as_of: dt.date | None) -> DataFrame:
    """``(platform, account_id)`` of every account that existed on the score date.

    ``silver/accounts`` also holds accounts first seen after ``as_of`` (a later event named
    them): judging and scoring those on ``as_of`` would let a backfilled date see the
    future. An account is known on ``as_of`` when a profile of it was taken by then, its
    profile says it was created by then, or an event on or before ``as_of`` names it as
    actor or target. None (training on an export) knows every account.
    """
    if as_of is None:
        return accounts.select(*ACCOUNT_KEY)
    day_end = F.lit(as_of + dt.timedelta(days=1)).cast("timestamp")
    profiled = accounts.where(
        (F.col("snapshot_ts") < day_end) | (F.col("snapshot_ts").isNull() & (F.col("created_at") < day_end))
    ).select(*ACCOUNT_KEY)
    named = events_in_window(events, as_of, None).select(
        "platform", F.explode(F.array("actor_account_id", "target_account_id")).alias("account_id")
    )
    return profiled.unionByName(named.where(F.col("account_id").isNotNull())).distinct()


def account_features(
    events: DataFrame,
    accounts: DataFrame,
    *,
    as_of: dt.date | None,
    lookback_days: int | None,
    min_shared_posts: int,
    min_overlap: float,
    max_engagers_per_post: int,
    graph_engine: str = ENGINE_DATAFRAME,
) -> DataFrame:
    """All features of every account that has a profile or did anything in the window.

    Args:
        events: ``silver/events``.
        accounts: ``silver/accounts``.
        as_of: Score date; None takes all events (training on an export).
        lookback_days: Days of activity before ``as_of`` that count; None for all.
        min_shared_posts: See :func:`ring_features`.
        min_overlap: See :func:`ring_features`.
        max_engagers_per_post: See :func:`ring_features`.
        graph_engine: Engine of the ring groups' connected components.

    Returns:
        One row per ``(platform, account_id)`` with behaviour and profile features and
        ``account_age_days`` (age at its last activity, or at its profile snapshot).
    """
    window = events_in_window(events, as_of, lookback_days)
    actors = window.select("platform", F.col("actor_account_id").alias("account_id")).where(F.col("account_id").isNotNull())
    known = known_accounts(events, accounts, as_of).unionByName(actors).distinct()
    features = (
        known.join(profile_features(accounts), list(ACCOUNT_KEY), "left")
        .join(activity_features(window), list(ACCOUNT_KEY), "left")
        .join(text_features(window), list(ACCOUNT_KEY), "left")
        .join(engagement_features(window), list(ACCOUNT_KEY), "left")
        .join(ring_features(window, min_shared_posts, min_overlap, max_engagers_per_post, graph_engine), list(ACCOUNT_KEY), "left")
        .join(cohort_features(window), list(ACCOUNT_KEY), "left")
        .fillna(0, ["follower_cohort", "actions", "content_events", "own_posts", "reshares", "likes", "follows", "mentions",
                    "standalone_mentions", "active_days", "max_actions_per_day", "max_follows_per_day",
                    "text_posts", "engagements", "engaged_accounts", "ring_partners"])
        .fillna(0.0, ["ring_internal_share"])
    )
    reference_ts = F.coalesce(F.col("last_activity_ts"), F.lit(as_of).cast("timestamp") if as_of else F.lit(None))
    age_seconds = F.unix_timestamp(reference_ts) - F.unix_timestamp("created_at")
    return features.withColumn("account_age_days", F.greatest(age_seconds / 86400.0, F.lit(0.0)))
