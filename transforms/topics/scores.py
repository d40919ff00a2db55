"""Topic scores: how influential a person is on a topic, and the evidence for it.

A person gets a topic only with evidence: topical posts that drew genuine engagement, on
at least ``min_evidence_days`` distinct days, at least ``min_evidence_posts`` of them,
from at least ``min_genuine_engagers`` distinct genuine persons. One post about birds
makes nobody an expert on birds.

The topic score measures influence within the topic, never how often the person says the
word:

- each distinct genuine person who engaged the person's topical posts counts once, with
  the decay of their latest engagement (as true reach does), weighted by who they are:
  ``1 + ln(influence mass)``, so an engager whom many others engage counts more;
- that sum is multiplied by ``0.5 + 0.5 * engaged share`` (the share of the person's
  topical posts that drew any genuine engagement): posting on a topic to nobody lowers
  the score instead of raising it;
- and by ``focus``, the share of the person's genuine engagers (on any post) who engaged
  their posts on the topic: a voice people follow for the topic leads it, more than one
  whom many follow for everything else and who also touches on it (700 people who come
  for someone's space posts outweigh 1,100 of a generalist's 2,200);
- the result is log-scaled to 1-100 with a fixed top (``topic_full``), so a topic score,
  like the Clout score, does not move when unrelated people join.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from transforms.score.explain import with_rank


@dataclass(frozen=True)
class TopicSettings:
    """How posts get topics and persons get topic scores, leaders and campaigns.

    Attributes:
        ontology: Folder (or file) of the topic ontology, relative to the project root.
        languages: Languages every topic has terms in.
        language_aliases: Platform language codes that mean an ontology language.
        window_days: Days of posts and engagement up to the score date that are evidence.
        half_life_days: Age in days at which an engagement counts half.
        min_keywords: Distinct keywords of a topic that give a post the topic without a hashtag.
        min_evidence_posts: Engaged topical posts a person needs for the topic.
        min_evidence_days: Distinct days of those posts.
        min_genuine_engagers: Distinct genuine persons who engaged them.
        topic_full: Weighted engagers at which a topic score is 100 (log scale).
        leaders_per_topic: Persons kept per topic and date in ``gold/topic_leaders``.
        campaign_pool: Leaders of a topic the campaign planner chooses from.
        files_per_date: Files each date of ``gold/topic_scores`` is written in, range-partitioned
            by topic so a query for one topic reads one of them.
        demo_topics: Topics whose leaders a pipeline run prints at its end.
        demo_leaders: Leaders it prints per topic.
        demo_campaign: ``[topic, budget]`` of the campaign a pipeline run plans at its end
            (empty: none).
    """

    ontology: str = "conf/topics"
    languages: tuple[str, ...] = ("en", "fr", "fi", "no", "zh")
    language_aliases: dict[str, str] = field(default_factory=lambda: {"nb": "no", "nn": "no"})
    window_days: int = 180
    half_life_days: float = 60.0
    min_keywords: int = 2
    min_evidence_posts: int = 3
    min_evidence_days: int = 3
    min_genuine_engagers: int = 3
    topic_full: float = 20_000.0
    leaders_per_topic: int = 20
    campaign_pool: int = 50
    files_per_date: int = 4
    demo_topics: tuple[str, ...] = ()
    demo_leaders: int = 5
    demo_campaign: tuple = ()

    def __post_init__(self) -> None:
        minimums = (self.min_keywords, self.min_evidence_posts, self.min_evidence_days, self.min_genuine_engagers)
        if min(minimums) < 1:
            raise ValueError(f"min_keywords and the evidence minimums must be at least 1, got {minimums}")
        if self.window_days < 1 or self.half_life_days <= 0:
            raise ValueError("window_days must be at least 1 and half_life_days positive")
        if self.topic_full <= 0 or self.leaders_per_topic < 1 or self.campaign_pool < 1 or self.files_per_date < 1:
            raise ValueError("topic_full must be positive; leaders_per_topic, campaign_pool and files_per_date at least 1")
        if self.demo_campaign and (len(self.demo_campaign) != 2 or not isinstance(self.demo_campaign[1], int)):
            raise ValueError(f"demo_campaign must be [topic, budget], got {list(self.demo_campaign)}")


def topical_posts(post_topics: DataFrame, authors: DataFrame) -> DataFrame:
    """Topical posts of scored persons.

    Args:
        post_topics: From :func:`transforms.topics.assign.post_topics`.
        authors: ``platform, actor_account_id, person_id`` of the accounts whose posts count
            (genuine accounts of scored persons).

    Returns:
        ``person_id, topic, platform, post_id, event_date``.
    """
    return post_topics.join(authors, ["platform", "actor_account_id"]).select("person_id", "topic", "platform", "post_id", "event_date")


def topical_engagements(posts: DataFrame, engagements: DataFrame) -> DataFrame:
    """Genuine engagements of topical posts.

    Args:
        posts: From :func:`topical_posts`.
        engagements: From :func:`transforms.metrics.engagement.genuine_engagements`.

    Returns:
        ``person_id, topic, platform, post_id, event_date, engager_person_id, decay``
        (``event_date`` is the post's day).
    """
    engaged = engagements.select("platform", F.col("post_key").alias("post_id"), "engager_person_id", "decay")
    return posts.join(engaged, ["platform", "post_id"]).where(F.col("engager_person_id") != F.col("person_id"))


def _evidence(column: str, singular: str, plural: str) -> Column:
    return F.concat(F.col(column).cast("string"), F.when(F.col(column) == 1, F.lit(singular)).otherwise(F.lit(plural)))


def evidence_text() -> Column:
    """"14 genuine people engaged 9 of 12 posts on ai, on 7 days"."""
    return F.concat(
        _evidence("genuine_engagers", " genuine person engaged ", " genuine people engaged "),
        F.col("evidence_posts").cast("string"), F.lit(" of "),
        _evidence("topical_posts", " post on ", " posts on "), F.col("topic"),
        F.lit(", on "), _evidence("evidence_days", " day", " days"),
    )


def audience_sizes(engagements: DataFrame) -> DataFrame:
    """``person_id, audience``: distinct genuine engagers of each person's posts, any topic or none.

    Args:
        engagements: From :func:`transforms.metrics.engagement.genuine_engagements`.
    """
    return engagements.groupBy(F.col("author_person_id").alias("person_id")).agg(F.countDistinct("engager_person_id").alias("audience"))


def topic_scores(posts: DataFrame, engaged: DataFrame, audiences: DataFrame, engager_mass: DataFrame, paths: DataFrame,
                 settings: TopicSettings) -> DataFrame:
    """The topic scores of one date: a row per person and topic with enough evidence.

    Args:
        posts: From :func:`topical_posts` (the window's topical posts).
        engaged: From :func:`topical_engagements`.
        audiences: From :func:`audience_sizes` (same window).
        engager_mass: ``person_id, influence_mass`` of the date's persons (``gold/person_metrics``).
        paths: ``topic, topic_path``.
        settings: Topic settings.

    Returns:
        ``person_id, topic, topic_path, topic_score, rank_in_topic, evidence_posts,
        evidence_days, genuine_engagers, topical_posts, engaged_posts_share,
        weighted_engagers, evidence``.
    """
    written = posts.groupBy("person_id", "topic").agg(F.countDistinct("platform", "post_id").alias("topical_posts"))
    evidence = engaged.groupBy("person_id", "topic").agg(
        F.countDistinct("platform", "post_id").alias("evidence_posts"),
        F.countDistinct("event_date").alias("evidence_days"),
    )
    mass = engager_mass.select(F.col("person_id").alias("engager_person_id"), "influence_mass")
    weight = F.lit(1.0) + F.log(F.greatest(F.coalesce(F.col("influence_mass"), F.lit(1.0)), F.lit(1.0)))
    audience = (
        engaged.groupBy("person_id", "topic", "engager_person_id").agg(F.max("decay").alias("decay"))
        .join(mass, "engager_person_id", "left")
        .groupBy("person_id", "topic")
        .agg(F.count("*").alias("genuine_engagers"), F.sum(F.col("decay") * weight).alias("weighted_engagers"))
    )
    share = F.least(F.col("evidence_posts") / F.col("topical_posts"), F.lit(1.0))
    focus = F.least(F.coalesce(F.try_divide(F.col("genuine_engagers"), F.col("audience")), F.lit(1.0)), F.lit(1.0))
    raw = F.col("weighted_engagers") * (F.lit(0.5) + F.lit(0.5) * F.col("engaged_posts_share")) * F.col("focus")
    scaled = F.least(F.log1p(raw) / F.lit(math.log1p(settings.topic_full)), F.lit(1.0))
    scored = (
        evidence.join(audience, ["person_id", "topic"])
        .join(written, ["person_id", "topic"])
        .where(
            (F.col("evidence_posts") >= settings.min_evidence_posts)
            & (F.col("evidence_days") >= settings.min_evidence_days)
            & (F.col("genuine_engagers") >= settings.min_genuine_engagers)
        )
        .join(audiences, "person_id", "left")
        .withColumn("engaged_posts_share", F.round(share, 4))
        .withColumn("focus", F.round(focus, 4))
        .withColumn("topic_score", F.round(F.lit(1.0) + F.lit(99.0) * scaled, 1))
        .withColumn("weighted_engagers", F.round("weighted_engagers", 3))
        .withColumn("evidence", evidence_text())
        .join(F.broadcast(paths), "topic")
    )
    return with_rank(scored, "topic_score", by=("topic",)).withColumnRenamed("rank", "rank_in_topic").select(
        "person_id", "topic", "topic_path", "topic_score", "rank_in_topic", "evidence_posts", "evidence_days",
        "genuine_engagers", "topical_posts", "engaged_posts_share", "focus", "weighted_engagers", "evidence",
    )
