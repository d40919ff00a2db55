"""The one place that builds the SparkSession, for jobs, tests and notebooks alike.

Delta Lake (and GraphFrames, for the stages that need it) come from Maven Central the
way users get them: ``spark.jars.packages`` resolves them through Ivy into a cache folder
on first use. The resolved jar list is written to a manifest beside the cache, and later
sessions load those files through ``spark.jars``, so a second run needs no network.
On a cluster (``packages.resolve = false``) the jars come from spark-submit instead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

from jobs.common.config import PROJECT_ROOT, CloutConfig

LOG = logging.getLogger(__name__)

INSTALL_HINT = "install the project with `make setup` (or `pip install -e '.[test]'`)"


class DependencyError(RuntimeError):
    """A Python or JVM dependency is missing; the message says how to install it."""


def _require_python_package(module: str, pip_name: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise DependencyError(
            f"Python package '{pip_name}' is not installed (module '{module}' not found): "
            f"{INSTALL_HINT}."
        )


def spark_minor_version() -> str:
    """Returns the running pyspark's ``major.minor``, e.g. ``4.0``."""
    _require_python_package("pyspark", "pyspark")
    import pyspark

    return ".".join(pyspark.__version__.split(".")[:2])


def jvm_packages(config: CloutConfig, with_graphframes: bool) -> list[str]:
    """The Maven coordinates this session needs.

    Args:
        config: The profile.
        with_graphframes: Whether the GraphFrames artifacts are needed.

    Returns:
        Maven coordinates ``group:artifact:version``.
    """
    minor = spark_minor_version()
    packages = [config.packages.delta.format(spark_minor=minor)]
    if with_graphframes:
        packages += [p.format(spark_minor=minor) for p in config.packages.graphframes]
    return packages


def _manifest_path(cache_dir: Path, packages: list[str]) -> Path:
    digest = hashlib.sha256("\n".join(sorted(packages)).encode()).hexdigest()[:16]
    return cache_dir / f"resolved-{digest}.txt"


def cached_jars(cache_dir: Path, packages: list[str]) -> list[str] | None:
    """Jar files resolved earlier for exactly these packages, or None if not all present."""
    manifest = _manifest_path(cache_dir, packages)
    if not manifest.is_file():
        return None
    jars = [line.strip() for line in manifest.read_text().splitlines() if line.strip()]
    if not jars or not all(Path(jar).is_file() for jar in jars):
        return None
    return jars


def _record_resolved_jars(cache_dir: Path, packages: list[str], spark_jars: str) -> None:
    jars = [j.removeprefix("file://") for j in spark_jars.split(",") if j.strip()]
    if jars and all(Path(j).is_file() for j in jars):
        _manifest_path(cache_dir, packages).write_text("\n".join(jars) + "\n")


def _resolution_error(packages: list[str], cache_dir: Path, cause: Exception) -> DependencyError:
    return DependencyError(
        "Spark could not start with the JVM packages "
        + ", ".join(packages)
        + f". They are resolved from Maven Central into {cache_dir} on first use; the Ivy "
        "log above names the artifact that failed. Check that this machine reaches Maven "
        "Central (repo1.maven.org), or fetch the jars on a machine that does and pass them "
        "with spark-submit --jars and a profile with [packages] resolve = false. "
        f"Cause: {cause}"
    )


