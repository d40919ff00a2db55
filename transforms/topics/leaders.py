"""Opinion leaders: the persons with the highest topic scores of a topic, with the numbers
a campaign manager picks them by (Clout score, reach, platforms)."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from transforms.score.explain import with_rank

LEADER_COLUMNS = (
    "topic", "leader_rank", "person_id", "topic_score", "score", "reach", "genuine_engagers", "evidence_posts",
    "evidence_days", "platforms", "topic_path", "evidence",
)


def topic_leaders(
    topic_scores: DataFrame,
    scores: DataFrame,
    metrics: DataFrame,
    top: int,
    min_score: float | None = None,
    platform: str | None = None,
) -> DataFrame:
    """The ``top`` leaders of every topic in ``topic_scores``, ranked 1..top.

    Leaders are ranked by topic score, then Clout score, then person id, so ranks are
    unique and a rerun ranks alike. Filters apply before ranking: the top 10 with a score
    of at least 40 are ten persons, not the few of the top 10 who reach 40.

    Args:
        topic_scores: ``gold/topic_scores`` rows of one date.
        scores: ``gold/scores`` rows of the date (``person_id, score, platforms``).
        metrics: ``gold/person_metrics`` rows of the date (``person_id, engagers``).
        top: Leaders kept per topic.
        min_score: Least Clout score of a leader (None: any).
        platform: Only persons with an account on this platform (None: any).

    Returns:
        :data:`LEADER_COLUMNS`; ``reach`` is the person's distinct genuine engagers on any
        topic, ``genuine_engagers`` those of the topical posts.
    """
    candidates = (
        topic_scores.join(scores.select("person_id", "score", "platforms"), "person_id")
        .join(metrics.select("person_id", F.col("engagers").alias("reach")), "person_id", "left")
    )
    if min_score is not None:
        candidates = candidates.where(F.col("score") >= F.lit(float(min_score)))
    if platform is not None:
        candidates = candidates.where(F.array_contains("platforms", platform))
    # Ranks by value first bound what the window below sorts: ties at the cut at most.
    near_top = with_rank(candidates.drop("rank_in_topic"), "topic_score", by=("topic",)).where(F.col("rank") <= top)
    order = Window.partitionBy("topic").orderBy(F.desc("topic_score"), F.desc("score"), F.asc("person_id"))
    return near_top.withColumn("leader_rank", F.row_number().over(order)).where(F.col("leader_rank") <= top).select(*LEADER_COLUMNS)
