"""Backtest of the Clout score: does the score of a day rank persons by who engages them next?

A person's future is the number of distinct genuine persons who engage them in the
``horizon_days`` after the score date (the days ``D+1 .. D+horizon``), judged by the
verdicts of the score date: what a user of the score wants to know on ``D`` is who will
draw real people next. Beside the score stand three simple rankings a person could make
on ``D`` without Clout:

- ``past_engagers``: distinct genuine persons who engaged them in the metrics window up
  to ``D`` (the ``engagers`` column of ``gold/person_metrics``);
- ``past_engagements``: every engagement event they received in the same window, bots
  and their own accounts included, as a naive tool counts;
- ``followers``: the largest ``followers_count`` among their accounts, where a source
  carries one (persons with no known count have none and are left out of its figures).

Each ranking gets Spearman's rank correlation with the future over the persons scored on
``D`` (ties take average ranks) and the overlap of its top ``k`` with the future's top
``k`` (ties broken by ``person_id``). Everything here is lazy: the figures come as one
row, computed by the single action that reads it.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from transforms.metrics.engagement import genuine_engagements
from transforms.metrics.person_metrics import person_of_account
from transforms.quality.features import ENGAGEMENT_TYPES, events_in_window

FUTURE = "future_engagers"
# The rankings compared with the future, in the order they are reported.
RANKINGS = ("score", "past_engagers", "past_engagements", "followers")
# Rankings every scored person has a value of; followers are known for some persons only.
COMPLETE_RANKINGS = ("score", "past_engagers", "past_engagements")
TOP_K = 100
# Buckets of distinct values over which average ranks are summed up (see average_ranks).
RANK_BUCKETS = 1000
# Groups of persons whose spread gives the standard error of a Spearman gap (see spearman_gap_error).
GAP_FOLDS = 20


def future_engagers(events: DataFrame, accounts: DataFrame, verdicts: DataFrame, score_date: dt.date, horizon_days: int) -> DataFrame:
    """Distinct genuine persons who engage each person in the days after the score date.

    The window is ``score_date + 1 .. score_date + horizon_days``, both included: it is
    :func:`transforms.metrics.engagement.genuine_engagements`' window ending on
    ``score_date + horizon_days`` and ``horizon_days`` long, which keeps event dates after
    ``as_of - window_days`` (``score_date`` itself is out).

    Args:
        events: ``silver/events``.
        accounts: ``silver/accounts``.
        verdicts: ``silver/account_quality`` rows of the score date: engagers are judged as
            they stood on it (accounts first judged later do not count).
        score_date: Day of the scores.
        horizon_days: Days after it that count.

    Returns:
        ``person_id, future_engagers``, for persons someone engaged.
    """
    engagements = genuine_engagements(events, accounts, verdicts, score_date + dt.timedelta(days=horizon_days), horizon_days, 1.0)
    return (
        engagements.select("author_person_id", "engager_person_id")
        .distinct()
        .groupBy(F.col("author_person_id").alias("person_id"))
        .agg(F.count("*").alias(FUTURE))
    )


def engagement_counts(events: DataFrame, accounts: DataFrame, as_of: dt.date, window_days: int) -> DataFrame:
    """Every engagement event each person received in the window, whoever sent it.

    Args:
        events: ``silver/events``.
        accounts: ``silver/accounts`` (targets map to persons through ``person_id``).
        as_of: Last day of the window.
        window_days: Days of the window (the metrics window).

    Returns:
        ``person_id, past_engagements``, for persons who received any.
    """
    targets = accounts.select("platform", F.col("account_id").alias("target_account_id"), "person_id")
    return (
        events_in_window(events, as_of, window_days)
        .where(F.col("event_type").isin(*ENGAGEMENT_TYPES) & F.col("target_account_id").isNotNull())
        .select("platform", "target_account_id")
        .join(targets, ["platform", "target_account_id"], "left")
        .groupBy(person_of_account(account="target_account_id").alias("person_id"))
        .agg(F.count("*").alias("past_engagements"))
    )


def known_followers(accounts: DataFrame) -> DataFrame:
    """``person_id, followers``: the largest known ``followers_count`` of each person's
    accounts, for persons with at least one account that has one."""
    return (
        accounts.where(F.col("followers_count").isNotNull())
        .groupBy(person_of_account().alias("person_id"))
        .agg(F.max("followers_count").alias("followers"))
    )


def backtest_persons(
    scores: DataFrame,
    person_metrics: DataFrame,
    events: DataFrame,
    accounts: DataFrame,
    verdicts: DataFrame,
    score_date: dt.date,
    horizon_days: int,
    window_days: int,
) -> DataFrame:
    """Every person scored on the date, with the future and the rankings to compare.

    Args:
        scores: ``gold/scores`` (``person_id, score, score_date``; one row per person and date).
        person_metrics: ``gold/person_metrics``.
        events: ``silver/events``.
        accounts: ``silver/accounts``.
        verdicts: ``silver/account_quality``.
        score_date: Day of the scores; rows of other dates are not read.
        horizon_days: Days after the score date whose engagers are the future.
        window_days: Days of the past window up to the score date (``[metrics] window_days``,
            the window of ``engagers``).

    Returns:
        ``person_id, score, future_engagers, past_engagers, past_engagements`` (doubles;
        0 for nobody) and ``followers`` (double; null where no count is known).
    """
    on_date = F.col("score_date") == F.lit(score_date)
    scored = scores.where(on_date & F.col("score").isNotNull()).select("person_id", "score")
    past = person_metrics.where(on_date).select("person_id", "engagers")
    future = future_engagers(events, accounts, verdicts.where(on_date), score_date, horizon_days)
    counts = engagement_counts(events, accounts, score_date, window_days)
    return (
        scored.join(future, "person_id", "left")
        .join(past, "person_id", "left")
        .join(counts, "person_id", "left")
        .join(known_followers(accounts), "person_id", "left")
        .select(
            "person_id",
            F.col("score").cast("double").alias("score"),
            F.coalesce(F.col(FUTURE), F.lit(0)).cast("double").alias(FUTURE),
            F.coalesce(F.col("engagers"), F.lit(0)).cast("double").alias("past_engagers"),
            F.coalesce(F.col("past_engagements"), F.lit(0)).cast("double").alias("past_engagements"),
            F.col("followers").cast("double").alias("followers"),
        )
    )


def average_ranks(frame: DataFrame, columns: Sequence[str], buckets: int = RANK_BUCKETS, accuracy: int = 10_000) -> DataFrame:
    """The rank of every distinct value of each column, tied values sharing their average rank.

    A value's rank is the rows below it plus ``(ties + 1) / 2``. The rows below come from
    a running sum over the distinct values of the column, split into ``buckets`` ranges by
    ``percentile_approx`` cut points: each range is summed in its own window partition
    and offset by the totals of the ranges before it (at most ``buckets`` rows per column).
    No partition holds every value, and a value shared by millions of rows is one row
    here (``pyspark.ml.stat.Correlation``'s Spearman averages ties only in runs of up to
    10 million rows, and sorts every tied row into one partition). All columns are ranked
    together, in one pass over the rows.

    Args:
        frame: Rows to rank.
        columns: Numeric columns; nulls are not ranked.
        buckets: Ranges the distinct values of a column are split into (1: one window).
        accuracy: ``percentile_approx`` accuracy of the cut points.

    Returns:
        ``column, value, rank`` (value and rank doubles; rank 1 for a column's smallest
        value), one row per column and distinct value.
    """
    return _ranks(_cells(frame, columns), buckets, accuracy)


def _cells(frame: DataFrame, columns: Sequence[str], row: str | None = None) -> DataFrame:
    """``[row,] column, value``: one row per cell of the columns, nulls left out."""
    cells = F.explode(F.array(*[F.struct(F.lit(c).alias("column"), F.col(c).cast("double").alias("value")) for c in columns]))
    kept = [row] if row else []
    return frame.select(*kept, cells.alias("_cell")).select(*kept, "_cell.column", "_cell.value").where(F.col("value").isNotNull())


def _ranks(cells: DataFrame, buckets: int, accuracy: int) -> DataFrame:
    ties = cells.groupBy("column", "value").agg(F.count("*").alias("_ties"))
    if buckets > 1:
        grid = [i / buckets for i in range(1, buckets)]
        cuts = ties.groupBy("column").agg(F.percentile_approx("value", grid, accuracy).alias("_cuts"))
        bucketed = ties.join(F.broadcast(cuts), "column").select(
            "column", "value", "_ties", F.size(F.filter(F.col("_cuts"), lambda cut: cut < F.col("value"))).alias("_bucket")
        )
    else:
        bucketed = ties.withColumn("_bucket", F.lit(0))
    within = F.sum("_ties").over(Window.partitionBy("column", "_bucket").orderBy("value").rowsBetween(Window.unboundedPreceding, -1))
    totals = bucketed.groupBy("column", "_bucket").agg(F.sum("_ties").alias("_total"))
    before = totals.select(F.col("column").alias("_before_column"), F.col("_bucket").alias("_before_bucket"), "_total")
    offsets = (
        totals.select("column", "_bucket")
        .join(
            F.broadcast(before),
            (F.col("_before_column") == F.col("column")) & (F.col("_before_bucket") < F.col("_bucket")),
            "left",
        )
        .groupBy("column", "_bucket")
        .agg(F.coalesce(F.sum("_total"), F.lit(0)).alias("_offset"))
    )
    return (
        bucketed.withColumn("_within", F.coalesce(within, F.lit(0)))
        .join(F.broadcast(offsets), ["column", "_bucket"])
        .select("column", "value", (F.col("_offset") + F.col("_within") + (F.col("_ties") + F.lit(1)) / F.lit(2.0)).alias("rank"))
    )


def spearman(frame: DataFrame, target: str, rankings: Sequence[str], buckets: int = RANK_BUCKETS, accuracy: int = 10_000) -> DataFrame:
    """Spearman's rank correlation of each ranking with the target, as one row.

    The Pearson correlation of average ranks (:func:`average_ranks`), over the rows with
    no null in the target or any of the rankings. A column with one value throughout has
    no rank correlation: null.

    Args:
        frame: One row per person.
        target: Column the rankings are judged against.
        rankings: Columns to judge.
        buckets: See :func:`average_ranks`.
        accuracy: See :func:`average_ranks`.

    Returns:
        One row with a double column per ranking, named after it.
    """
    columns = list(dict.fromkeys([target, *rankings]))
    return _rank_correlations(frame.select(*columns).dropna(), [(r, target) for r in rankings], buckets, accuracy)


def _rank_correlations(frame: DataFrame, pairs: Sequence[tuple[str, str]], buckets: int, accuracy: int) -> DataFrame:
    """One row: for each ``(ranking, target)`` pair, a column named after the ranking with
    the Pearson correlation of their average ranks. Each column is ranked over its own
    non-null rows, all in one pass: a pair over a subset of the rows has both of its
    columns null on the other rows."""
    columns = list(dict.fromkeys(c for pair in pairs for c in pair))
    return _ranked(frame.select(*columns), columns, "_row", buckets, accuracy).agg(*[_pearson(r, t).alias(r) for r, t in pairs])


def _ranked(frame: DataFrame, columns: Sequence[str], key: str, buckets: int, accuracy: int) -> DataFrame:
    """``key`` and, per column, its average rank over the column's non-null rows (a
    ``_row`` key is made up when ``key`` is ``_row``)."""
    rows = frame.withColumn("_row", F.monotonically_increasing_id()) if key == "_row" else frame
    cells = _cells(rows, columns, key)
    return cells.join(_ranks(cells, buckets, accuracy), ["column", "value"]).groupBy(key).pivot("column", list(columns)).agg(F.first("rank"))


def _pearson(ranking: str, target: str) -> Column:
    # Pearson's r as covariance over the standard deviations; try_divide: a column with one
    # value throughout (deviation 0) has no correlation, where corr would divide by zero.
    return F.try_divide(F.covar_pop(F.col(ranking), F.col(target)), F.stddev_pop(F.col(ranking)) * F.stddev_pop(F.col(target)))


def spearman_gap_error(
    frame: DataFrame, target: str, ranking: str, baseline: str, key: str = "person_id", folds: int = GAP_FOLDS, buckets: int = RANK_BUCKETS, accuracy: int = 10_000
) -> DataFrame:
    """How far apart two rankings' Spearman with the target is, and its standard error.

    A gap of 0.001 over 300,000 persons may be noise. The rows (with no null in the three
    columns) are ranked once, over all of them; then split into ``folds`` groups by a hash
    of ``key``, and in each group the Pearson correlation of the ranks is taken for both
    rankings. The standard error of the gap is the standard deviation of the groups' gaps
    over the square root of their number (batch means).

    Returns:
        One row: ``gap`` (the ranking's Spearman minus the baseline's, over all rows) and
        ``gap_se`` (null with fewer than two groups that have a correlation).
    """
    columns = [target, ranking, baseline]
    ranked = _ranked(frame.select(key, *columns).dropna(), columns, key, buckets, accuracy)
    gap = _pearson(ranking, target) - _pearson(baseline, target)
    # One pass over the ranks: the rollup gives every group's gap and, as its total row, the overall one.
    gaps = (
        ranked.withColumn("_fold", F.abs(F.xxhash64(key)) % F.lit(folds))
        .rollup("_fold")
        .agg(gap.alias("_gap"), F.grouping("_fold").alias("_total"))
    )
    of_groups = F.when(F.col("_total") == 0, F.col("_gap"))
    return gaps.agg(
        F.max(F.when(F.col("_total") == 1, F.col("_gap"))).alias("gap"),
        F.try_divide(F.stddev_samp(of_groups), F.sqrt(F.count(of_groups))).alias("gap_se"),
    )


def top_k_overlap(frame: DataFrame, ranking: str, target: str, k: int = TOP_K) -> DataFrame:
    """Share of the target's top ``k`` persons that the ranking's top ``k`` holds, as one row.

    Both tops order by value, highest first, ties broken by ``person_id``; rows with a
    null in either column are left out. With fewer than ``k`` rows, the share is of the
    rows there are.

    Returns:
        One row: ``overlap`` (double in [0, 1]; null with no rows).
    """
    rows = frame.select("person_id", ranking, target).dropna()

    def top(column: str) -> DataFrame:
        return rows.orderBy(F.col(column).desc(), F.col("person_id").asc()).limit(k).select("person_id")

    shared = top(ranking).join(top(target), "person_id").agg(F.count("*").alias("_shared"))
    size = rows.agg(F.least(F.count("*"), F.lit(k)).alias("_size"))
    return shared.crossJoin(size).select(F.try_divide(F.col("_shared").cast("double"), F.col("_size")).alias("overlap"))


def backtest_figures(persons: DataFrame, k: int = TOP_K, buckets: int = RANK_BUCKETS) -> DataFrame:
    """Every figure of the backtest, as one row.

    Args:
        persons: From :func:`backtest_persons`.
        k: Size of the tops compared.
        buckets: See :func:`average_ranks`.

    Returns:
        ``persons, persons_with_future, followers_known`` (counts), and for each of
        :data:`RANKINGS` ``spearman_<ranking>`` and ``top_overlap_<ranking>``: over every
        scored person, except ``followers`` over the persons with a known count; the
        score over those same persons too, as ``spearman_score_followers_known`` and
        ``top_overlap_score_followers_known``; and ``spearman_gap_past_engagers`` with
        ``spearman_gap_past_engagers_se``, the score's Spearman minus that of past engagers
        and its standard error (:func:`spearman_gap_error`).
    """
    counts = persons.agg(
        F.count("*").alias("persons"),
        F.count(F.when(F.col(FUTURE) > 0, True)).alias("persons_with_future"),
        F.count("followers").alias("followers_known"),
    )
    # The persons with a known follower count are ranked among themselves.
    known = F.col("followers").isNotNull()
    columns = persons.select(
        *COMPLETE_RANKINGS,
        FUTURE,
        F.col("followers").alias("known_followers"),
        F.when(known, F.col("score")).alias("known_score"),
        F.when(known, F.col(FUTURE)).alias("known_future"),
    )
    pairs = [(r, FUTURE) for r in COMPLETE_RANKINGS] + [("known_followers", "known_future"), ("known_score", "known_future")]
    correlations = _rank_correlations(columns, pairs, buckets, 10_000).select(
        *[F.col(r).alias(f"spearman_{r}") for r in COMPLETE_RANKINGS],
        F.col("known_followers").alias("spearman_followers"),
        F.col("known_score").alias("spearman_score_followers_known"),
    )
    figures = counts.crossJoin(correlations)
    for ranking in RANKINGS:
        figures = figures.crossJoin(top_k_overlap(persons, ranking, FUTURE, k).withColumnRenamed("overlap", f"top_overlap_{ranking}"))
    with_followers = persons.where(known)
    gap = spearman_gap_error(persons, FUTURE, "score", "past_engagers", buckets=buckets).select(
        F.col("gap").alias("spearman_gap_past_engagers"), F.col("gap_se").alias("spearman_gap_past_engagers_se")
    )
    return figures.crossJoin(top_k_overlap(with_followers, "score", FUTURE, k).withColumnRenamed("overlap", "top_overlap_score_followers_known")).crossJoin(gap)
