"""Integration fixtures: the real public datasets, ingested once per test session."""

import pytest

from jobs.common.delta import Warehouse
from jobs.ingest import run_ingest


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
