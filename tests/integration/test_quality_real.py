"""Account quality on cresci-2015: verdicts on accounts the model never saw."""

import pytest
from pyspark.sql import functions as F

from jobs.common.labels import LabelFormat, read_labels
from jobs.common.model_store import load_model, read_training_accounts
from jobs.train_quality import held_out
from transforms.quality.assess import assess_features, quality_features
from transforms.quality.evaluation import binary_figures
from transforms.quality.model import ModelSettings, fit_quality_model

pytestmark = pytest.mark.integration

KEY = ["platform", "account_id"]
CRESCI_LABELS = LabelFormat(id_column="id", label_column="dataset", genuine_values=("E13", "TFP"), bot_kind="fake_follower")


@pytest.fixture(scope="module")
def cresci(spark, config, real_warehouse):
    """Events of the cresci accounts and their labelled features, with a 30% hold-out."""
    warehouse, _, data = real_warehouse
    events = spark.read.format("delta").load(warehouse.path("silver/events")).where(F.col("platform") == "twitter")
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts")).where(F.col("platform") == "twitter")
    labels = read_labels(spark, str(data / "cresci-2015" / "users.csv"), CRESCI_LABELS)
    features = (
        quality_features(events, accounts, config.quality, None)
        .join(labels, KEY)
        .withColumn("holdout", held_out(0.3, 7))
        .localCheckpoint(eager=True)
    )
    return events, features


def judge(events, labelled, model, config):
    verdicts = assess_features(labelled.drop("label", "kind", "group", "holdout"), events, model, config.quality, None)
    return binary_figures(labelled.select(*KEY, "label").join(verdicts, KEY))


def test_every_labelled_account_has_features(cresci):
    _, features = cresci
    assert features.count() == 3_900
    assert features.where("label = 1").count() == 1_950


def test_a_model_fitted_here_meets_the_bar_on_held_out_accounts(config, cresci):
    events, features = cresci
    model = fit_quality_model(features.where(~F.col("holdout")), "test-fit", ModelSettings())
    figures = judge(events, features.where("holdout"), model, config)
    assert figures.accounts == 1_164
    assert figures.precision >= 0.97, figures
    assert figures.recall >= 0.95, figures


def test_the_shipped_model_meets_the_bar_on_accounts_it_never_saw(spark, config, cresci):
    events, features = cresci
    trained_on = read_training_accounts(spark, config.quality.model)
    unseen = features.join(trained_on, KEY, "left_anti")
    figures = judge(events, unseen, load_model(config.quality.model), config)
    assert figures.accounts == 1_164
    assert figures.precision >= 0.97, figures
    assert figures.recall >= 0.95, figures
    assert figures.roc_auc >= 0.98, figures
