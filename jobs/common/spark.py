"""The one place that builds the SparkSession, for jobs, tests and notebooks alike.

Delta Lake (and GraphFrames, for the stages that need it) come from Maven Central the
way users get them: ``spark.jars.packages`` resolves them through Ivy into a cache folder
on first use. The resolved jar list is written to a manifest beside the cache, and later
sessions load those files through ``spark.jars``, so a second run needs no network.
On a cluster (``packages.resolve = false``) the jars come from spark-submit instead.

Spark's own log (the driver JVM's log4j2, and what the JVM prints besides: Ivy's report, the
JDK's warnings) goes to ``<warehouse>/_logs/<app>-<timestamp>.log`` when this process starts
the JVM, so the console keeps the run log's lines; ``verbose`` (a job's ``--verbose``) keeps
it on the console. Under spark-submit the JVM is started before the job: its log4j2 setup
stays as spark-submit made it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import logging
import os
import shlex
import subprocess
import sys
import tempfile
import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator, Mapping, Sequence
from urllib.parse import urlsplit

from jobs.common import run_log
from jobs.common.config import PROJECT_ROOT, CloutConfig

LOG = logging.getLogger(__name__)

INSTALL_HINT = "install the project with `make setup` (or `pip install -e '.[test]'`)"

LOG4J2_FILE_CONFIG = PROJECT_ROOT / "conf" / "log4j2-file.properties"
_LOG4J_CONFIG_OPTIONS = ("-Dlog4j2.configurationFile=", "-Dlog4j.configurationFile=")

# What build_spark does when not told: the command line's --verbose (jobs.common.cli).
_verbose_default = False


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


def _resolution_error(packages: list[str], cache_dir: Path, cause: Exception, spark_log: Path | None) -> DependencyError:
    where = f"Ivy's report, at the end of {spark_log}, names" if spark_log else "the Ivy log above names"
    return DependencyError(
        "Spark could not start with the JVM packages "
        + ", ".join(packages)
        + f". They are resolved from Maven Central into {cache_dir} on first use; {where} "
        "the artifact that failed. Check that this machine reaches Maven "
        "Central (repo1.maven.org), or fetch the jars on a machine that does and pass them "
        "with spark-submit --jars and a profile with [packages] resolve = false. "
        f"Cause: {cause}"
        + (f"\nLast lines of {spark_log}:\n{_tail(spark_log)}" if spark_log else "")
    )


def log_spark_to_console(verbose: bool) -> None:
    """Sets what :func:`build_spark` does when its caller does not say: ``True`` leaves
    Spark's own log on the console. A job's ``--verbose`` comes here through
    :func:`jobs.common.cli.profile_from`; the JVM, and so its log, is one per process."""
    global _verbose_default
    _verbose_default = verbose


def _is_uri(path: str) -> bool:
    return len(urlsplit(path).scheme) > 1  # "C:\\..." is a drive, not a scheme


def spark_log_file(warehouse: str | None, app_name: str, java_options: str = "", verbose: bool | None = None) -> tuple[Path | None, str]:
    """Where Spark's own log goes for a driver JVM started now, and a note on the place.

    Args:
        warehouse: The session's warehouse (default ``./warehouse``).
        app_name: The application, first part of the file name.
        java_options: The profile's ``spark.driver.extraJavaOptions``.
        verbose: Console instead of a file; ``None``: as :func:`log_spark_to_console` set.

    Returns:
        ``<warehouse>/_logs/<app>-<timestamp>.log`` (its folder made), or a file in a local
        temp folder when the warehouse is no local folder (``s3://...``), the note then
        saying why; or ``None`` for the console: ``verbose``, or java options that name
        their own log4j2 configuration.
    """
    if (_verbose_default if verbose is None else verbose) or any(option in java_options for option in _LOG4J_CONFIG_OPTIONS):
        return None, ""
    name = f"{app_name}-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    root = warehouse or str(Path.cwd() / "warehouse")
    if _is_uri(root) and urlsplit(root).scheme != "file":
        folder, why = Path(tempfile.gettempdir()) / "clout-logs", f" (the warehouse {root} is not a local folder)"
    else:
        folder, why = Path(urlsplit(root).path if _is_uri(root) else root).resolve() / "_logs", ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        folder, why = Path(tempfile.gettempdir()) / "clout-logs", f" ({folder} cannot be written: {error.strerror})"
        folder.mkdir(parents=True, exist_ok=True)
    return folder / name, why


def _file_logging_options(java_options: str, log_file: Path, level: str) -> str:
    """``spark.driver.extraJavaOptions`` with the log4j2 configuration that writes to ``log_file``."""
    if not LOG4J2_FILE_CONFIG.is_file():  # an installed wheel: the JVM's output still goes to the file
        return java_options
    ours = [f"-Dlog4j2.configurationFile={LOG4J2_FILE_CONFIG}", f"-Dclout.spark.log={log_file}", f"-Dclout.spark.log.level={level}"]
    return " ".join(filter(None, [java_options, *map(shlex.quote, ours)]))


@contextmanager
def _process_output_to(log_file: Path) -> Iterator[None]:
    """Points this process's standard output and error at ``log_file`` while the block runs.

    The JVM that pyspark starts in the block inherits them, and keeps them: what it prints
    outside log4j2 (Ivy's resolution report, the JDK's "Using incubator modules") goes to
    the file for good, while this process gets its own back at the end of the block.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        saved = os.dup(1), os.dup(2)
    except OSError:  # no standard output to point anywhere
        yield
        return
    with open(log_file, "ab") as target:
        os.dup2(target.fileno(), 1)
        os.dup2(target.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, original in zip((1, 2), saved):
            os.dup2(original, fd)
            os.close(original)


def _python_side_to(log_file: Path) -> None:
    """pyspark's and py4j's own Python warnings and py4j's log records go to the file too."""
    handler = logging.FileHandler(log_file, delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    py4j_log = logging.getLogger("py4j")
    py4j_log.addHandler(handler)
    py4j_log.propagate = False
    libraries = tuple(str(Path(importlib.util.find_spec(name).origin).parent) + os.sep for name in ("pyspark", "py4j"))
    show = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if file is None and str(filename).startswith(libraries):
            with open(log_file, "a", encoding="utf-8") as out:
                out.write(warnings.formatwarning(message, category, filename, lineno, line))
        else:
            show(message, category, filename, lineno, file, line)

    warnings.showwarning = showwarning


def _tail(log_file: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def build_spark(
    config: CloutConfig,
    warehouse: str | None = None,
    app_name: str | None = None,
    with_graphframes: bool = False,
    extra_conf: Mapping[str, str] | None = None,
    extra_jars: Sequence[str] = (),
    verbose: bool | None = None,
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
        verbose: Leave Spark's own log on the console. Otherwise, when this call starts the
            JVM, the log goes to ``<warehouse>/_logs/<app>-<timestamp>.log`` (a local temp
            folder for a warehouse URI) and the run log says where. ``None``: as the job's
            ``--verbose`` said (:func:`log_spark_to_console`). A profile whose
            ``spark.driver.extraJavaOptions`` names its own log4j2 configuration keeps it.

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
    from pyspark import SparkContext
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
    # The driver JVM starts in this call unless one runs already (an earlier session of
    # this process, or spark-submit's): only then do its Java options and output apply.
    spark_log, why = None, ""
    if getattr(SparkContext, "_gateway", None) is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        java_options = options.get("spark.driver.extraJavaOptions", "")
        spark_log, why = spark_log_file(warehouse, app_name or settings.app_name, java_options, verbose)
        if spark_log:
            options["spark.driver.extraJavaOptions"] = _file_logging_options(java_options, spark_log, settings.log_level)
    for key, value in options.items():
        builder = builder.config(key, value)

    try:
        with _process_output_to(spark_log) if spark_log else nullcontext():
            spark = builder.getOrCreate()
    except Exception as error:  # the JVM gateway dies when Ivy cannot resolve a package
        if resolving:
            raise _resolution_error(packages, cache_dir, error, spark_log) from error
        if spark_log:
            print(f"[clout] Spark did not start. Last lines of {spark_log}:\n{_tail(spark_log)}", file=sys.stderr, flush=True)
        raise
    if spark_log:
        _python_side_to(spark_log)
        run_log.note("spark_log", f"Spark's log: {spark_log}{why}", path=str(spark_log))
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
