"""The trained part of account quality: a Spark ML classifier of bought followers.

Two gradient-boosted tree models share one feature layout: a *profile* model for
accounts whose source carries profile counts, and a *behaviour* model, trained on the
same accounts with every profile feature hidden, for sources that have none (edge lists,
Jetstream). Features describe behaviour and the profile's shape, never the collection:
no ids, no collection dates, no language, no column presence.

Missing values are encoded as -1, a value no feature takes (all are counts, shares or
logs of counts), so trees can split "unknown" apart instead of reading it as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import GBTClassifier
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

UNKNOWN = -1.0


def _log1p(column: str) -> Column:
    return F.log1p(F.greatest(F.col(column).cast("double"), F.lit(0.0)))


def _flag(column: str) -> Column:
    return F.col(column).cast("double")


# Built lazily: a Column needs a running SparkContext.
PROFILE_FEATURES: dict[str, Callable[[], Column]] = {
    "log_followers": lambda: _log1p("followers_count"),
    "log_following": lambda: _log1p("following_count"),
    "log_following_per_follower": lambda: _log1p("following_count") - _log1p("followers_count"),
    "log_statuses": lambda: _log1p("statuses_count"),
    "log_favourites": lambda: _log1p("favourites_count"),
    "log_listed": lambda: _log1p("listed_count"),
    "log_account_age_days": lambda: _log1p("account_age_days"),
    "default_profile": lambda: _flag("default_profile"),
    "default_profile_image": lambda: _flag("default_profile_image"),
    "has_description": lambda: _flag("has_description"),
    "has_url": lambda: _flag("has_url"),
}

BEHAVIOUR_FEATURES: dict[str, Callable[[], Column]] = {
    "log_content_events": lambda: _log1p("content_events"),
    "log_active_days": lambda: _log1p("active_days"),
    "log_actions_per_active_day": lambda: F.log1p(F.try_divide(F.col("actions").cast("double"), F.col("active_days"))),
    "reshare_share": lambda: F.col("reshare_share"),
    "link_share": lambda: F.col("link_share"),
    "repeated_text_share": lambda: F.col("repeated_text_share"),
    "repeated_link_share": lambda: F.col("repeated_link_share"),
    "hashtags_per_post": lambda: F.col("hashtags_per_post"),
    "mentions_per_post": lambda: F.col("mentions_per_post"),
    "interarrival_cv": lambda: F.col("interarrival_cv"),
    "burstiness": lambda: F.col("burstiness"),
    "top_target_share": lambda: F.col("top_target_share"),
    "log_engaged_accounts": lambda: _log1p("engaged_accounts"),
}


@dataclass(frozen=True)
class ModelSettings:
    """Hyperparameters of the gradient-boosted trees.

    Attributes:
        max_iter: Boosting rounds.
        max_depth: Depth of each tree.
        step_size: Learning rate.
        seed: Random seed, for repeatable models.
    """

    max_iter: int = 80
    max_depth: int = 4
    step_size: float = 0.1
    seed: int = 7


@dataclass(frozen=True)
class QualityModel:
    """A fitted model pair and how it is applied.

    Attributes:
        version: Name written beside every score (``model_version``).
        profile_model: Fitted on profile and behaviour features.
        behaviour_model: Fitted on behaviour features alone.
        min_posts_behaviour_only: Least content events an account without a profile needs
            before the behaviour model may judge it; below that there is too little to go on.
    """

    version: str
    profile_model: PipelineModel
    behaviour_model: PipelineModel
    min_posts_behaviour_only: int = 5


def model_inputs(features: DataFrame, with_profile: bool) -> DataFrame:
    """Adds the ``m_*`` model columns, unknown encoded as -1.

    With ``with_profile`` false every profile feature is -1: that is how the behaviour
    model is trained and applied.
    """
    columns = {**PROFILE_FEATURES, **BEHAVIOUR_FEATURES}
    for name, expression in columns.items():
        value = expression() if (with_profile or name not in PROFILE_FEATURES) else F.lit(None)
        features = features.withColumn(f"m_{name}", F.coalesce(value.cast("double"), F.lit(UNKNOWN)))
    return features


def _pipeline(settings: ModelSettings) -> Pipeline:
    names = [f"m_{name}" for name in {**PROFILE_FEATURES, **BEHAVIOUR_FEATURES}]
    assembler = VectorAssembler(inputCols=names, outputCol="model_vector")
    trees = GBTClassifier(
        featuresCol="model_vector",
        labelCol="label",
        maxIter=settings.max_iter,
        maxDepth=settings.max_depth,
        stepSize=settings.step_size,
        seed=settings.seed,
    )
    return Pipeline(stages=[assembler, trees])


def fit_quality_model(labelled: DataFrame, version: str, settings: ModelSettings = ModelSettings(), min_posts_behaviour_only: int = 5) -> QualityModel:
    """Fits both models on labelled account features (this function's purpose is the fit).

    Args:
        labelled: Account features with ``label`` (1.0 bot, 0.0 genuine).
        version: Model version name.
        settings: Hyperparameters.
        min_posts_behaviour_only: See :class:`QualityModel`.

    Returns:
        The fitted :class:`QualityModel`.
    """
    training = labelled.withColumn("label", F.col("label").cast("double"))
    profile_model = _pipeline(settings).fit(model_inputs(training, with_profile=True))
    behaviour_model = _pipeline(settings).fit(model_inputs(training, with_profile=False))
    return QualityModel(version, profile_model, behaviour_model, min_posts_behaviour_only)


def _probability(model: PipelineModel, inputs: DataFrame) -> DataFrame:
    scored = model.transform(inputs)
    return scored.withColumn("model_score", F.get(vector_to_array("probability"), 1)).drop(
        "model_vector", "rawPrediction", "probability", "prediction"
    )


def with_model_score(features: DataFrame, model: QualityModel) -> DataFrame:
    """Adds ``model_score`` (probability of a bought follower) and ``model_used``.

    Accounts with a profile are scored by the profile model; accounts without one by the
    behaviour model if they posted at least ``min_posts_behaviour_only`` times; the rest
    get a null score: too little evidence to call anyone a bot.
    """
    model_columns = [f"m_{name}" for name in {**PROFILE_FEATURES, **BEHAVIOUR_FEATURES}]
    with_profile = features.where(F.col("has_profile"))
    enough = F.col("content_events") >= F.lit(model.min_posts_behaviour_only)
    behaviour_only = features.where(~F.coalesce(F.col("has_profile"), F.lit(False)) & enough)
    unjudged = features.where(~F.coalesce(F.col("has_profile"), F.lit(False)) & ~enough)
    by_profile = _probability(model.profile_model, model_inputs(with_profile, True)).withColumn("model_used", F.lit("profile"))
    by_behaviour = _probability(model.behaviour_model, model_inputs(behaviour_only, False)).withColumn("model_used", F.lit("behaviour"))
    none = unjudged.withColumn("model_score", F.lit(None).cast("double")).withColumn("model_used", F.lit(None).cast("string"))
    return by_profile.drop(*model_columns).unionByName(by_behaviour.drop(*model_columns)).unionByName(none)
