"""Explicit bot signals, the verdict per account, and the reasons a person can check.

Each signal turns one measured feature into a strength in [0, 1] through a configured
:class:`~jobs.common.config.Ramp`, and only when the feature rests on enough evidence.
The trained model covers bought followers (the labelled kind); spam, automated
amplification, closed rings and follow bursts have signals of their own, because a
model fitted on one labelled kind does not learn the others. ``bot_score`` is the
strongest of them, and ``kind`` says which one it was.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.common.config import QualitySettings, Ramp

BOT_KINDS = ("engagement_ring", "spam", "automated_amplifier", "fake_follower")
# Signal columns behind each kind, strongest wins; on a tie the earlier kind is named.
KIND_SCORES = {
    "engagement_ring": "ring_score",
    "spam": "spam_score",
    "automated_amplifier": "amplifier_score",
    "fake_follower": "fake_follower_score",
}


def ramp(value: Column, setting: Ramp, evidence: Column) -> Column:
    """Strength of a signal: 0 at ``start``, 1 at ``full``; 0 on null value or too little evidence."""
    span = setting.full - setting.start
    strength = F.least(F.greatest((value - F.lit(setting.start)) / F.lit(span), F.lit(0.0)), F.lit(1.0))
    return F.when(value.isNotNull() & (evidence >= setting.min_evidence), strength).otherwise(F.lit(0.0))


def _second_strongest(*strengths: Column) -> Column:
    """The second largest strength: one odd habit is not spam, two together are."""
    return F.get(F.sort_array(F.array(*strengths), asc=False), 1)


def with_signals(features: DataFrame, settings: QualitySettings) -> DataFrame:
    """Adds the strength of every explicit signal and the per-kind scores.

    Expects the columns of :func:`transforms.quality.features.account_features` and
    ``model_score`` (probability of a bought follower from the trained model, null where
    the model had too little to go on).
    """
    spam, amp, ring, burst = settings.spam, settings.amplifier, settings.ring, settings.follow_burst
    posts = F.col("text_posts")
    mention_only = (F.col("standalone_mentions") >= F.lit(0.9) * F.col("actions")) & (F.col("actions") > 0)
    only_reshares = F.coalesce(F.col("reshare_share"), F.lit(0.0)) >= F.lit(amp.reshare_share)
    never_posts = (F.col("content_events") == 0) & (F.col("passive_share") >= F.lit(burst.passive_share))
    return (
        features.withColumn("sig_repeated_text", ramp(F.col("repeated_text_share"), spam.repeated_text, posts))
        .withColumn("sig_repeated_link", ramp(F.col("repeated_link_share"), spam.repeated_link, posts))
        .withColumn("sig_hashtag_stuffing", ramp(F.col("hashtags_per_post"), spam.hashtag_stuffing, posts))
        .withColumn("sig_mention_spam", ramp(F.col("mentions_per_post"), spam.mention_spam, posts))
        .withColumn(
            "sig_mention_bursts",
            F.when(
                mention_only,
                ramp(F.try_divide(F.col("standalone_mentions"), F.col("active_days")), spam.mention_only_bursts, F.col("standalone_mentions")),
            ).otherwise(F.lit(0.0)),
        )
        .withColumn(
            "spam_score",
            F.greatest(
                _second_strongest(
                    F.col("sig_repeated_text"), F.col("sig_repeated_link"), F.col("sig_hashtag_stuffing"), F.col("sig_mention_spam")
                ),
                F.col("sig_mention_bursts"),
            ),
        )
        .withColumn("sig_clockwork", F.when(only_reshares, ramp(F.col("clockwork_share"), amp.clockwork, F.col("reshares"))).otherwise(F.lit(0.0)))
        .withColumn(
            "sig_target_concentration",
            F.when(only_reshares, ramp(F.col("top_reshare_target_share"), amp.target_concentration, F.col("reshares"))).otherwise(F.lit(0.0)),
        )
        .withColumn("amplifier_score", F.greatest("sig_clockwork", "sig_target_concentration"))
        .withColumn(
            "sig_ring_member",
            F.when(
                F.col("ring_partners") >= F.lit(ring.min_ring_size - 1),
                ramp(F.col("ring_internal_share"), ring.internal_share, F.col("ring_partners") + 1),
            ).otherwise(F.lit(0.0)),
        )
        .withColumn(
            "sig_ring_group",
            F.when(
                (F.col("ring_size") >= F.lit(ring.min_ring_size)) & (F.col("ring_internal_share") >= F.lit(ring.member_min_share)),
                ramp(F.col("ring_group_internal_share"), ring.internal_share, F.col("ring_size")),
            ).otherwise(F.lit(0.0)),
        )
        .withColumn("ring_score", F.greatest("sig_ring_member", "sig_ring_group"))
        .withColumn(
            "sig_follow_burst",
            F.when(never_posts, ramp(F.col("max_follows_per_day").cast("double"), burst.follows_per_day, F.col("follows"))).otherwise(F.lit(0.0)),
        )
        .withColumn(
            "sig_follower_cohort",
            F.when(never_posts, ramp(F.col("follower_cohort").cast("double"), burst.follower_cohort, F.col("follows"))).otherwise(F.lit(0.0)),
        )
        .withColumn(
            "fake_follower_score",
            F.greatest(F.coalesce(F.col("model_score"), F.lit(0.0)), F.col("sig_follow_burst"), F.col("sig_follower_cohort")),
        )
    )


def with_verdict(scored: DataFrame, settings: QualitySettings, as_of: dt.date | None) -> DataFrame:
    """Adds bot_score, is_bot, is_inactive, is_genuine and kind.

    Inactive: no own activity within ``inactive_days`` before ``as_of``. A bot that went
    quiet is still named by its bot kind; it is both a bot and inactive.
    """
    scores = [F.col(column) for column in KIND_SCORES.values()]
    bot_score = F.greatest(*scores)
    strongest = F.coalesce(*[F.when(F.col(column) >= bot_score, F.lit(kind)) for kind, column in KIND_SCORES.items()])
    if as_of is None:
        inactive = F.lit(False)
    else:
        cutoff = F.date_sub(F.lit(as_of), settings.inactive_days)
        inactive = F.col("last_activity_ts").isNull() | (F.to_date("last_activity_ts") <= cutoff)
    is_bot = bot_score >= F.lit(settings.bot_threshold)
    return (
        scored.withColumn("bot_score", F.round(bot_score, 4))
        .withColumn("is_bot", is_bot)
        .withColumn("is_inactive", inactive)
        .withColumn("is_genuine", ~is_bot & ~inactive)
        .withColumn("kind", F.when(is_bot, strongest).when(inactive, F.lit("inactive")).otherwise(F.lit("genuine")))
    )


def _n(value: Column) -> Column:
    """A count as people write it: 4,812."""
    return F.format_number(F.coalesce(value, F.lit(0)).cast("double"), 0)


def _counted(value: Column, noun: str) -> Column:
    """A count with its noun, singular for one: "1 day", "4,812 accounts"."""
    return F.concat(_n(value), F.lit(" "), F.when(F.coalesce(value, F.lit(0)) == 1, F.lit(noun)).otherwise(F.lit(f"{noun}s")))


def _pct(share: Column) -> Column:
    """A share as a whole percentage: 87%."""
    return F.concat(F.format_number(F.coalesce(share, F.lit(0.0)) * 100.0, 0), F.lit("%"))


def _dec(value: Column) -> Column:
    """A ratio with one decimal: 6.4."""
    return F.format_number(F.coalesce(value, F.lit(0.0)).cast("double"), 1)


def with_reasons(verdicts: DataFrame, settings: QualitySettings, as_of: dt.date | None, model_version: str) -> DataFrame:
    """Adds ``reasons``: short sentences, with the numbers, that a person can check.

    A bot gets the sentences of every signal that fired (strength >= 0.5); an inactive
    account gets its silence; a genuine account gets the facts that speak for it.
    """
    fired = lambda column: F.col(column) >= F.lit(0.5)  # noqa: E731
    posts = _n(F.col("text_posts"))
    bot_sentences = [
        F.when(fired("sig_repeated_text"), F.concat(_pct(F.col("repeated_text_share")), F.lit(" of its "), posts, F.lit(" posts repeat the same text"))),
        F.when(
            fired("sig_repeated_link"),
            F.concat(_pct(F.col("repeated_link_share")), F.lit(" of its "), posts, F.lit(" posts are the same link ("), F.col("top_link"), F.lit(")")),
        ),
        F.when(fired("sig_hashtag_stuffing"), F.concat(_dec(F.col("hashtags_per_post")), F.lit(" hashtags per post over "), posts, F.lit(" posts"))),
        F.when(fired("sig_mention_spam"), F.concat(_dec(F.col("mentions_per_post")), F.lit(" mentions of other accounts per post over "), posts, F.lit(" posts"))),
        F.when(
            fired("sig_mention_bursts"),
            F.concat(F.lit("mentions other accounts "), _n(F.col("standalone_mentions")), F.lit(" times on "), _n(F.col("active_days")),
                     F.lit(" days and does nothing else")),
        ),
        F.when(
            fired("sig_clockwork"),
            F.concat(_pct(F.col("clockwork_share")), F.lit(" of its "), _n(F.col("reshares")), F.lit(" reshares happen at the same minute of the hour")),
        ),
        F.when(
            fired("sig_target_concentration"),
            F.concat(_pct(F.col("top_reshare_target_share")), F.lit(" of its "), _n(F.col("reshares")), F.lit(" reshares go to one account")),
        ),
        F.when(
            fired("sig_ring_member"),
            F.concat(F.lit("reacts to the same posts as "), _n(F.col("ring_partners")), F.lit(" other accounts ("), _dec(F.col("ring_shared_posts")),
                     F.lit(" posts in common on average); "), _pct(F.col("ring_internal_share")), F.lit(" of its reactions go to that group's posts")),
        ),
        F.when(
            fired("sig_ring_group"),
            F.concat(F.lit("one of a closed group of "), _n(F.col("ring_size")), F.lit(" accounts that react to each other's posts: "),
                     _pct(F.col("ring_group_internal_share")), F.lit(" of the group's reactions stay inside it, "), _pct(F.col("ring_internal_share")),
                     F.lit(" of this account's")),
        ),
        F.when(
            fired("sig_follow_burst"),
            F.concat(F.lit("followed "), _n(F.col("max_follows_per_day")), F.lit(" accounts in one day and never posted")),
        ),
        F.when(
            fired("sig_follower_cohort"),
            F.concat(F.lit("one of "), _n(F.col("follower_cohort")),
                     F.lit(" accounts that never post and began, in the same hour, by following the same account")),
        ),
        F.when(
            fired("model_score"),
            F.concat(F.lit("looks like a bought follower to model "), F.lit(model_version), F.lit(" (probability "),
                     F.format_number(F.col("model_probability"), 2), F.lit(", flags from "), F.format_number(F.col("model_threshold"), 2), F.lit(")")),
        ),
        F.when(
            fired("model_score") & F.col("following_count").isNotNull(),
            F.concat(F.lit("follows "), _n(F.col("following_count")), F.lit(" accounts, followed by "), _n(F.col("followers_count"))),
        ),
        F.when(
            fired("model_score") & F.col("statuses_count").isNotNull(),
            F.concat(F.lit("posted "), _n(F.col("statuses_count")), F.lit(" times since the account was created "),
                     _n(F.col("account_age_days")), F.lit(" days before its last activity")),
        ),
        F.when(fired("model_score") & F.col("default_profile_image"), F.lit("keeps the default profile image")),
    ]
    if as_of is None:
        silence = F.lit(None).cast("string")
    else:
        silence = F.concat(
            F.lit(f"no own activity in the {settings.inactive_days} days before {as_of.isoformat()}"),
            F.coalesce(F.concat(F.lit(" (last active "), F.to_date("last_activity_ts").cast("string"), F.lit(")")), F.lit("")),
        )
    genuine_sentences = [
        F.concat(F.lit("no bot signal (bot score "), F.format_number(F.col("bot_score"), 2), F.lit(")")),
        F.when(
            F.col("actions") > 0,
            F.concat(_counted(F.col("actions"), "action"), F.lit(" on "), _counted(F.col("active_days"), "day")),
        ),
        F.when(
            F.col("engaged_accounts") > 0,
            F.concat(F.lit("engagement spread over "), _counted(F.col("engaged_accounts"), "account"), F.lit(", at most "),
                     _pct(F.col("top_target_share")), F.lit(" to one")),
        ),
    ]
    reasons = (
        F.when(F.col("is_bot"), F.array(*bot_sentences, F.when(F.col("is_inactive"), silence)))
        .when(F.col("is_inactive"), F.array(silence))
        .otherwise(F.array(*genuine_sentences))
    )
    return verdicts.withColumn("reasons", F.filter(reasons, lambda sentence: sentence.isNotNull()))
