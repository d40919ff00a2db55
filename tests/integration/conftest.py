"""Integration fixtures, each built once per test session: the real public datasets
ingested, and the pipeline's run on a generated sample."""

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jobs.common.delta import Warehouse
from jobs.common.run_log import RunLog
from jobs.generate_sample import generate
from jobs.ingest import run_ingest
from jobs.metrics import run_metrics
from jobs.pipeline import STAGES, run_pipeline
from jobs.quality import run_quality
from jobs.score import run_score

SAMPLE_SCORE_DATE = dt.date(2026, 11, 1)


@dataclass(frozen=True)
class SampleRun:
    """The generated sample and its warehouse after one whole pipeline run (every stage, as
    ``jobs.pipeline`` runs them), the stages' outcomes, and the quality stage's counts per
    kind from that run and from a rerun of the same date."""

    sample: Path
    warehouse: Warehouse
    score_date: dt.date
    first: dict[str, int]
    again: dict[str, int]
    outcomes: dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def sample_run(spark, config, tmp_path_factory) -> SampleRun:
    """A 60k-event sample (planted bots, rings, quiet accounts, malformed records) through
    the whole pipeline, then the quality stage again for the same date."""
    sample = tmp_path_factory.mktemp("sample")
    generate(sample, 60_000, 7)
    warehouse = Warehouse(str(tmp_path_factory.mktemp("sample-warehouse")), "clout_sample")
    log = RunLog("clout-tests", config.logging.format, stream=io.StringIO())
    outcomes = run_pipeline(spark, config, warehouse, SAMPLE_SCORE_DATE, STAGES, log, str(sample))
    again = run_quality(spark, config, warehouse, SAMPLE_SCORE_DATE)
    return SampleRun(sample, warehouse, SAMPLE_SCORE_DATE, outcomes["quality"]["kinds"], again, outcomes)


@pytest.fixture(scope="session")
def real_warehouse(spark, config, shared_data, tmp_path_factory):
    """Higgs activity (platform snap) and cresci-2015 (twitter) in one warehouse."""
    data = shared_data
    root = tmp_path_factory.mktemp("real-input")
    (root / "edges").mkdir()
    (root / "research_csv").mkdir()
    (root / "edges" / "higgs-activity_time.txt.gz").symlink_to(data / "higgs-twitter" / "higgs-activity_time.txt.gz")
    for name in ("users.csv", "tweets.csv.gz"):
        (root / "research_csv" / name).symlink_to(data / "cresci-2015" / name)
    warehouse = Warehouse(str(tmp_path_factory.mktemp("real-warehouse")), "clout_real")
    ledger = run_ingest(spark, config, str(root), warehouse)
    return warehouse, {row.source: row for row in ledger}, data


# A date long before the sample: no verdicts, so the metrics stage writes an empty partition.
EMPTY_SCORE_DATE = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class SampleMetrics:
    """The metrics stage on the sample's warehouse: the score date, the same date again,
    and a date with nothing to score (run between the two)."""

    run: SampleRun
    first: dict
    empty: dict
    again: dict


@pytest.fixture(scope="session")
def sample_metrics(spark, config, sample_run) -> SampleMetrics:
    first = sample_run.outcomes["metrics"]
    empty = run_metrics(spark, config, sample_run.warehouse, EMPTY_SCORE_DATE, "dataframe")
    again = run_metrics(spark, config, sample_run.warehouse, sample_run.score_date, "dataframe")
    return SampleMetrics(sample_run, first, empty, again)


@dataclass(frozen=True)
class SampleScores:
    """The score stage on the sample's warehouse: the pipeline's run and a rerun of the date."""

    run: SampleRun
    first: dict
    again: dict


@pytest.fixture(scope="session")
def sample_scores(spark, config, sample_metrics) -> SampleScores:
    run = sample_metrics.run
    first = run.outcomes["score"]
    again = run_score(spark, config, run.warehouse, run.score_date)
    return SampleScores(run, first, again)


@pytest.fixture(scope="session")
def sample_topics(spark, config, sample_scores) -> tuple[SampleRun, dict]:
    """The topics stage's outcome in the sample's pipeline run; asked for after the reruns
    of metrics and score, so the tests that use it read the warehouse in its final state."""
    run = sample_scores.run
    return run, run.outcomes["topics"]
