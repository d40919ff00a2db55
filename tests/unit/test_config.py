import pytest

from jobs.common.config import PROJECT_ROOT, ConfigError, Ramp, load_config
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


def test_quality_signals_are_read_as_typed_ramps(tmp_path):
    profile = tmp_path / "q.toml"
    profile.write_text(
        "[quality]\ninactive_days = 60\n[quality.spam]\nrepeated_link = [0.5, 0.9, 8]\n"
        "[quality.ring]\nmin_ring_size = 4\ninternal_share = {start = 0.3, full = 0.6}\n"
    )
    quality = load_config(profile).quality
    assert quality.inactive_days == 60
    assert quality.spam.repeated_link == Ramp(0.5, 0.9, 8)
    assert quality.spam.repeated_text == Ramp(0.3, 0.7, 5)  # untouched default
    assert quality.ring.min_ring_size == 4
    assert quality.ring.internal_share == Ramp(0.3, 0.6, 1)


def test_unknown_quality_signal_setting_is_an_error(tmp_path):
    profile = tmp_path / "q.toml"
    profile.write_text("[quality.spam]\nrepeated_links = [0.5, 0.9]\n")
    with pytest.raises(ConfigError, match=r"\[quality.spam\] has unknown settings \['repeated_links'\]"):
        load_config(profile)
