"""Typed configuration loaded from the TOML profiles in ``conf/``.

Code never hardcodes paths or thresholds: every job reads one profile (``--conf``), and
the dataclasses below are the only way settings reach the code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = PROJECT_ROOT / "conf" / "local.toml"


class ConfigError(ValueError):
    """A profile is missing, unreadable or has a setting of the wrong kind."""


@dataclass(frozen=True)
class SparkSettings:
    """How the SparkSession is built.

    Attributes:
        master: Spark master URL; empty means "whatever spark-submit says".
        app_name: Application name shown in the Spark UI and logs.
        shuffle_partitions: ``spark.sql.shuffle.partitions``.
        checkpoint_dir: Checkpoint directory; ``{warehouse}`` is replaced by the warehouse.
        log_level: Log level of the Spark context.
        conf: Any other Spark setting, passed as it is.
    """

    master: str = ""
    app_name: str = "clout"
    shuffle_partitions: int = 200
    checkpoint_dir: str = "{warehouse}/_checkpoints"
    log_level: str = "WARN"
    conf: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageSettings:
    """Where the JVM packages (Delta, GraphFrames) come from.

    Attributes:
        resolve: Resolve them from Maven Central through ``spark.jars.packages`` and cache
            them; when false they must come from spark-submit (``--packages``/``--jars``).
        cache_dir: Folder that keeps the resolved jars, so a second run needs no network.
        delta: Maven coordinate of Delta; ``{spark_minor}`` is the running Spark minor.
        graphframes: Maven coordinates of the GraphFrames JVM artifacts.
    """

    resolve: bool = True
    cache_dir: str = "~/.cache/clout/jars"
    delta: str = "io.delta:delta-spark_{spark_minor}_2.13:4.4.0"
    graphframes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestSettings:
    """Settings of the ingest stage.

    Attributes:
        edges_platform: Platform name of accounts in the SNAP ``edges/`` source.
        research_csv_platform: Platform name of accounts in the ``research_csv/`` source.
        file_suffixes: File name endings that are read from a source folder.
    """

    edges_platform: str = "snap"
    research_csv_platform: str = "twitter"
    file_suffixes: tuple[str, ...] = (".json", ".jsonl", ".ndjson", ".txt", ".csv", ".gz")


@dataclass(frozen=True)
class CloutConfig:
    """One whole profile.

    Attributes:
        profile: Path of the TOML file it was read from.
        spark: SparkSession settings.
        packages: JVM package settings.
        database: Catalog database that every table is registered in.
        ingest: Ingest stage settings.
    """

    profile: str
    spark: SparkSettings
    packages: PackageSettings
    database: str
    ingest: IngestSettings


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table, got {type(value).__name__}")
    return value


def _build(cls: type, values: dict[str, Any], section: str) -> Any:
    known = set(cls.__dataclass_fields__)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"[{section}] has unknown settings {unknown}; known: {sorted(known)}")
    converted = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**converted)


def load_config(path: str | os.PathLike[str] | None = None) -> CloutConfig:
    """Reads a profile.

    Args:
        path: TOML profile; defaults to ``conf/local.toml`` of the project.

    Returns:
        The typed configuration.

    Raises:
        ConfigError: If the file is missing or a setting is unknown or malformed.
    """
    profile = Path(path) if path else DEFAULT_PROFILE
    if not profile.is_file():
        raise ConfigError(f"configuration profile {profile} does not exist (see conf/*.toml)")
    try:
        raw = tomllib.loads(profile.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{profile} is not valid TOML: {error}") from error

    spark_raw = dict(_section(raw, "spark"))
    spark_conf = {str(k): str(v) for k, v in spark_raw.pop("conf", {}).items()}
    packages_raw = dict(_section(raw, "packages"))
    if isinstance(packages_raw.get("graphframes"), str):
        packages_raw["graphframes"] = [packages_raw["graphframes"]]
    catalog = _section(raw, "catalog")
    return CloutConfig(
        profile=str(profile),
        spark=_build(SparkSettings, {**spark_raw, "conf": spark_conf}, "spark"),
        packages=_build(PackageSettings, packages_raw, "packages"),
        database=str(catalog.get("database", "clout")),
        ingest=_build(IngestSettings, _section(raw, "ingest"), "ingest"),
    )
