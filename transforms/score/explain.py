"""What a score means: the reasons behind it, its rank, and how it moved.

Klout's formula was a secret; here every score carries, in plain words with numbers,
the three things behind it (largest contribution first), and a note when it decays.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F


def _count(column: str) -> Column:
    return F.format_number(F.col(column).cast("double"), 0)


def reach_reason(window_days: int) -> Column:
    """"engaged by 412 distinct genuine people in 90 days"."""
    return F.when(F.col("engagers") == 0, F.lit(f"no genuine engagement in {window_days} days")).otherwise(
        F.concat(F.lit("engaged by "), _count("engagers"), F.lit(" distinct genuine "),
                 F.when(F.col("engagers") == 1, F.lit("person")).otherwise(F.lit("people")), F.lit(f" in {window_days} days"))
    )


def amplification_reason(window_days: int) -> Column:
    """"2.4 genuine reactions per post over 31 posts (45% drew a reshare, quote or reply)"."""
    deeper = F.coalesce(F.col("hop_2"), F.lit(0)) + F.coalesce(F.col("hop_3"), F.lit(0))
    people = F.when(deeper == 1, F.lit(" more person")).otherwise(F.lit(" more people"))
    hops = F.when(deeper > 0, F.concat(F.lit("; "), F.format_number(deeper.cast("double"), 0), people, F.lit(" at the 2nd and 3rd hop of reshares")))
    per_post = F.concat(
        F.format_string("%.1f", F.col("reactions_per_post")), F.lit(" genuine reactions per post over "), _count("posts"),
        F.when(F.col("posts") == 1, F.lit(" post")).otherwise(F.lit(" posts")),
        F.lit(" ("), F.format_string("%.0f", F.col("reacted_posts_share") * 100.0), F.lit("% drew a reshare, quote or reply)"),
    )
    return F.concat(
        F.when(F.col("posts") == 0, F.lit(f"no posts of their own in {window_days} days")).otherwise(per_post),
        F.coalesce(hops, F.lit("")),
    )


def influence_reason(influential_mass: float) -> Column:
    """"engaged by 3 highly influential persons (influence mass 20+)", or how the person's
    network influence compares with the average person's."""
    bar = f" (influence mass {influential_mass:g}+)"
    return F.when(
        F.col("influential_engagers") > 0,
        F.concat(F.lit("engaged by "), _count("influential_engagers"),
                 F.when(F.col("influential_engagers") == 1, F.lit(" highly influential person")).otherwise(F.lit(" highly influential persons")),
                 F.lit(bar)),
    ).otherwise(F.concat(F.lit("network influence "), F.format_string("%.1f", F.col("influence_vs_average")), F.lit(" times the average person's")))


def decay_reason(window_days: int) -> Column:
    """A note when the score decays: "quiet for 34 days: 61% of its active level"."""
    return (
        F.when(F.col("quiet_days").isNull(), F.lit(f"no activity in {window_days} days: at the floor"))
        .when(F.col("decay") < 1.0, F.concat(F.lit("quiet for "), F.col("quiet_days").cast("string"),
                                             F.lit(" days: "), F.format_string("%.0f", F.col("decay") * 100.0), F.lit("% of its active level")))
    )


def with_reasons(scores: DataFrame, window_days: int, influential_mass: float) -> DataFrame:
    """Adds ``reasons``: the three components' reasons, largest contribution first, then
    the decay note if the score decays.

    Args:
        scores: From :func:`transforms.score.score.clout_scores`.
        window_days: The metrics' window.
        influential_mass: The influence mass from which an engager is influential (in the reason).
    """
    parts = F.array(
        F.struct(F.col("reach_points").alias("points"), F.lit(3).alias("order"), reach_reason(window_days).alias("text")),
        F.struct(F.col("amplification_points").alias("points"), F.lit(2).alias("order"), amplification_reason(window_days).alias("text")),
        F.struct(F.col("influence_points").alias("points"), F.lit(1).alias("order"), influence_reason(influential_mass).alias("text")),
    )
    # Sorted by points, then reach before amplification before influence on a tie.
    ranked = F.transform(F.sort_array(parts, asc=False), lambda part: part["text"])
    return scores.withColumn("reasons", F.filter(F.concat(ranked, F.array(decay_reason(window_days))), lambda r: r.isNotNull()))


def with_rank(scores: DataFrame, column: str = "score", by: tuple[str, ...] = ()) -> DataFrame:
    """Adds ``rank``: 1 + the number of rows (of the same ``by`` values) with a higher
    ``column`` (ties share a rank).

    Made for a column of few distinct values (the score, one decimal from 1 to 100, has at
    most 991): rows are counted per value, each value's rank comes from the counts of the
    values above it, and the small table of ranks is broadcast back. Exact, and no task
    sorts every row.
    """
    counts = scores.groupBy(*by, F.col(column).alias("_value")).agg(F.count("*").alias("_rows"))
    above = Window.partitionBy(*by).orderBy(F.desc("_value")).rowsBetween(Window.unboundedPreceding, -1)
    ranks = counts.select(*by, "_value", (F.lit(1) + F.coalesce(F.sum("_rows").over(above), F.lit(0))).cast("long").alias("rank"))
    condition = F.col(column).eqNullSafe(F.col("_value"))
    if by:
        ranks = ranks.select(*[F.col(c).alias(f"_by_{c}") for c in by], "_value", "rank")
        for c in by:
            condition = condition & (F.col(c) == F.col(f"_by_{c}"))
    return scores.join(F.broadcast(ranks), condition, "left").drop("_value", *[f"_by_{c}" for c in by])


def with_changes(scores: DataFrame, history: DataFrame, days: tuple[int, ...] = (1, 7)) -> DataFrame:
    """Adds ``score_change_<n>d``: the score minus the person's score ``n`` days before
    (null when the person had no score then).

    Args:
        scores: One date's scores, with ``score_date``.
        history: Earlier ``gold/scores`` rows (``person_id, score_date, score``).
        days: The look-backs.
    """
    changed = scores
    for n in days:
        before = history.select("person_id", F.date_add("score_date", n).alias("score_date"), F.col("score").alias(f"_score_{n}d"))
        changed = changed.join(before, ["person_id", "score_date"], "left").withColumn(
            f"score_change_{n}d", F.round(F.col("score") - F.col(f"_score_{n}d"), 1)
        ).drop(f"_score_{n}d")
    return changed
