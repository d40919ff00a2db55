"""Saving and loading the account-quality model: one folder per model version.

``<folder>/metadata.json`` (version, features, training data and held-out figures),
``<folder>/profile`` and ``<folder>/behaviour`` (Spark ML pipelines) and
``<folder>/training_accounts`` (CSV of the accounts it was fitted on, so an evaluation can
leave them out).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyspark.ml import PipelineModel
from pyspark.sql import DataFrame, SparkSession

from jobs.common.config import PROJECT_ROOT
from transforms.quality.model import QualityModel

METADATA = "metadata.json"


def model_dir(path: str) -> Path:
    """A model folder; relative paths are relative to the project."""
    folder = Path(path).expanduser()
    return folder if folder.is_absolute() else PROJECT_ROOT / folder


def save_model(model: QualityModel, path: str, metadata: dict[str, Any], training_accounts: DataFrame) -> Path:
    """Writes a model folder (replacing one of the same path)."""
    folder = model_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    model.profile_model.write().overwrite().save(str(folder / "profile"))
    model.behaviour_model.write().overwrite().save(str(folder / "behaviour"))
    # One small sorted CSV part, readable by a person and diffable in the repository.
    (
        training_accounts.select("platform", "account_id").distinct().orderBy("platform", "account_id").coalesce(1)
        .write.mode("overwrite").option("header", True).csv(str(training_accounts_path(path)))
    )
    document = {
        "version": model.version,
        "profile_threshold": model.profile_threshold,
        "behaviour_threshold": model.behaviour_threshold,
        "min_posts_behaviour_only": model.min_posts_behaviour_only,
        "fill_values": model.fill_values,
        **metadata,
    }
    (folder / METADATA).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return folder


def _is_uri(path: str) -> bool:
    return "://" in path


def model_location(path: str) -> str:
    """Where Spark reads a model folder: a URI as it is (``s3://``, ``hdfs://``, ``dbfs:/``
    with ``://``), a local path as an absolute ``file:`` URI, so that a cluster whose
    default filesystem is HDFS does not look for it there."""
    return path.rstrip("/") if _is_uri(path) else model_dir(path).as_uri()


def read_metadata(path: str) -> dict[str, Any]:
    """The metadata of a model folder (through Spark when the folder is a URI)."""
    if _is_uri(path):
        spark = SparkSession.getActiveSession()
        if spark is None:
            raise RuntimeError(f"reading the model at {path} needs a SparkSession")
        document = spark.read.text(f"{model_location(path)}/{METADATA}", wholetext=True).first()
        return json.loads(document["value"])
    file = model_dir(path) / METADATA
    if not file.is_file():
        raise FileNotFoundError(
            f"no account-quality model at {model_dir(path)}: train one with "
            "`python -m jobs.train_quality --input DIR --labels CSV --out FOLDER` or set [quality] model"
        )
    return json.loads(file.read_text(encoding="utf-8"))


def load_model(path: str) -> QualityModel:
    """Loads a model folder written by :func:`save_model`."""
    metadata = read_metadata(path)
    location = model_location(path)
    return QualityModel(
        version=metadata["version"],
        profile_model=PipelineModel.load(f"{location}/profile"),
        behaviour_model=PipelineModel.load(f"{location}/behaviour"),
        profile_threshold=float(metadata["profile_threshold"]),
        behaviour_threshold=float(metadata["behaviour_threshold"]),
        min_posts_behaviour_only=int(metadata.get("min_posts_behaviour_only", 5)),
        fill_values={k: float(v) for k, v in metadata.get("fill_values", {}).items()},
    )


def training_accounts_path(path: str) -> Path:
    """The CSV folder of the accounts a model was fitted on."""
    return model_dir(path) / "training_accounts"


def read_training_accounts(spark: SparkSession, path: str) -> DataFrame:
    """The accounts a model was fitted on: ``platform, account_id``."""
    return spark.read.option("header", True).csv(f"{model_location(path)}/training_accounts")
