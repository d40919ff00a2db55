"""Graph algorithms on plain DataFrames, for small derived graphs.

GraphFrames cannot be resolved where the project is built (its JVM artifacts are not on
the Maven Central this project reaches), so the one graph algorithm account quality needs,
connected components of the ring-partner graph, is written here with joins. The graphs it
runs on are small: only pairs of accounts that engaged the same posts again and again.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def connected_components(edges: DataFrame, keys: tuple[str, ...], max_iterations: int = 30) -> DataFrame:
    """Labels each vertex with the smallest vertex id of its component (min-label propagation).

    Iterates until no label changes; each round costs one join, one aggregation and one
    count (this function's purpose is the iteration), and each round's labels are
    checkpointed so lineage does not grow with the rounds.

    Args:
        edges: Undirected edges ``(*keys, src, dst)``; ``keys`` (e.g. ``platform``) split
            the graph into graphs that never meet.
        keys: Columns that every edge and vertex carries.
        max_iterations: Rounds after which the labels are returned even if a chain of
            vertices longer than this has not settled (raises instead of hiding it).

    Returns:
        ``(*keys, vertex, component)`` for every vertex that has an edge.

    Raises:
        RuntimeError: If labels still change after ``max_iterations`` rounds.
    """
    both = edges.select(*keys, "src", "dst").unionByName(edges.select(*keys, F.col("dst").alias("src"), F.col("src").alias("dst")))
    labels = both.groupBy(*keys, F.col("src").alias("vertex")).agg(F.least(F.min("dst"), F.first("src")).alias("component"))
    labels = labels.localCheckpoint(eager=True)
    for _ in range(max_iterations):
        spread = (
            both.join(labels.withColumnRenamed("vertex", "src"), [*keys, "src"])
            .groupBy(*keys, F.col("dst").alias("vertex"))
            .agg(F.min("component").alias("offered"))
        )
        updated = (
            labels.join(spread, [*keys, "vertex"], "left")
            .select(*keys, "vertex", F.least("component", F.coalesce("offered", "component")).alias("component"), (F.col("offered") < F.col("component")).alias("changed"))
            .localCheckpoint(eager=True)
        )
        changed = updated.where("changed").count()
        labels = updated.drop("changed")
        if changed == 0:
            return labels
    raise RuntimeError(f"connected components did not settle in {max_iterations} rounds; raise max_iterations")
