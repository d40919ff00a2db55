"""One verdict per account: features -> model -> explicit signals -> verdict -> reasons."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.common.config import QualitySettings
from transforms.graph.pregel import ENGINE_DATAFRAME
from transforms.quality.features import ACCOUNT_KEY, ENGAGEMENT_TYPES, account_features, events_in_window
from transforms.quality.model import QualityModel, with_model_score
from transforms.quality.signals import with_reasons, with_signals, with_verdict

FEATURE_COLUMNS = (
    "followers_count", "following_count", "statuses_count", "account_age_days", "actions", "content_events",
    "own_posts", "reshares", "likes", "follows", "mentions", "active_days", "max_actions_per_day",
    "max_follows_per_day", "reshare_share", "passive_share", "interarrival_cv", "burstiness", "text_posts",
    "repeated_text_share", "link_share", "repeated_link_share", "hashtags_per_post", "mentions_per_post",
    "engagements", "engaged_accounts", "top_target_share", "top_reshare_target_share", "clockwork_share",
    "ring_partners", "ring_internal_share", "ring_size", "ring_group_internal_share", "follower_cohort", "engagers", "bot_engager_share",
)
SIGNAL_COLUMNS = (
    "model_probability", "model_threshold", "model_score", "sig_repeated_text", "sig_repeated_link", "sig_hashtag_stuffing", "sig_mention_spam",
    "sig_mention_bursts", "sig_clockwork", "sig_target_concentration", "sig_ring_member", "sig_ring_group", "ring_score", "sig_follow_burst", "sig_follower_cohort",
    "spam_score", "amplifier_score", "fake_follower_score",
)
OUTPUT_COLUMNS = (
    "platform", "account_id", "person_id", "handle", "bot_score", "is_bot", "is_inactive", "is_genuine", "kind",
    "reasons", "model_version", "model_used", "last_activity_ts", "ring_id",
)


def with_company(verdicts: DataFrame, events: DataFrame) -> DataFrame:
    """Adds ``engagers`` and ``bot_engager_share``: who engages with the account.

    Reported beside the verdict (and in the reasons when most engagers are bots), not
    folded into ``bot_score``: real people are amplified by bots they never asked for,
    and flagging a real person is worse than missing a bot.
    """
    engaged = events.where(
        F.col("event_type").isin(*ENGAGEMENT_TYPES)
        & F.col("target_account_id").isNotNull()
        & (F.col("target_account_id") != F.col("actor_account_id"))
    ).select("platform", F.col("target_account_id").alias("account_id"), F.col("actor_account_id").alias("engager_id")).distinct()
    bots = verdicts.where("is_bot").select("platform", F.col("account_id").alias("engager_id"), F.lit(1).alias("engager_is_bot"))
    company = (
        engaged.join(bots, ["platform", "engager_id"], "left")
        .groupBy(*ACCOUNT_KEY)
        .agg(F.count("*").alias("engagers"), F.sum(F.coalesce("engager_is_bot", F.lit(0))).alias("bot_engagers"))
        .select(*ACCOUNT_KEY, "engagers", F.try_divide(F.col("bot_engagers").cast("double"), F.col("engagers")).alias("bot_engager_share"))
    )
    return verdicts.join(company, list(ACCOUNT_KEY), "left").fillna(0, ["engagers"])


def with_company_reason(assessed: DataFrame, min_engagers: int = 5) -> DataFrame:
    """Appends "most of its engagers are bots" to the reasons when it holds."""
    sentence = F.concat(
        F.format_number(F.col("bot_engager_share") * 100.0, 0), F.lit("% of the "), F.format_number(F.col("engagers").cast("double"), 0),
        F.lit(" accounts that engage with it are bots"),
    )
    holds = (F.col("engagers") >= min_engagers) & (F.col("bot_engager_share") >= 0.5)
    return assessed.withColumn("reasons", F.when(holds, F.concat("reasons", F.array(sentence))).otherwise(F.col("reasons")))


def assess_accounts(
    events: DataFrame,
    accounts: DataFrame,
    model: QualityModel,
    settings: QualitySettings,
    as_of: dt.date | None,
    graph_engine: str = ENGINE_DATAFRAME,
) -> DataFrame:
    """Scores every account: bot_score, is_bot, is_inactive, is_genuine, kind, reasons.

    Args:
        events: ``silver/events``.
        accounts: ``silver/accounts``.
        model: The trained model pair.
        settings: Quality settings (windows, thresholds, signals).
        as_of: Score date; None judges all of an export's activity and calls nobody inactive.
        graph_engine: Engine of the ring groups' connected components.

    Returns:
        One row per account: :data:`OUTPUT_COLUMNS`, ``features`` and ``signals`` (structs
        of the numbers behind the verdict).
    """
    return assess_features(quality_features(events, accounts, settings, as_of, graph_engine), events, model, settings, as_of)


def quality_features(
    events: DataFrame, accounts: DataFrame, settings: QualitySettings, as_of: dt.date | None, graph_engine: str = ENGINE_DATAFRAME
) -> DataFrame:
    """The account features the verdict rests on, with the windows and ring settings of a profile."""
    ring = settings.ring
    return account_features(
        events,
        accounts,
        as_of=as_of,
        lookback_days=settings.lookback_days,
        min_shared_posts=ring.min_shared_posts,
        min_overlap=ring.min_overlap,
        max_engagers_per_post=ring.max_engagers_per_post,
        graph_engine=graph_engine,
    )


def judge_features(features: DataFrame, model: QualityModel, settings: QualitySettings, as_of: dt.date | None) -> DataFrame:
    """Model score, signals, verdict and reasons of every account (before the company it keeps)."""
    scored = with_signals(with_model_score(features, model), settings)
    return with_reasons(with_verdict(scored, settings, as_of), settings, as_of, model.version)


def with_company_and_output(judged: DataFrame, events: DataFrame, settings: QualitySettings, as_of: dt.date | None, version: str) -> DataFrame:
    """Adds who engages each account (``judged`` is read twice: jobs may checkpoint it) and
    selects the output columns."""
    assessed = with_company_reason(with_company(judged, events_in_window(events, as_of, settings.lookback_days)))
    return assessed.select(
        *[F.col(c) for c in OUTPUT_COLUMNS if c != "model_version"],
        F.lit(version).alias("model_version"),
        F.struct(*[F.col(c).cast("double").alias(c) for c in FEATURE_COLUMNS]).alias("features"),
        F.struct(*[F.round(F.col(c), 4).alias(c) for c in SIGNAL_COLUMNS]).alias("signals"),
    )


def assess_features(
    features: DataFrame,
    events: DataFrame,
    model: QualityModel,
    settings: QualitySettings,
    as_of: dt.date | None,
) -> DataFrame:
    """:func:`assess_accounts` on features computed beforehand (training reuses them)."""
    return with_company_and_output(judge_features(features, model, settings, as_of), events, settings, as_of, model.version)
