"""Topics stage: topic scores per person and the opinion leaders of every topic.

Runnable on its own (``python -m jobs.topics --warehouse DIR --date D`` or ``--from D1
--to D2``; ``spark-submit jobs/topics.py ...``) and as the ``topics`` stage of
``jobs.pipeline``, after ``score`` (it reads the date's verdicts, ``gold/person_metrics``
and ``gold/scores``). Writes ``gold/topic_scores`` and ``gold/topic_leaders``, partitioned
by ``score_date`` and, inside a date, range-partitioned by topic (a query for one date and
topic reads one file of each); re-running a date replaces it atomically. How posts get
topics and persons topic scores: :mod:`transforms.topics`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import run_dated_stage  # noqa: E402
from jobs.common.config import CloutConfig, load_ontology  # noqa: E402
from jobs.common.delta import Warehouse, table_exists, write_date  # noqa: E402
from jobs.common.persons import person_rows  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from transforms.metrics.engagement import genuine_engagements  # noqa: E402
from transforms.metrics.person_metrics import person_of_account  # noqa: E402
from transforms.quality.features import events_in_window  # noqa: E402
from transforms.topics.assign import post_topics  # noqa: E402
from transforms.topics.ontology import Ontology  # noqa: E402
from transforms.topics.leaders import topic_leaders  # noqa: E402
from transforms.topics.scores import audience_sizes, topic_scores, topical_engagements, topical_posts  # noqa: E402

TABLE = "gold/topic_scores"
LEADERS_TABLE = "gold/topic_leaders"
METRICS_TABLE = "gold/person_metrics"
SCORES_TABLE = "gold/scores"
QUALITY_TABLE = "silver/account_quality"
COMMENT = (
    "Clout topic scores: one row per person, topic and score_date, only where the person's posts on the topic drew "
    "genuine engagement on several days (see the evidence columns). topic_score (1-100) measures that engagement and "
    "who gave it, not how often the person posts on the topic."
)
COLUMN_COMMENTS = {
    "person_id": "Person (all linked accounts together)",
    "topic": "Topic name of the ontology (conf/topics), e.g. football",
    "topic_path": "The topic with the topics above it, e.g. sports > football",
    "topic_score": "Influence on the topic, 1-100 (log scale, fixed top): genuine engagers of the topical posts, weighted by their influence, times (0.5 + 0.5 engaged_posts_share) and focus",
    "rank_in_topic": "1 + persons of the date with a higher topic_score on the topic (ties share a rank)",
    "evidence_posts": "Topical posts in the window that drew genuine engagement",
    "evidence_days": "Distinct days of those posts",
    "genuine_engagers": "Distinct genuine persons who engaged the topical posts",
    "topical_posts": "Posts, quotes and replies on the topic in the window, engaged or not",
    "engaged_posts_share": "evidence_posts / topical_posts",
    "focus": "genuine_engagers / distinct genuine engagers of any of the person's posts: how much the person is followed for the topic",
    "weighted_engagers": "Decayed genuine engagers of the topical posts, each weighted 1 + ln(their influence mass)",
    "evidence": "The evidence in words",
    "score_date": "Day the topic scores describe (the window ends with it)",
}
LEADERS_COMMENT = (
    "Clout opinion leaders: the best persons per topic and score_date by topic score (then Clout score), with what a "
    "campaign picks them by. python -m jobs.find_leaders prints them; python -m jobs.plan_campaign picks a set with "
    "the least overlapping audiences."
)
LEADERS_COLUMN_COMMENTS = {
    "topic": "Topic name of the ontology",
    "leader_rank": "1 for the topic's best person on the date (unique per topic)",
    "person_id": "Person (all linked accounts together)",
    "topic_score": "The person's topic score (gold/topic_scores)",
    "score": "The person's Clout score (gold/scores)",
    "reach": "Distinct genuine persons who engaged the person in the window, on any topic",
    "genuine_engagers": "Distinct genuine persons who engaged the person's posts on the topic",
    "evidence_posts": "Topical posts that drew genuine engagement",
    "evidence_days": "Distinct days of those posts",
    "platforms": "Platforms of the person's accounts that are not bots",
    "topic_path": "The topic with the topics above it",
    "evidence": "The evidence in words",
    "score_date": "Day the leaders describe",
}


def read_date(spark: SparkSession, warehouse: Warehouse, table: str, score_date: dt.date) -> DataFrame:
    """One ``score_date`` of a table."""
    return spark.read.format("delta").load(warehouse.path(table)).where(F.col("score_date") == F.lit(score_date))


def topical_activity(
    spark: SparkSession,
    config: CloutConfig,
    warehouse: Warehouse,
    score_date: dt.date,
    ontology: Ontology,
    persons: DataFrame | None = None,
) -> tuple[DataFrame, DataFrame, DataFrame]:
    """The topical posts of the date's scored persons in the topic window (``[topics]
    window_days``, longer than the score's: what a person knows about moves slower than
    how much they are heard) and their genuine engagements.

    Args:
        persons: ``person_id`` of the only persons wanted (a campaign's candidates); None: all.

    Returns:
        ``(posts, engaged, audiences)`` from :func:`transforms.topics.scores.topical_posts`,
        :func:`~transforms.topics.scores.topical_engagements` and
        :func:`~transforms.topics.scores.audience_sizes`.
    """
    topics = config.topics
    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    accounts = person_rows(spark, config, warehouse, "silver/accounts")
    verdicts = person_rows(spark, config, warehouse, QUALITY_TABLE).where(F.col("score_date") == F.lit(score_date))
    scored = read_date(spark, warehouse, METRICS_TABLE, score_date).select("person_id")
    if persons is not None:
        scored = scored.join(persons.select("person_id"), "person_id", "left_semi")
    # Bots write no topical evidence, even on a person who also has a genuine account.
    authors = (
        verdicts.where(~F.col("is_bot"))
        .select("platform", F.col("account_id").alias("actor_account_id"), person_of_account().alias("person_id"))
        .join(scored, "person_id", "left_semi")
    )
    window = events_in_window(events, score_date, topics.window_days)
    if persons is not None:
        window = window.join(authors.select("platform", "actor_account_id"), ["platform", "actor_account_id"], "left_semi")
    matched = post_topics(
        window, ontology.terms_frame(spark), ontology.ancestors_frame(spark).select("topic", "ancestor"),
        topics.min_keywords, ontology.max_words, ontology.max_han_chars, dict(topics.language_aliases),
    )
    posts = topical_posts(matched, authors).localCheckpoint(eager=True)  # read by the counts and the engagement join
    # Read by the topical engagements and by the audience sizes: computed once.
    engagements = genuine_engagements(events, accounts, verdicts, score_date, topics.window_days, topics.half_life_days).localCheckpoint(eager=True)
    return posts, topical_engagements(posts, engagements), audience_sizes(engagements)


def clustered_by_topic(rows: DataFrame, files: int, *order: str) -> DataFrame:
    """Rows in ``files`` range partitions of topic, sorted: each topic in one file, whose
    min/max statistics let a query for one topic skip every other file."""
    return rows.repartitionByRange(files, "topic").sortWithinPartitions("topic", *order)


def compute_topic_scores(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, ontology: Ontology) -> DataFrame:
    """The topic scores of one date (not written)."""
    posts, engaged, audiences = topical_activity(spark, config, warehouse, score_date, ontology)
    mass = read_date(spark, warehouse, METRICS_TABLE, score_date).select("person_id", "influence_mass")
    paths = ontology.ancestors_frame(spark).where(F.col("topic") == F.col("ancestor")).select("topic", "topic_path")
    scores = topic_scores(posts, engaged, audiences, mass, paths, config.topics).withColumn("score_date", F.lit(score_date))
    return clustered_by_topic(scores, config.topics.files_per_date, "rank_in_topic", "person_id")


def compute_leaders(spark: SparkSession, warehouse: Warehouse, score_date: dt.date, top: int, min_score: float | None = None,
                    platform: str | None = None, topic: str | None = None) -> DataFrame:
    """The leaders of a date from its written topic scores, Clout scores and metrics (not written)."""
    scores = read_date(spark, warehouse, TABLE, score_date)
    if topic is not None:
        scores = scores.where(F.col("topic") == topic)
    return topic_leaders(
        scores, read_date(spark, warehouse, SCORES_TABLE, score_date), read_date(spark, warehouse, METRICS_TABLE, score_date),
        top, min_score, platform,
    )


def topics_outcome(written: DataFrame, leaders: DataFrame, ontology: Ontology | None) -> dict[str, Any]:
    """What a date's topic scores hold: persons with topics, topics per person, topics with leaders."""
    per_person = written.groupBy("person_id").agg(F.count("*").alias("topics"))
    row = per_person.agg(
        F.count("*").alias("persons"),
        F.avg("topics").alias("mean"),
        F.percentile_approx("topics", [0.5, 0.9, 0.99], 10_000).alias("spread"),
        F.max("topics").alias("most"),
    ).first()
    return {
        "persons_with_topics": row["persons"],
        "topics_per_person": {
            "mean": round(row["mean"] or 0.0, 2),
            **dict(zip(("p50", "p90", "p99"), row["spread"] or [])),
            "max": row["most"],
        },
        "topics_with_leaders": leaders.select("topic").distinct().count(),
        "ontology_topics": len(ontology.topics) if ontology else None,
    }


def run_topics(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date) -> dict[str, Any]:
    """Writes one date's topic scores and leaders (replacing that date) and returns what it wrote.

    Raises:
        RuntimeError: If the score stage has not written ``gold/scores`` yet.
    """
    for needed in (METRICS_TABLE, SCORES_TABLE):
        if not table_exists(spark, warehouse.path(needed)):
            raise RuntimeError(f"no {needed} in {warehouse.root}: run the metrics and score stages for {score_date} first")
    ontology = load_ontology(config.topics)
    settings = config.topics
    scored = write_date(spark, warehouse, TABLE, compute_topic_scores(spark, config, warehouse, score_date, ontology), score_date, COMMENT, COLUMN_COMMENTS)
    leaders = compute_leaders(spark, warehouse, score_date, settings.leaders_per_topic).withColumn("score_date", F.lit(score_date))
    led = write_date(spark, warehouse, LEADERS_TABLE, clustered_by_topic(leaders, settings.files_per_date, "leader_rank"), score_date,
                     LEADERS_COMMENT, LEADERS_COLUMN_COMMENTS)
    outcome = topics_outcome(read_date(spark, warehouse, TABLE, score_date), read_date(spark, warehouse, LEADERS_TABLE, score_date), ontology)
    return {"score_date": score_date.isoformat(), "rows_out": {TABLE: scored, LEADERS_TABLE: led}, "empty": scored == 0, **outcome}


def topics_text(outcome: dict[str, Any]) -> str:
    """One date's topics run for people."""
    if outcome["empty"]:
        return f"topic scores {outcome['score_date']}: no person has evidence on any topic; wrote empty partitions"
    spread = outcome["topics_per_person"]
    return (
        f"topic scores {outcome['score_date']}: {outcome['rows_out'][TABLE]:,} person-topics for {outcome['persons_with_topics']:,} persons "
        f"(topics per person: mean {spread['mean']}, median {spread['p50']}, p90 {spread['p90']}, max {spread['max']}); "
        f"leaders for {outcome['topics_with_leaders']} of {outcome['ontology_topics']} topics"
    )


def topics_stage(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, log: RunLog) -> dict[str, Any]:
    """The topics stage as a run logs it."""
    with log.stage("topics") as stage:
        stage.outcome = run_topics(spark, config, warehouse, score_date)
        log.text(lambda: topics_text(stage.outcome))
    return stage.outcome


def main(argv: list[str] | None = None) -> None:
    run_dated_stage(argv, "jobs.topics", "Topic scores per person and the opinion leaders of every topic.", topics_stage)


if __name__ == "__main__":
    main()


# -- shared by the leader tools (jobs.find_leaders, jobs.plan_campaign) and the pipeline's ending


class UnknownTopic(ValueError):
    """A topic the ontology does not have; the message names the closest ones."""


def resolve_topic(ontology: Ontology, text: str) -> str:
    """The topic meant by a name or path.

    Raises:
        UnknownTopic: With the closest topic names, if there is no such topic.
    """
    topic = ontology.resolve(text)
    if topic is None:
        close = ontology.closest(text)
        hint = f"; closest: {', '.join(close)}" if close else f"; topics include: {', '.join(ontology.names[:8])}, ..."
        raise UnknownTopic(f"unknown topic {text!r}{hint}")
    return topic


def latest_date(spark: SparkSession, warehouse: Warehouse, table: str = LEADERS_TABLE) -> dt.date:
    """The last ``score_date`` a table holds (one aggregate over partition values).

    Raises:
        RuntimeError: If the table does not exist or is empty.
    """
    if not table_exists(spark, warehouse.path(table)):
        raise RuntimeError(f"no {table} in {warehouse.root}: run the topics stage first (jobs.pipeline or jobs.topics)")
    latest = spark.read.format("delta").load(warehouse.path(table)).agg(F.max("score_date")).first()[0]
    if latest is None:
        raise RuntimeError(f"{table} in {warehouse.root} is empty: run the topics stage for a date first")
    return latest


def leaders_of(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, topic: str, top: int,
               min_score: float | None = None, platform: str | None = None) -> DataFrame:
    """The ``top`` leaders of a topic: from ``gold/topic_leaders`` when it holds the answer
    (no filter, ``top`` within what it keeps), else ranked again from ``gold/topic_scores``."""
    if min_score is None and platform is None and top <= config.topics.leaders_per_topic:
        return read_date(spark, warehouse, LEADERS_TABLE, score_date).where((F.col("topic") == topic) & (F.col("leader_rank") <= top))
    return compute_leaders(spark, warehouse, score_date, top, min_score, platform, topic)
