"""Which engine runs the graph programs: the DataFrame runner or GraphFrames' Pregel.

``[graph] engine`` in a profile: ``dataframe`` (the project's runner, always available),
``graphframes`` (``GraphFrame(v, e).pregel``, for clusters that have GraphFrames' jar) or
``auto`` (GraphFrames when its JVM class loads, else the runner). A job resolves it once
and says in its run log which engine ran.
"""

from __future__ import annotations

import importlib.util

from pyspark.sql import SparkSession

from transforms.graph.pregel import ENGINE_DATAFRAME, ENGINE_GRAPHFRAMES

ENGINE_AUTO = "auto"
ENGINES = (ENGINE_AUTO, ENGINE_DATAFRAME, ENGINE_GRAPHFRAMES)
GRAPHFRAMES_CLASS = "org.graphframes.GraphFrame"
GRAPHFRAMES_INSTALL = (
    "add GraphFrames' JVM package to the cluster: spark-submit --packages "
    "io.graphframes:graphframes-spark4_2.13:0.12.3 (the version of graphframes-py), or --jars with its jar, "
    "or a Databricks ML runtime; or set [graph] engine = \"dataframe\" (or \"auto\") to use the project's runner"
)


class GraphEngineUnavailable(RuntimeError):
    """The engine asked for cannot run here; the message says how to install it."""


def graphframes_python_installed() -> bool:
    """Whether the ``graphframes`` Python package (PyPI ``graphframes-py``) is importable."""
    return importlib.util.find_spec("graphframes") is not None


def graphframes_jvm_loaded(spark: SparkSession) -> bool:
    """Whether GraphFrames' JVM classes are on the session's class path."""
    loader = spark._jvm.java.lang.Thread.currentThread().getContextClassLoader()
    try:
        spark._jvm.java.lang.Class.forName(GRAPHFRAMES_CLASS, False, loader)
    except Exception:  # py4j raises Py4JJavaError wrapping ClassNotFoundException
        return False
    return True


def resolve_engine(spark: SparkSession, requested: str) -> str:
    """The concrete engine (``dataframe`` or ``graphframes``) for a requested one.

    Raises:
        GraphEngineUnavailable: If ``graphframes`` is asked for and its Python package or
            its JVM jar is missing.
        ValueError: If the name is not one of :data:`ENGINES`.
    """
    if requested not in ENGINES:
        raise ValueError(f"[graph] engine must be one of {list(ENGINES)}, got {requested!r}")
    if requested == ENGINE_DATAFRAME:
        return ENGINE_DATAFRAME
    python_ok = graphframes_python_installed()
    jvm_ok = graphframes_jvm_loaded(spark)
    if requested == ENGINE_AUTO:
        return ENGINE_GRAPHFRAMES if python_ok and jvm_ok else ENGINE_DATAFRAME
    if not python_ok:
        raise GraphEngineUnavailable(
            "[graph] engine = \"graphframes\" needs the Python package graphframes-py: pip install graphframes-py==0.12.3 "
            "(make setup installs it)"
        )
    if not jvm_ok:
        raise GraphEngineUnavailable(f"[graph] engine = \"graphframes\" but {GRAPHFRAMES_CLASS} is not on Spark's class path: {GRAPHFRAMES_INSTALL}")
    return ENGINE_GRAPHFRAMES