def build_spark(
    config: CloutConfig,
    warehouse: str | None = None,
    app_name: str | None = None,
    with_graphframes: bool = False,
    extra_conf: Mapping[str, str] | None = None,
    extra_jars: Sequence[str] = (),
):
    """Builds (or returns the running) SparkSession for a profile.

    Args:
        config: The profile.
        warehouse: Warehouse directory; fills ``{warehouse}`` in settings.
        app_name: Application name; defaults to the profile's.
        with_graphframes: Also load the GraphFrames JVM artifacts (graph stages).
        extra_conf: Settings a job adds to the profile's (e.g. a Hive catalog for the
            SQL endpoint); they win over the profile.
        extra_jars: Jar files added to ``spark.jars`` beside the resolved packages (e.g.
            GraphFrames' jar from ``CLOUT_GRAPHFRAMES_JARS`` for the engine parity test).

    Returns:
        A SparkSession with Delta's SQL extension and catalog.

    Raises:
        DependencyError: If pyspark, delta-spark or graphframes-py are not installed, or
            the JVM packages cannot be resolved.
    """
    _require_python_package("pyspark", "pyspark")
    _require_python_package("delta", "delta-spark")
    if with_graphframes:
        _require_python_package("graphframes", "graphframes-py")
    from pyspark.sql import SparkSession

    warehouse_dir = str(Path(warehouse).resolve()) if warehouse else str(Path.cwd() / "warehouse")
    settings = config.spark
    builder = SparkSession.builder.appName(app_name or settings.app_name)
    if settings.master:
        builder = builder.master(settings.master)
    options = {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        **{k: v.replace("{warehouse}", warehouse_dir) for k, v in settings.conf.items()},
        **(extra_conf or {}),
    }

    packages = jvm_packages(config, with_graphframes)
    cache_dir = Path(config.packages.cache_dir).expanduser() if config.packages.cache_dir else None
    resolving = False
    if config.packages.resolve:
        if cache_dir is None:
            raise DependencyError("[packages] resolve = true needs a cache_dir in the profile")
        cache_dir.mkdir(parents=True, exist_ok=True)
        jars = cached_jars(cache_dir, packages)
        if jars:
            options["spark.jars"] = ",".join(jars)
        else:
            resolving = True
            options["spark.jars.packages"] = ",".join(packages)
            options["spark.jars.ivy"] = str(cache_dir / "ivy")
    if extra_jars:
        options["spark.jars"] = ",".join([*filter(None, options.get("spark.jars", "").split(",")), *extra_jars])
    for key, value in options.items():
        builder = builder.config(key, value)

    try:
        spark = builder.getOrCreate()
    except Exception as error:  # the JVM gateway dies when Ivy cannot resolve a package
        if resolving:
            raise _resolution_error(packages, cache_dir, error) from error
        raise
    if resolving:
        resolved = [j for j in spark.sparkContext.getConf().get("spark.jars", "").split(",") if j.removeprefix("file://") not in extra_jars]
        _record_resolved_jars(cache_dir, packages, ",".join(resolved))
    _check_jvm_classes(spark, with_graphframes)

    spark.sparkContext.setLogLevel(settings.log_level)
    spark.sparkContext.setCheckpointDir(settings.checkpoint_dir.replace("{warehouse}", warehouse_dir))
    return spark


def _jar_settings(config: CloutConfig, with_graphframes: bool) -> tuple[Path, list[str]]:
    if not config.packages.resolve or not config.packages.cache_dir:
        raise DependencyError(f"{config.profile} does not resolve JVM packages ([packages] resolve = false)")
    return Path(config.packages.cache_dir).expanduser(), jvm_packages(config, with_graphframes)


def resolve_and_cache_jars(config: CloutConfig, with_graphframes: bool = False) -> list[str]:
    """The jar files of a profile's JVM packages, resolved and cached first (through one
    short local Spark session in this process) when the cache lacks them.

    Raises:
        DependencyError: If the profile does not resolve packages, or resolution fails.
    """
    cache_dir, packages = _jar_settings(config, with_graphframes)
    jars = cached_jars(cache_dir, packages)
    if jars is None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="clout-jars-") as scratch:
            build_spark(config, warehouse=scratch, app_name="clout-resolve-jars", with_graphframes=with_graphframes).stop()
        jars = cached_jars(cache_dir, packages)
    if jars is None:
        raise DependencyError(f"{', '.join(packages)} resolved, but no jar list was cached in {cache_dir}")
    return jars


def jar_files(config: CloutConfig, with_graphframes: bool = False) -> list[str]:
    """The jar files of a profile's JVM packages, for what needs the files themselves (a
    driver class path). A cold cache is filled by ``python -m jobs.jars`` in a separate
    process: a JVM started in this one would keep its class path for good, and the
    session built next could no longer extend it.

    Raises:
        DependencyError: If the profile does not resolve packages, or resolution fails.
    """
    cache_dir, packages = _jar_settings(config, with_graphframes)
    jars = cached_jars(cache_dir, packages)
    if jars is None:
        command = [sys.executable, "-m", "jobs.jars", "--conf", config.profile, *(["--graphframes"] if with_graphframes else [])]
        result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
        jars = cached_jars(cache_dir, packages)
        if result.returncode != 0 or jars is None:
            raise DependencyError(f"resolving {', '.join(packages)} failed: {result.stderr[-2000:]}")
    return jars


def _check_jvm_classes(spark, with_graphframes: bool) -> None:
    """Fails early, with the fix, if the JVM side lacks Delta or GraphFrames."""
    needed = {"io.delta.tables.DeltaTable": "Delta Lake (io.delta:delta-spark)"}
    if with_graphframes:
        needed["org.graphframes.GraphFrame"] = "GraphFrames (io.graphframes:graphframes-spark4)"
    loader = spark._jvm.java.lang.Thread.currentThread().getContextClassLoader()
    for class_name, what in needed.items():
        try:
            spark._jvm.java.lang.Class.forName(class_name, False, loader)
        except Exception as error:
            raise DependencyError(
                f"{what} is not on Spark's classpath. With [packages] resolve = true the "
                "session resolves it from Maven Central; on a cluster pass it with "
                "spark-submit --packages (see README, 'spark-submit on a cluster')."
            ) from error
