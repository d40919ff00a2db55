"""The trained part of account quality: a Spark ML classifier of bought followers.

Two logistic regressions share one recipe: a *profile* model for accounts whose source
carries profile counts, and a *behaviour* model for sources that have none (edge lists,
Jetstream), trained on the same accounts with the profile unseen.

The features describe what a bought follower does, in any collection: it follows many
accounts, posts and likes little, it never writes a profile, it reshares and links rather
than talks. They leave out what describes one collection: ids, collection dates, language,
column presence, popularity (follower counts differ by population, not by honesty) and
volume inside the export (a collection caps or windows how many posts it keeps). A
linear model keeps its direction outside the range it was trained on (more following and
fewer posts always reads as more suspicious), where trees go flat.

Each model flags from its own threshold: the lowest probability at which precision reaches
``target_precision`` on out-of-fold predictions (every training account scored by a model
fitted without it), because flagging a real person is worse than missing a bot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from typing import Callable

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F


def _log1p(column: str) -> Column:
    return F.log1p(F.greatest(F.col(column).cast("double"), F.lit(0.0)))


# Built lazily: a Column needs a running SparkContext. Null means unknown; the model
# imputes the training median for it.
PROFILE_FEATURES: dict[str, Callable[[], Column]] = {
    "log_posts_per_followed": lambda: _log1p("statuses_count") - _log1p("following_count"),
    "log_statuses": lambda: _log1p("statuses_count"),
    "log_following": lambda: _log1p("following_count"),
    # Likes given over the account's life: a behaviour count like statuses, not popularity.
    "log_favourites": lambda: _log1p("favourites_count"),
    "log_statuses_per_day": lambda: F.log1p(
        F.try_divide(F.col("statuses_count").cast("double"), F.greatest(F.col("account_age_days"), F.lit(1.0)))
    ),
    "default_profile_image": lambda: F.col("default_profile_image").cast("double"),
    "has_description": lambda: F.col("has_description").cast("double"),
}

BEHAVIOUR_FEATURES: dict[str, Callable[[], Column]] = {
    "reshare_share": lambda: F.col("reshare_share"),
    "link_share": lambda: F.col("link_share"),
    "mentions_per_post": lambda: F.col("mentions_per_post"),
    "repeated_text_share": lambda: F.col("repeated_text_share"),
    "hashtags_per_post": lambda: F.col("hashtags_per_post"),
    "interarrival_cv": lambda: F.col("interarrival_cv"),
    "top_target_share": lambda: F.col("top_target_share"),
}


@dataclass(frozen=True)
class ModelSettings:
    """How the models are fitted.

    Attributes:
        reg_param: L2 regularisation of the logistic regressions.
        target_precision: Precision each model's threshold must reach out of fold.
        folds: Folds of the out-of-fold predictions the thresholds are chosen on.
        seed: Seed of the fold assignment.
    """

    reg_param: float = 0.001
    target_precision: float = 0.98
    folds: int = 4
    seed: int = 7


@dataclass(frozen=True)
class QualityModel:
    """A fitted model pair and how it is applied.

    Attributes:
        version: Name written beside every verdict (``model_version``).
        profile_model: Fitted on profile and behaviour features.
        behaviour_model: Fitted on behaviour features alone.
        profile_threshold: Probability from which the profile model flags.
        behaviour_threshold: Probability from which the behaviour model flags.
        min_posts_behaviour_only: Least content events an account without a profile needs
            before the behaviour model may judge it; below that there is too little to go on.
        fill_values: Value an unknown feature takes: its median over the training accounts
            (0 when no training account had it).
    """

    version: str
    profile_model: PipelineModel
    behaviour_model: PipelineModel
    profile_threshold: float = 0.5
    behaviour_threshold: float = 0.5
    min_posts_behaviour_only: int = 5
    fill_values: dict[str, float] = field(default_factory=dict)


def model_inputs(features: DataFrame, fill_values: dict[str, float] | None = None) -> DataFrame:
    """Adds the ``m_*`` model columns; unknown values take ``fill_values`` (else stay null)."""
    fills = fill_values or {}
    for name, expression in {**PROFILE_FEATURES, **BEHAVIOUR_FEATURES}.items():
        value = expression().cast("double")
        if name in fills:
            value = F.coalesce(value, F.lit(float(fills[name])))
        features = features.withColumn(f"m_{name}", value)
    return features


def fill_values_of(training: DataFrame) -> dict[str, float]:
    """Median of every model feature over the training accounts (one row to the driver)."""
    names = list({**PROFILE_FEATURES, **BEHAVIOUR_FEATURES})
    medians = model_inputs(training).agg(*[F.percentile_approx(f"m_{n}", 0.5).alias(n) for n in names]).first()
    return {name: float(medians[name]) if medians[name] is not None else 0.0 for name in names}


def _pipeline(names: list[str], settings: ModelSettings) -> Pipeline:
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=[f"m_{name}" for name in names], outputCol="model_vector"),
            StandardScaler(inputCol="model_vector", outputCol="model_scaled", withMean=True, withStd=True),
            LogisticRegression(featuresCol="model_scaled", labelCol="label", regParam=settings.reg_param),
        ]
    )


PROFILE_MODEL_FEATURES = [*PROFILE_FEATURES, *BEHAVIOUR_FEATURES]
BEHAVIOUR_MODEL_FEATURES = [*BEHAVIOUR_FEATURES]


def precision_threshold(scored: DataFrame, target_precision: float) -> float:
    """Lowest probability (on a 0.01 grid, from 0.5) at which precision reaches the target.

    ``scored`` has ``model_probability`` and ``label``; only one row per grid step
    reaches the driver. Falls back to 0.99 when no step reaches the target.
    """
    grid = F.explode(F.sequence(F.lit(50), F.lit(99))).alias("step")
    counts = (
        scored.select(grid, "model_probability", "label")
        .withColumn("flagged", F.col("model_probability") >= F.col("step") / 100.0)
        .groupBy("step")
        .agg(F.sum((F.col("flagged") & (F.col("label") == 1)).cast("int")).alias("tp"), F.sum((F.col("flagged") & (F.col("label") == 0)).cast("int")).alias("fp"))
        .where((F.col("tp") > 0) & (F.col("tp") >= F.lit(target_precision) * (F.col("tp") + F.col("fp"))))
        .agg(F.min("step").alias("step"))
        .first()
    )
    return (counts["step"] if counts and counts["step"] is not None else 99) / 100.0


def fit_quality_model(
    labelled: DataFrame, version: str, settings: ModelSettings = ModelSettings(), min_posts_behaviour_only: int = 5
) -> QualityModel:
    """Fits both models and their thresholds on labelled accounts (this function's purpose is the fit).

    The thresholds are chosen on out-of-fold predictions: accounts are split into
    ``folds`` by a hash of their id, and each fold is scored by a model fitted on the
    others. The models kept are then fitted on all the accounts.

    Args:
        labelled: Account features with ``label`` (1 bot, 0 genuine).
        version: Model version name.
        settings: How to fit.
        min_posts_behaviour_only: See :class:`QualityModel`.

    Returns:
        The fitted :class:`QualityModel`.
    """
    fills = fill_values_of(labelled)
    training = model_inputs(labelled.withColumn("label", F.col("label").cast("double")), fills)
    fold = F.pmod(F.xxhash64(F.col("platform"), F.col("account_id"), F.lit(settings.seed + 1)), F.lit(settings.folds))
    training = training.withColumn("model_fold", fold).localCheckpoint(eager=True)
    behaviour_rows = training.where(F.col("content_events") > 0)
    thresholds = []
    for names, rows in ((PROFILE_MODEL_FEATURES, training), (BEHAVIOUR_MODEL_FEATURES, behaviour_rows)):
        out_of_fold = [
            _probability(_pipeline(names, settings).fit(rows.where(F.col("model_fold") != k)), rows.where(F.col("model_fold") == k))
            for k in range(settings.folds)
        ]
        thresholds.append(precision_threshold(reduce(DataFrame.unionByName, out_of_fold), settings.target_precision))
    return QualityModel(
        version=version,
        profile_model=_pipeline(PROFILE_MODEL_FEATURES, settings).fit(training),
        behaviour_model=_pipeline(BEHAVIOUR_MODEL_FEATURES, settings).fit(behaviour_rows),
        profile_threshold=thresholds[0],
        behaviour_threshold=thresholds[1],
        min_posts_behaviour_only=min_posts_behaviour_only,
        fill_values=fills,
    )


def _probability(model: PipelineModel, inputs: DataFrame) -> DataFrame:
    scored = model.transform(inputs)
    internal = ["model_vector", "model_scaled", "rawPrediction", "probability", "prediction"]
    return scored.withColumn("model_probability", F.get(vector_to_array("probability"), 1)).drop(*internal)


def as_evidence(probability: Column, threshold: float) -> Column:
    """Maps a probability onto [0, 1] so that the model's threshold lands on 0.5."""
    below = probability / F.lit(threshold) * 0.5
    above = F.lit(0.5) + (probability - F.lit(threshold)) / F.lit(1.0 - threshold) * 0.5
    return F.when(probability < threshold, below).otherwise(above)


def with_model_score(features: DataFrame, model: QualityModel) -> DataFrame:
    """Adds ``model_probability``, ``model_threshold``, ``model_score`` and ``model_used``.

    Accounts with a profile are judged by the profile model; accounts without one by the
    behaviour model if they posted at least ``min_posts_behaviour_only`` times; the rest
    get nulls: too little evidence to call anyone a bot. ``model_score`` is the
    probability rescaled so that the model's own threshold is 0.5, the level at which
    every signal fires.
    """
    model_columns = [f"m_{name}" for name in {**PROFILE_FEATURES, **BEHAVIOUR_FEATURES}]
    has_profile = F.coalesce(F.col("has_profile"), F.lit(False))
    enough = F.col("content_events") >= F.lit(model.min_posts_behaviour_only)
    parts = []
    for used, fitted, threshold, rows in (
        ("profile", model.profile_model, model.profile_threshold, features.where(has_profile)),
        ("behaviour", model.behaviour_model, model.behaviour_threshold, features.where(~has_profile & enough)),
    ):
        scored = _probability(fitted, model_inputs(rows, model.fill_values)).drop(*model_columns)
        parts.append(
            scored.withColumn("model_threshold", F.lit(threshold))
            .withColumn("model_score", as_evidence(F.col("model_probability"), threshold))
            .withColumn("model_used", F.lit(used))
        )
    unjudged = features.where(~has_profile & ~enough).select(
        "*", *[F.lit(None).cast(t).alias(c) for c, t in (("model_probability", "double"), ("model_threshold", "double"), ("model_score", "double"), ("model_used", "string"))]
    )
    return parts[0].unionByName(parts[1]).unionByName(unjudged)
