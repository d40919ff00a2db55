import pytest

from jobs.common.config import PROJECT_ROOT, ConfigError, PrivacySettings, Ramp, load_config
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


def test_command_line_overrides_win_over_the_profile_and_keep_their_types():
    config = load_config(
        PROJECT_ROOT / "conf" / "cluster.toml",
        [
            "quality.model=file:///models/quality/v2",
            "spark.shuffle_partitions=4",
            "spark.conf.spark.executor.memory=2g",
            "quality.spam.repeated_link=[0.5, 0.9, 7]",
        ],
    )
    assert config.quality.model == "file:///models/quality/v2"
    assert config.spark.shuffle_partitions == 4
    assert config.spark.conf["spark.executor.memory"] == "2g"
    assert config.spark.conf["spark.sql.session.timeZone"] == "UTC"
    assert config.quality.spam.repeated_link == Ramp(0.5, 0.9, 7)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("quality.modle=x", "unknown settings \\['modle'\\]"),
        ("quality.model", "is not section.key=value"),
        ("model=x", "is not section.key=value"),
        ("qualty.model=x", "no section \\[qualty\\]"),
        ("catalog.databse=x", "\\[catalog\\] has unknown settings \\['databse'\\]"),
        ("quality.model.path=x", "model is a value, not a section"),
        ("quality.spam.repeated_text=0.5", "repeated_text must be \\[start, full, min_evidence\\], got 0.5"),
        ("quality.spam.repeated_text=[0.5, 0.9]", "repeated_text must be \\[start, full, min_evidence\\]"),
    ],
)
def test_a_bad_override_is_an_error_that_names_it(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(PROJECT_ROOT / "conf" / "test.toml", [override])


def test_the_databricks_job_runs_the_pipeline_with_a_profile_that_loads(monkeypatch):
    import json

    from jobs.pipeline import parse_args

    job = json.loads((PROJECT_ROOT / "conf" / "databricks" / "clout-daily-job.json").read_text())
    (task,) = job["tasks"]
    script = PROJECT_ROOT / task["spark_python_task"]["python_file"]
    assert script.is_file()
    args = parse_args(task["spark_python_task"]["parameters"])
    # Databricks runs the script from its own folder: the relative profile must still load.
    monkeypatch.chdir(script.parent)
    config = load_config(args.conf, args.overrides)
    assert config.packages.resolve is False  # the cluster's libraries bring the jars
    assert config.quality.model.startswith("/Volumes/")
    # Unity Catalog allows no table inside a volume: the warehouse is an external location.
    assert "://" in args.warehouse and not args.warehouse.startswith("/Volumes")


def test_a_job_given_a_bad_override_exits_with_the_reason():
    from jobs.pipeline import main

    with pytest.raises(SystemExit, match="clout: override 'qualty.model=x': no section \\[qualty\\]"):
        main(["--warehouse", "unused", "--stages", "quality", "--set", "qualty.model=x"])


def test_graph_and_metrics_settings_are_typed_and_checked(tmp_path):
    config = load_config(PROJECT_ROOT / "conf" / "test.toml", ["graph.engine=graphframes", "graph.pagerank.alpha=0.9", "metrics.window_days=30"])
    assert (config.graph.engine, config.graph.pagerank.alpha, config.graph.pagerank.tol, config.metrics.window_days) == ("graphframes", 0.9, 1e-7, 30)
    assert load_config(PROJECT_ROOT / "conf" / "local.toml").graph.engine == "auto"
    with pytest.raises(ConfigError, match="engine must be one of"):
        load_config(PROJECT_ROOT / "conf" / "test.toml", ["graph.engine=graphx"])
    with pytest.raises(ConfigError, match="pagerank_prior must be one of"):
        load_config(PROJECT_ROOT / "conf" / "test.toml", ["metrics.pagerank_prior=followers"])
    with pytest.raises(ConfigError, match=r"unknown settings \['damping'\]"):
        load_config(PROJECT_ROOT / "conf" / "test.toml", ["graph.pagerank.damping=0.9"])


def test_pseudonymising_without_a_salt_in_the_environment_fails_with_how_to_set_it(monkeypatch):
    monkeypatch.delenv("CLOUT_TEST_SALT", raising=False)
    with pytest.raises(ConfigError, match="CLOUT_TEST_SALT.*openssl rand -hex 32.*unset"):
        PrivacySettings(pseudonymise=True, salt_env="CLOUT_TEST_SALT").salt()
    monkeypatch.setenv("CLOUT_TEST_SALT", "short")
    with pytest.raises(ConfigError, match="too short"):
        PrivacySettings(pseudonymise=True, salt_env="CLOUT_TEST_SALT").salt()
