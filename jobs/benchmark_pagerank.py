"""Benchmark: the project's weighted PageRank against GraphX's built-in PageRank.

``python -m jobs.benchmark_pagerank --edges FILE --out DIR`` reads a ``src dst weight``
edge list (plain or gzipped, ``#`` comments) and, in one SparkSession, times

- the project's weighted PageRank (:func:`transforms.graph.pagerank.weighted_pagerank`,
  on the engine ``--engine`` resolves to) for a fixed number of iterations;
- GraphX's ``PageRank.run`` on the same file and iteration count, through py4j. It is
  unweighted (``GraphLoader`` drops the weight column), and it is what GraphFrames' own
  ``pageRank`` runs underneath: the yardstick a Spark user would reach for first;
- the weighted PageRank once more until it converges to ``--tol``, whose ranks it writes
  as Parquet ``(id, rank)`` to ``--out``.

Seconds per iteration are what is compared, fixed costs (partitioning and caching the
graph, normalising the ranks) left out, each engine warmed up by ``--warmup`` runs first
(the JVM compiles the code of either only after it has run a while). The
runner times its iterations itself: the median over ``--repeats`` runs (each run's first
iteration left out) is its figure. GraphX
does not: its figure is the difference of runs of ``N`` and ``2N`` iterations over ``N``,
the median of ``--repeats`` such pairs, so that what both runs pay once cancels. The
line ``ratio R`` is the first over the second. The same difference between the
converged and the ``N``-iteration weighted run is printed as a check of the median.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from transforms.graph.engine import ENGINES, resolve_engine  # noqa: E402
from transforms.graph.pagerank import PageRankSettings, weighted_pagerank  # noqa: E402
from transforms.graph.pregel import ENGINE_GRAPHFRAMES, PregelRun, graph_partitions  # noqa: E402

EDGE_SCHEMA = "src long, dst long, weight double"
ALPHA = 0.85
CONVERGENCE_MAX_ITER = 500
# GraphLoader cannot split a gzipped file: when it reads fewer edge partitions than the
# runner uses, the edges are spread over as many with this GraphX strategy.
GRAPHX_PARTITION_STRATEGY = "EdgePartition2D"


def read_edges(spark: SparkSession, path: str) -> DataFrame:
    """The edge list ``(src, dst, weight)``, spread over at least the session's cores
    (a gzipped file reads as one partition) and cached.

    Args:
        spark: The session.
        path: A space-separated ``src dst weight`` file, plain or gzipped; lines
            starting with ``#`` are ignored.

    Returns:
        The cached edges; lines without both ends are dropped.
    """
    edges = spark.read.csv(path, sep=" ", schema=EDGE_SCHEMA, comment="#").dropna(subset=["src", "dst"])
    parallelism = spark.sparkContext.defaultParallelism
    if edges.rdd.getNumPartitions() < parallelism:
        edges = edges.repartition(parallelism)
    return edges.cache()


def edge_list_vertices(edges: DataFrame) -> DataFrame:
    """``(id)``: the distinct ids at either end of an edge, cached."""
    ends = edges.select(F.col("src").alias("id")).union(edges.select(F.col("dst").alias("id")))
    return ends.distinct().cache()


def timed_pagerank(vertices: DataFrame, edges: DataFrame, settings: PageRankSettings, engine: str) -> tuple[PregelRun, float]:
    """One weighted PageRank run and its wall seconds, setup and normalised ranks included.

    Returns:
        The run (its ranks computed once) and the seconds it took.
    """
    started = time.perf_counter()
    run = weighted_pagerank(vertices, edges, settings, engine)
    run.vertices.count()
    return run, time.perf_counter() - started


def median_after_first(runs: list[tuple[float, ...]]) -> float | None:
    """The median of the iterations' seconds over several runs, each run's first (it
    materialises the initial state) left out when there are others; None when the engine
    does not time its iterations."""
    seconds = [s for run in runs for s in (run[1:] or run)]
    return statistics.median(seconds) if seconds else None


class GraphXPageRank:
    """GraphX's built-in (unweighted) PageRank on an edge-list file, through py4j.

    Args:
        spark: The session.
        path: The edge-list file (GraphLoader reads its first two columns).
        partitions: Edge partitions of the graph.
    """

    def __init__(self, spark: SparkSession, path: str, partitions: int) -> None:
        self._jvm = spark._jvm
        graphx = self._jvm.org.apache.spark.graphx
        level = self._jvm.org.apache.spark.storage.StorageLevel.MEMORY_ONLY()
        graph = graphx.GraphLoader.edgeListFile(spark.sparkContext._jsc.sc(), path, False, partitions, level, level)
        if graph.edges().getNumPartitions() < partitions:
            graph = graph.partitionBy(graphx.PartitionStrategy.fromString(GRAPHX_PARTITION_STRATEGY), partitions)
        self._graph = graph.cache()
        self._graph.edges().count()
        self.partitions = self._graph.edges().getNumPartitions()

    def seconds(self, iterations: int) -> float:
        """Wall seconds of ``PageRank.run`` for a number of iterations, ranks computed."""
        tag = self._jvm.scala.reflect.ClassTag.Int()
        started = time.perf_counter()
        ranks = self._jvm.org.apache.spark.graphx.lib.PageRank.run(self._graph, iterations, 1.0 - ALPHA, tag, tag)
        ranks.vertices().count()
        elapsed = time.perf_counter() - started
        ranks.unpersist(False)
        return elapsed

    def unpersist(self) -> None:
        """Frees the cached graph."""
        self._graph.unpersist(False)


def local_or_uri(path: str) -> str:
    """An absolute path for a local file (GraphLoader resolves paths on the executors),
    a URI as it is."""
    return path if "://" in path else str(Path(path).resolve())


def graphx_seconds_per_iteration(graphx: GraphXPageRank, iterations: int, repeats: int, warmup: int) -> tuple[float, list[float], list[float]]:
    """GraphX's seconds per iteration: runs of ``iterations`` and twice as many, after a
    ``warmup`` runs, the difference of each pair over ``iterations``, median of the pairs.

    Returns:
        The median difference, and the seconds of the short and of the long runs.
    """
    for _ in range(warmup):
        graphx.seconds(iterations)  # warm-up: JIT, the graph's first traversal
    short, long = [], []
    for _ in range(repeats):
        short.append(graphx.seconds(iterations))
        long.append(graphx.seconds(2 * iterations))
    return statistics.median((b - a) / iterations for a, b in zip(short, long)), short, long


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.benchmark_pagerank", description=__doc__.splitlines()[0])
    parser.add_argument("--edges", required=True, help="space-separated 'src dst weight' edge list, plain or gzipped")
    parser.add_argument("--iterations", type=int, default=20, help="iterations of the fixed-count runs (default 20)")
    parser.add_argument("--tol", type=float, default=1e-9, help="L1 tolerance of the converged run (default 1e-9)")
    parser.add_argument("--out", required=True, help="folder the converged ranks are written to (Parquet, overwritten)")
    parser.add_argument("--engine", choices=ENGINES, default="dataframe", help="engine of the weighted runner (default dataframe)")
    parser.add_argument("--repeats", type=int, default=3, help="pairs of GraphX runs whose median is taken (default 3)")
    parser.add_argument("--warmup", type=int, default=2, help="runs of --iterations before each engine is timed (default 2)")
    parser.add_argument("--warehouse", default=None, help="session warehouse (checkpoints); default a temporary folder")
    add_profile_arguments(parser)
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.repeats < 1 or args.warmup < 1:
        parser.error("--iterations, --repeats and --warmup must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    warehouse = args.warehouse or tempfile.mkdtemp(prefix="clout-bench-pagerank-")
    spark = build_spark(config, warehouse=warehouse, app_name="clout-benchmark-pagerank", with_graphframes=args.engine == ENGINE_GRAPHFRAMES)
    try:
        engine = resolve_engine(spark, args.engine)
        n = args.iterations
        edges = read_edges(spark, args.edges)
        vertices = edge_list_vertices(edges)
        edge_count, vertex_count = edges.count(), vertices.count()
        fixed = PageRankSettings(alpha=ALPHA, tol=0.0, max_iter=n)

        for _ in range(args.warmup):
            timed_pagerank(vertices, edges, fixed, engine)  # warm-up: JIT, first plans
        # As many runs as GraphX's pairs below, so both figures are medians over repeats.
        runs = [timed_pagerank(vertices, edges, fixed, engine) for _ in range(args.repeats)]
        run, wall = runs[0]
        partitions = run.partitions or graph_partitions(edge_count, spark.sparkContext.defaultParallelism, fixed.edges_per_partition)
        print(f"graph: {args.edges}, {vertex_count:,} vertices, {edge_count:,} edges, {partitions} partitions, engine {engine}")
        weighted = median_after_first([r.seconds for r, _ in runs])
        if weighted is None:
            # GraphFrames' Pregel does not time its iterations: the difference of two runs.
            _, wall_double = timed_pagerank(vertices, edges, PageRankSettings(alpha=ALPHA, tol=0.0, max_iter=2 * n), engine)
            weighted = (wall_double - wall) / n
            print(f"weighted pagerank ({engine} runner): {weighted:.3f} s per iteration (difference of {2 * n} and {n} iterations), {wall:.3f} s with setup")
        else:
            print(
                f"weighted pagerank ({engine} runner): {weighted:.3f} s per iteration (median of {len(runs)} runs of "
                f"{run.iterations} iterations, each run's first left out), walls {' / '.join(f'{w:.3f}' for _, w in runs)} s with setup"
            )

        graphx = GraphXPageRank(spark, local_or_uri(args.edges), partitions)
        graphx_per_iteration, short, long = graphx_seconds_per_iteration(graphx, n, args.repeats, args.warmup)
        graphx.unpersist()
        print(f"graphx PageRank.run (unweighted, built-in): {graphx_per_iteration:.3f} s per iteration")
        print(
            f"graphx runs ({graphx.partitions} edge partitions): {n} iterations {' / '.join(f'{s:.3f}' for s in short)} s, "
            f"{2 * n} iterations {' / '.join(f'{s:.3f}' for s in long)} s"
        )
        print(f"ratio {weighted / graphx_per_iteration:.3g}")

        if engine == ENGINE_GRAPHFRAMES:
            # GraphFrames' Pregel has no convergence test: it would run all its iterations.
            print(f"engine {engine} has no convergence test: time to converge not measured; writing the {n}-iteration ranks")
            ranks = run.vertices
        else:
            converging = PageRankSettings(alpha=ALPHA, tol=args.tol, max_iter=CONVERGENCE_MAX_ITER)
            converged, seconds = timed_pagerank(vertices, edges, converging, engine)
            state = "converged" if converged.converged else "did not converge"
            print(f"{state} to tol {args.tol:g} in {converged.iterations} iterations, {seconds:.3f} s (L1 change {converged.change:.2e})")
            if converged.iterations > n:
                # Both runs compute the L1 change every iteration: they differ only in how many they run.
                difference = (seconds - wall) / (converged.iterations - n)
                print(
                    f"weighted pagerank ({engine} runner), difference of the {converged.iterations}- and {n}-iteration runs: "
                    f"{difference:.3f} s per iteration, {difference / graphx_per_iteration:.3g} times graphx"
                )
            ranks = converged.vertices
        ranks.select("id", "rank").write.mode("overwrite").parquet(args.out)
        print(f"ranks written to {args.out}")
    finally:
        spark.stop()
        if args.warehouse is None:
            shutil.rmtree(warehouse, ignore_errors=True)


if __name__ == "__main__":
    main()
