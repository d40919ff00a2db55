"""Test fixtures: one SparkSession for the whole session, built from conf/test.toml."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobs.common.config import PROJECT_ROOT, load_config

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def config():
    """The test profile."""
    return load_config(PROJECT_ROOT / "conf" / "test.toml")


@pytest.fixture(scope="session")
def spark(config, tmp_path_factory):
    """The one SparkSession of the test run (local[2], two shuffle partitions).

    ``CLOUT_GRAPHFRAMES_JARS`` (comma-separated jar files) puts GraphFrames' JVM side on
    the session, which runs the graph-engine parity test.
    """
    from jobs.common.spark import build_spark

    warehouse = tmp_path_factory.mktemp("warehouse")
    jars = [jar for jar in os.environ.get("CLOUT_GRAPHFRAMES_JARS", "").split(",") if jar]
    session = build_spark(config, warehouse=str(warehouse), app_name="clout-tests", extra_jars=jars)
    yield session
    session.stop()


# The files of ../shared/data the tests read.
SHARED_FILES = (
    "higgs-twitter/higgs-activity_time.txt.gz",
    "higgs-twitter/higgs-retweet_network.edgelist.gz",
    "cresci-2015/users.csv",
    "cresci-2015/tweets.csv.gz",
)


def missing_shared_files(root: Path) -> list[str]:
    """The files the tests read that are not under ``root``."""
    return [name for name in SHARED_FILES if not (root / name).is_file()]


def when_shared_data_missing(ci: str | None) -> str:
    """``fail`` under CI (any non-empty ``CI`` value), else ``skip``."""
    return "fail" if (ci or "").strip() else "skip"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public datasets beside the checkout; missing data fails under CI."""
    missing = missing_shared_files(SHARED_DATA)
    if missing:
        message = f"shared datasets missing under {SHARED_DATA}: {', '.join(missing)} (see ../shared/data/README.md)"
        if when_shared_data_missing(os.environ.get("CI")) == "fail":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
