"""Connected components as a Pregel program (min-label propagation).

Account quality chains ring partners into groups with it: the graphs are small (only pairs
of accounts that engaged the same posts again and again), so the program sends every
label along every edge both ways until none changes.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from transforms.graph.pregel import ENGINE_DATAFRAME, PregelProgram, VertexColumn, dst, msg, previous, run_pregel, src


def components_program(max_iterations: int) -> PregelProgram:
    """Each vertex takes the smallest label among its own and its neighbours'; the run
    stops when no label changed in an iteration."""
    return PregelProgram(
        columns=(VertexColumn("component", F.col("id"), F.least(F.col("component"), msg())),),
        aggregate=F.min(msg()),
        to_dst=src("component"),
        to_src=dst("component"),
        src_columns=("component",),
        dst_columns=("component",),
        max_iterations=max_iterations,
        convergence=F.sum((F.col("component") != previous("component")).cast("long")),
        tolerance=0.0,
    )


def connected_components(edges: DataFrame, keys: tuple[str, ...], max_iterations: int = 32, engine: str = ENGINE_DATAFRAME) -> DataFrame:
    """Labels each vertex with the smallest vertex id of its component.

    Runs the Pregel program of :func:`components_program` (one Spark job per iteration:
    this function's purpose is the iteration). A vertex id is ``struct(*keys, vertex)``,
    so graphs that never meet (one per platform) run as one graph.

    Args:
        edges: Undirected edges ``(*keys, src, dst)``; ``keys`` (e.g. ``platform``) split
            the graph into graphs that never meet.
        keys: Columns that every edge and vertex carries.
        max_iterations: Iterations after which labels that still change are an error.
        engine: ``dataframe`` or ``graphframes`` (see :mod:`transforms.graph.engine`).

    Returns:
        ``(*keys, vertex, component)`` for every vertex that has an edge.

    Raises:
        RuntimeError: If labels still change after ``max_iterations`` iterations.
    """
    def vertex_id(column: str) -> F.Column:
        return F.struct(*[F.col(k) for k in keys], F.col(column).alias("vertex"))

    graph_edges = edges.select(vertex_id("src").alias("src"), vertex_id("dst").alias("dst"))
    vertices = graph_edges.select(F.col("src").alias("id")).unionByName(graph_edges.select(F.col("dst").alias("id"))).distinct()
    program = components_program(max_iterations)
    # GraphFrames' Pregel has no convergence test; one iteration more than the longest
    # chain settles it too, so it runs max_iterations and its result is checked the same way.
    run = run_pregel(vertices, graph_edges, program, engine)
    if run.engine == ENGINE_DATAFRAME and not run.converged:
        raise RuntimeError(f"connected components did not settle in {max_iterations} iterations; raise max_iterations")
    return run.vertices.select(*[F.col(f"id.{k}").alias(k) for k in keys], F.col("id.vertex").alias("vertex"), F.col("component.vertex").alias("component"))
