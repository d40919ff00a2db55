import pytest

from jobs.common.config import PROJECT_ROOT, ConfigError, load_config
from jobs.common.delta import Warehouse


def test_every_profile_loads():
    for name in ("local", "test", "cluster"):
        config = load_config(PROJECT_ROOT / "conf" / f"{name}.toml")
        assert config.database == "clout"
        assert config.packages.delta.startswith("io.delta:delta-spark_{spark_minor}")


def test_cluster_profile_assumes_nothing_local():
    config = load_config(PROJECT_ROOT / "conf" / "cluster.toml")
    assert config.spark.master == ""
    assert config.packages.resolve is False
    assert not any("/" in v and not v.startswith("{warehouse}") for v in config.spark.conf.values())


def test_unknown_setting_is_an_error(tmp_path):
    profile = tmp_path / "bad.toml"
    profile.write_text("[ingest]\nedge_platform = 'x'\n")
    with pytest.raises(ConfigError, match="unknown settings \\['edge_platform'\\]"):
        load_config(profile)


def test_missing_profile_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_warehouse_names_tables_by_layer():
    warehouse = Warehouse("s3://bucket/clout", "clout")
    assert warehouse.path("silver/events") == "s3://bucket/clout/silver/events"
    assert warehouse.name("silver/events") == "clout.silver_events"
